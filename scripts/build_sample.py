"""Build the sample data set in ``sample/``.

Run from the project root:  python scripts/build_sample.py

Writes (deterministically: same bytes on every run):
  sample/plan_2026.docx   the appendix of seed 004 rebuilt as a real Word table
  sample/units.csv        the sample organisation (Văn phòng UBND tỉnh)
  sample/groups.csv       named groups of units
  sample/people.csv       officers, leaders and the admin, with chat identities
  sample/indicators.csv   numeric targets (chỉ tiêu) taken from seed 002

The task texts are copied from the extracted seed with the wrapped lines of
each cell joined by single spaces; typos of the original are kept on purpose
("3.5000.000", "vj trí", "công chưc", "băn bản", "nền tàng", ...).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample"

# Fixed timestamp for document properties and zip entries (deterministic output).
FIXED_TIME = dt.datetime(2025, 12, 15, 8, 0, 0)

# ---------------------------------------------------------------------------
# Plan appendix (seed 004)
# ---------------------------------------------------------------------------

TITLE_LINES = [
    "PHỤ LỤC",
    "CÁC NHIỆM VỤ TRỌNG TÂM TRIỂN KHAI CCHC TRONG NĂM 2026",
    "(Ban hành kèm theo Kế hoạch số:           /KH-VPUBND ngày         /12/2025 "
    "của Văn phòng UBND tỉnh)",
]

HEADER = [
    "STT",
    "Nội dung",
    "Tài liệu kiểm chứng",
    "Đơn vị chủ trì",
    "Đơn vị phối\nhợp",
    "Thời gian\nthực hiện",
    "Kinh phí\n(Đơn vị tính\nđồng)",
    "Ghi chú",
]

# Column widths in cm (landscape A4, about 26 cm of text width).
WIDTHS_CM = [2.0, 7.0, 5.0, 3.2, 3.0, 2.4, 2.2, 1.6]

HCQT = "Phòng Hành chính – Quản trị"
TTPV = "Trung tâm Phục vụ Hành chính công"
ALL_UNITS = "Các phòng, ban, trung tâm"
RESEARCH = "Các phòng thuộc khối nghiên cứu – tổng hợp"

# A cell value is either a string (one paragraph) or a list of strings (one
# paragraph each).  Task tuple: (content, evidence, lead, coordinating,
# timeline, budget, note).
AREAS: list[tuple[str, str, list[tuple]]] = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", [
        ("Tuyên truyền công tác CCHC trên Cổng thông tin điện tử tỉnh và Trang "
         "Thông tin điện tử Văn phòng",
         "Đăng tin bài", "Trung tâm Tin học và công báo", ALL_UNITS,
         "Thường xuyên", "", ""),
        ("Ban hành các văn bản chỉ đạo, thực hiện công tác CCHC",
         "Văn bản chỉ đạo", HCQT, ALL_UNITS, "Trong năm", "", ""),
        ("Xây dựng và triển khai kế hoạch kiểm tra công tác CCHC",
         ["Kế hoạch;", "Hồ sơ kiểm tra."], HCQT, ALL_UNITS, "Trong năm", "", ""),
    ]),
    ("II", "CẢI CÁCH THỂ CHẾ", [
        ("Phối hợp với các cơ quan chuyên môn tham mưu UBND tỉnh ban hành văn bản "
         "quy phạm pháp luật đảm bảo đúng quy định, phù hợp với điều kiện thực "
         "tiễn của tỉnh",
         "Các quyết định quy phạm pháp luật", RESEARCH, "", "Trong năm", "", ""),
        ("Tham mưu ban hành văn bản quy phạm pháp luật theo chức năng, nhiệm vụ "
         "của đơn vị đảm bảo đúng quy định hiện hành.",
         "Văn bản quy phạm pháp luật", ALL_UNITS, "", "Trong năm", "", ""),
        ("Định kỳ rà soát văn bản quy phạm pháp luật của Hội đồng nhân dân, Ủy "
         "ban nhân dân tỉnh; Chủ tịch Ủy ban nhân dân tỉnh thuộc thẩm quyền",
         ["Báo cáo kết quả rà soát;",
          "100% các văn bản QPPL sau rà soát phát hiện không còn phù hợp được xử "
          "lý (các văn bản được ban hành thay thế, bãi bỏ…) hoặc kiến nghị xử lý "
          "theo thẩm quyền"],
         HCQT, ALL_UNITS, "Trong năm", "", ""),
        ("Rà soát văn bản quy phạm pháp luật theo chuyên đề, theo ngành/lĩnh vực "
         "quản lý nhà nước",
         "Công văn/Báo cáo kết quả rà soát  văn bản QPPL", HCQT, ALL_UNITS,
         "Trong năm", "", ""),
        ("Thực hiện nghiêm túc quy trình soạn thảo văn bản và ban hành văn bản "
         "QPPL theo đúng quy định hiện hành.",
         "100% các văn bản QPPL tham mưu cho UBND tỉnh ban hành đúng quy định "
         "(Tờ trình dự thảo  văn bản QPPL; Báo cáo thẩm định văn bản; báo cáo "
         "giải trình tiếp thu hoặc không tiếp thu; văn bản QPPL sau khi được ban "
         "hành)",
         ALL_UNITS, "", "Trong năm", "", ""),
        ("Thực hiện theo dõi thi hành pháp luật, trong đó lựa chọn lĩnh vực trọng "
         "tâm, phù hợp với chức năng, nhiệm vụ và phạm vi quản lý nhà nước của cơ "
         "quan.",
         "Kế hoạch theo dõi thi hành pháp luật", HCQT, ALL_UNITS, "Trong năm",
         "", ""),
    ]),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", [
        ("Ban hành Kế hoạch hoạt động Kiểm soát TTHC; Kế hoạch rà soát quy định, "
         "thủ tục hành chính; Kế hoạch rà soát TTHC nội bộ năm 2025 của tỉnh",
         "Kế hoạch", TTPV, "", "Quý I/2025", "", ""),
        ("Rà soát, đánh giá độc lập của cơ quan kiểm soát TTHC",
         "Báo cáo", TTPV, "Phòng HCQT", "Quý III/2025", "3.5000.000", ""),
        ("Rà soát quy định, thủ tục hành chính; Kiểm soát chặt chẽ việc quy định "
         "thủ tục hành chính, cắt giảm thủ tục hành chính của các cơ quan",
         "Báo cáo kết quả rà soát; các biểu mẫu đánh giá tác động; phương án đơn "
         "giản hóa TTHC",
         TTPV, "Phòng HCQT", "Trong năm", "14.000.000", ""),
        ("Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về TTHC",
         "Văn bản chuyển xử lý, phản ánh kiến nghị hoặc văn bản kiến nghị cấp có "
         "thẩm quyền xử lý; Báo cáo kết quả xử lý",
         TTPV, "", "Thường xuyên", "", ""),
        ("Hội nghị, tập huấn công tác chuyên môn, nghiệp vụ theo các Đề án, "
         "chương trình của Thủ tướng Chính phủ, Văn phòng Chính phủ",
         "Hội nghị, tập huấn", TTPV, "Phòng QTTV", "Trong năm", "130.000.000", ""),
        ("Rà soát, đơn giản hoá thủ tục hành chính nội bộ thuộc phạm vi chức năng "
         "quản lý của Văn phòng UBND tỉnh",
         "Báo cáo kết quả rà soát; các biểu mẫu đánh giá tác động; phương án đơn "
         "giản hóa TTHC",
         TTPV, "", "Trong năm", "", ""),
    ]),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY", [
        ("Rà soát, sắp xếp, kiện toàn tổ chức bộ máy của cơ quan theo quy định "
         "hiện hành",
         "Đề án/ Quyết định", HCQT, ALL_UNITS, "Trong năm", "", ""),
        ("Ban hành quy định mới hoặc sửa đổi, bổ sung về chức năng nhiệm vụ, "
         "quyền hạn, cơ cấu tổ chức của cơ quan Văn phòng và các phòng, ban, "
         "trung tâm trực thuộc",
         "Quyết định", HCQT, ALL_UNITS,
         "Khi có văn bản quy định, hướng dẫn mới của trung ương, của tỉnh", "", ""),
        ("Thực hiện việc bổ nhiệm, bổ nhiệm lại, luân chuyển công chức, viên chức "
         "theo quy định",
         "Quyết định", HCQT, ALL_UNITS, "Thường xuyên", "", ""),
        ("Thực hiện tinh giản biên chế hành chính; biên chế sự nghiệp hưởng lương "
         "từ ngân sách nhà nước theo lộ trình.",
         "Báo cáo tình hình sử dụng biên chế năm 2026/ Kế hoạch biên chế năm 2027",
         HCQT, ALL_UNITS, "Trong năm", "", ""),
    ]),
    ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", [
        ("Xây dựng đội ngũ cán bộ, công chức, viên chức có cơ cấu hợp lý đáp ứng "
         "tiêu chuẩn chức danh, vj trí việc làm và khung năng lực theo quy định",
         "Tờ trình, đề án, quyết định", HCQT, ALL_UNITS, "Trong năm", "", ""),
        ("Xây dựng kế hoạch đào tạo, bồi dưỡng năm 2026",
         "Kế hoạch đào tạo, bồi dưỡng", HCQT, ALL_UNITS, "Quý IV/2025", "", ""),
        ("Căn cứ quy hoạch cán bộ quản lý, kế hoạch đào tạo cử CCVC tham gia các "
         "lớp đào tạo, bồi dưỡng",
         "Quyết định cử đi học", HCQT, ALL_UNITS, "Trong năm", "", ""),
        ("Rà soát vị trí việc làm, ban hành kế hoạch nhu cầu tuyển dụng công "
         "chức, tiếp nhận vào làm công chưc",
         "Kế hoạch hoặc công văn", HCQT, ALL_UNITS, "Trong năm", "", ""),
        ("Thực hiện nghiêm việc đánh giá, phân loại CBCCVC theo quy định, hướng "
         "dẫn của cấp có thẩm quyền",
         "Văn bản Hướng dẫn đánh giá, phân loại CBCCVC", HCQT, ALL_UNITS,
         "Quý IV/2026", "", ""),
    ]),
    ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", [
        ("Tiếp tục thực hiện có hiệu quả chế độ tự chủ, tự chịu trách nhiệm về "
         "kinh phí quản lý hành chính và tài chính đối với đơn vị sự nghiệp công "
         "lập theo Nghị định 130/2005/NĐ-CP, Nghị định 117/2013/NĐ-CP và Nghị "
         "định số 16/2015/NĐ-CP",
         "Báo cáo kết quả thực hiện cơ chế tự chủ theo quy định của CP tại các "
         "NĐ: số 130/2005/NĐ-CP ngày 17/10/2005, số 117/2013/NĐ-CP ngày "
         "07/10/2013, số 16/2015/NĐ-CP ngày 14/02/2015 và báo cáo tài chính",
         "Phòng Quản trị - Tài vụ", ALL_UNITS, "Trong năm", "", ""),
    ]),
    ("VII", "HIỆN ĐẠI HÓA NỀN HÀNH CHÍNH", [
        ("Xây dựng và triển khai thực hiện Kế hoạch chuyển đổi số 2026",
         "Kế hoạch", "Trung tâm Tin học và công báo", ALL_UNITS,
         ["Quý IV/2025;", "Trong năm"], "", ""),
        ("Duy trì áp dụng hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 tại "
         "các phòng, ban, trung tâm",
         "Báo cáo đánh giá", "Ban Chỉ đạo ISO", ALL_UNITS, "Trong năm", "", ""),
        ("Triển khai Hệ thống thông tin báo cáo",
         "Kế hoạch", TTPV, "Trung tâm Tin học và công báo", "Trong năm", "", ""),
        # In the extracted text this row spills over a page break.
        ("Duy trì, vận hành các phần mềm phục vụ công tác chỉ đạo điều hành của "
         "UBND tỉnh (Phần mềm xin ý kiến vào dự thảo văn bản;  Cổng dịch vụ công "
         "- Một cửa điện tử; Cổng thông tin điện tử tỉnh; phần mềm họp trực tuyến "
         "qua nền tàng Internet (Zoom cloud Metting); Trang thông tin điện tử Văn "
         "phòng; Hệ thống thông tin phục vụ họp và xử lý công việc E-CABINET "
         "(phòng họp không giấy); Công báo điện tử tỉnh; Hệ thống thông tin báo "
         "cáo chỉ đạo, điều hành.",
         "", "Trung tâm Tin học & Công báo", "Trung tâm phục vụ hành chính công",
         "Thường xuyên", "", ""),
        ("Thực hiện có hiệu quả phần mềm Hệ thống quản lý văn bản điều hành trong "
         "hoạt động cơ quan; sử dụng chữ ký số trong ký duyệt băn bản, đảm bảo "
         "văn bản được trao đổi với các cơ quan, trong nội bộ dưới dạng điện tử "
         "(trừ văn bản mật).",
         "", "Trung tâm Tin học và Công báo", ALL_UNITS, "Trong năm", "", ""),
    ]),
]


def _set_cell(cell, value, bold: bool = False, center: bool = False) -> None:
    """Write a string (one paragraph) or a list of strings (one paragraph each)."""
    parts = value if isinstance(value, list) else [value]
    for i, part in enumerate(parts):
        # A new cell (merged or not) holds one empty paragraph.
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        if part:
            run = paragraph.add_run(part)  # "\n" becomes a line break
            if bold:
                run.bold = True
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _set_widths(row) -> None:
    """Set cell widths of a row without merged cells."""
    for cell, width in zip(row.cells, WIDTHS_CM):
        cell.width = Cm(width)


def _repeat_as_header(row) -> None:
    """Mark a table row to repeat at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _add_centered(doc, text: str, bold: bool = False, italic: bool = False) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic


def build_plan_docx(path: Path) -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    section.top_margin = section.bottom_margin = Cm(2.0)

    _add_centered(doc, TITLE_LINES[0], bold=True)
    _add_centered(doc, TITLE_LINES[1], bold=True)
    _add_centered(doc, TITLE_LINES[2], italic=True)

    table = doc.add_table(rows=1, cols=len(HEADER))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, HEADER):
        _set_cell(cell, text, bold=True, center=True)
    _set_widths(header)
    for column, width in zip(table.columns, WIDTHS_CM):
        column.width = Cm(width)  # the table grid

    for roman, area_name, tasks in AREAS:
        row = table.add_row()
        _set_cell(row.cells[0], f"Lĩnh vực {roman}", bold=True)
        merged = row.cells[1].merge(row.cells[-1])
        _set_cell(merged, area_name, bold=True)
        row.cells[0].width = Cm(WIDTHS_CM[0])
        merged.width = Cm(sum(WIDTHS_CM[1:]))
        for n, task in enumerate(tasks, start=1):
            row = table.add_row()
            _set_cell(row.cells[0], f"Hoạt động {n}")
            for cell, value in zip(row.cells[1:], task):
                _set_cell(cell, value)
            _set_widths(row)

    props = doc.core_properties
    props.title = "Phụ lục nhiệm vụ CCHC năm 2026"
    props.author = "Văn phòng UBND tỉnh"
    props.last_modified_by = "Văn phòng UBND tỉnh"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1

    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(_normalize_zip(buffer.getvalue()))


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps so the bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------------------
# Organisation, people, indicators
# ---------------------------------------------------------------------------

ROOT_UNIT = "Văn phòng UBND tỉnh"

# (unit, parent, aliases)
UNITS = [
    (ROOT_UNIT, "", ["VP UBND tỉnh"]),
    ("Phòng Hành chính – Quản trị", ROOT_UNIT, []),
    ("Phòng Quản trị - Tài vụ", ROOT_UNIT, []),
    ("Trung tâm Tin học và Công báo", ROOT_UNIT, []),
    ("Trung tâm Phục vụ Hành chính công", ROOT_UNIT, ["TT PVHCC"]),
    ("Ban Chỉ đạo ISO", ROOT_UNIT, []),
    ("Phòng Tổng hợp", ROOT_UNIT, []),
    ("Phòng Kinh tế", ROOT_UNIT, []),
    ("Phòng Khoa giáo – Văn xã", ROOT_UNIT, []),
    ("Phòng Nội chính", ROOT_UNIT, []),
]

GROUPS = [
    ("Các phòng thuộc khối nghiên cứu – tổng hợp",
     ["Phòng Tổng hợp", "Phòng Kinh tế", "Phòng Khoa giáo – Văn xã", "Phòng Nội chính"]),
]

# (name, unit, role, platform, user_id); empty unit = the whole organisation.
PEOPLE = [
    ("Nguyễn Văn Hùng", "", "leader", "console", "lanhdao"),          # Chánh Văn phòng
    ("Trần Thị Thu Hà", "", "admin", "console", "quantri"),
    # The console's default officer comes first among officers; she also
    # uses Telegram (one person, two identities).
    ("Lê Thị Mai Anh", "Phòng Hành chính – Quản trị", "officer", "console", "canbo"),
    ("Lê Thị Mai Anh", "Phòng Hành chính – Quản trị", "officer", "telegram", "100001"),
    ("Phạm Quốc Bảo", "Phòng Hành chính – Quản trị", "leader", "telegram", "100002"),
    ("Hoàng Thị Ngọc Lan", "Phòng Quản trị - Tài vụ", "officer", "telegram", "100003"),
    ("Vũ Đức Thắng", "Phòng Quản trị - Tài vụ", "leader", "telegram", "100004"),
    ("Đặng Minh Tuấn", "Trung tâm Tin học và Công báo", "officer", "telegram", "100005"),
    ("Bùi Thị Hồng Nhung", "Trung tâm Tin học và Công báo", "leader", "telegram", "100006"),
    ("Ngô Thị Kim Oanh", "Trung tâm Phục vụ Hành chính công", "officer", "telegram", "100007"),
    ("Đỗ Văn Khải", "Trung tâm Phục vụ Hành chính công", "leader", "telegram", "100008"),
    ("Huỳnh Thanh Tâm", "Ban Chỉ đạo ISO", "officer", "telegram", "100009"),
    ("Phan Văn Lợi", "Ban Chỉ đạo ISO", "leader", "telegram", "100010"),
    ("Trương Thị Bích Ngọc", "Phòng Tổng hợp", "officer", "telegram", "100011"),
    ("Lý Quang Vinh", "Phòng Tổng hợp", "leader", "telegram", "100012"),
    ("Võ Thị Thanh Thảo", "Phòng Kinh tế", "officer", "telegram", "100013"),
    ("Dương Văn Phúc", "Phòng Kinh tế", "leader", "telegram", "100014"),
    ("Mai Thị Diễm Hương", "Phòng Khoa giáo – Văn xã", "officer", "telegram", "100015"),
    ("Tạ Công Danh", "Phòng Khoa giáo – Văn xã", "leader", "telegram", "100016"),
    ("Châu Ngọc Hân", "Phòng Nội chính", "officer", "telegram", "100017"),
    ("Lâm Hữu Nghĩa", "Phòng Nội chính", "leader", "telegram", "100018"),
    ("Nguyễn Thị Phương Dung", "", "leader", "telegram", "100019"),   # Phó Chánh Văn phòng
]

# (name, unit_of_measure, target, direction, value, reported_at) — from seed 002.
INDICATORS = [
    ("Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn và trước hạn", "%", "100", ">=",
     "98.6", "2026-03-31"),
    ("Tỷ lệ cắt giảm thời gian thực hiện TTHC", "%", "30", ">=", "32", "2026-03-31"),
    ("Tỷ lệ giải ngân vốn đầu tư công", "%", "100", ">=", "27.4", "2026-03-31"),
    ("Dân số tham gia bảo hiểm y tế", "%", "95.5", ">=", "", ""),
    ("Thất nghiệp trong lực lượng lao động", "%", "5.3", "<=", "", ""),
    ("Hộ nghèo theo chuẩn đa chiều", "%", "1", "<=", "", ""),
]


def _write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    SAMPLE_DIR.mkdir(exist_ok=True)
    build_plan_docx(SAMPLE_DIR / "plan_2026.docx")
    _write_csv(SAMPLE_DIR / "units.csv", ["unit", "parent", "aliases"],
               [(unit, parent, "|".join(aliases)) for unit, parent, aliases in UNITS])
    _write_csv(SAMPLE_DIR / "groups.csv", ["group", "members"],
               [(group, "|".join(members)) for group, members in GROUPS])
    _write_csv(SAMPLE_DIR / "people.csv", ["name", "unit", "role", "platform", "user_id"],
               PEOPLE)
    _write_csv(SAMPLE_DIR / "indicators.csv",
               ["name", "unit_of_measure", "target", "direction", "value", "reported_at"],
               INDICATORS)
    tasks = sum(len(tasks) for _, _, tasks in AREAS)
    print(f"wrote {SAMPLE_DIR}: {len(AREAS)} areas, {tasks} tasks, "
          f"{len(UNITS)} units, {len(PEOPLE)} people, {len(INDICATORS)} indicators")


if __name__ == "__main__":
    main()
