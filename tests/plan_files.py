"""Plan files for importer tests, and what an importer should read from them.

Not a test module: tests import the builders (``build_xxx(dir) -> Path``) and
the expected data.  Every builder writes one file into ``dir`` and returns its
path; output is deterministic.

Expected task dicts all have the keys
    code                "<area roman>.<n>", e.g. "III.2"
    lead_unit           canonical full name (see below)
    coordinating_units  list of canonical names, in the order written
    timeline            the text as written, whitespace collapsed
    due_date            ISO date or None
    recurring           True for "Thường xuyên"
    conditional         True for "Khi có …" (no deadline until triggered)
    budget_vnd          int or None (None also when the budget is malformed)

Canonical unit name: the first full-name spelling met in the file (so
"Phòng HCQT" -> "Phòng Hành chính – Quản trị", and in the seed every spelling
of the IT centre -> "Trung tâm Tin học và công báo").  Group phrases such as
"Các phòng, ban, trung tâm" are one entry, never split on their commas.
Due date of a multi-milestone timeline ("Quý IV/2025; Trong năm") is the last
milestone; "Trong năm" / "Năm 2026" / "6 tháng đầu năm" use the plan year.
``*_WARNINGS`` counts malformed values (budgets) the importer should flag.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parent.parent
SEED_DOCX = ROOT / "sample" / "plan_2026.docx"


def _task(code, lead, coordinating, timeline, due_date, budget_vnd=None,
          recurring=False, conditional=False) -> dict:
    return {
        "code": code,
        "lead_unit": lead,
        "coordinating_units": list(coordinating),
        "timeline": timeline,
        "due_date": due_date,
        "recurring": recurring,
        "conditional": conditional,
        "budget_vnd": budget_vnd,
    }


# ---------------------------------------------------------------------------
# Seed 004 rebuilt: sample/plan_2026.docx (made by scripts/build_sample.py)
# ---------------------------------------------------------------------------

SEED_PLAN_YEAR = 2026
SEED_WARNINGS = 1  # III.2 budget "3.5000.000"

_HCQT = "Phòng Hành chính – Quản trị"
_QTTV = "Phòng Quản trị - Tài vụ"
_TTTH = "Trung tâm Tin học và công báo"  # first full spelling in the seed
_TTPV = "Trung tâm Phục vụ Hành chính công"
_ALL = "Các phòng, ban, trung tâm"
_RESEARCH = "Các phòng thuộc khối nghiên cứu – tổng hợp"
_EOY = "2026-12-31"

SEED_AREAS = {
    "I": "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH",
    "II": "CẢI CÁCH THỂ CHẾ",
    "III": "CẢI CÁCH THỦ TỤC HÀNH CHÍNH",
    "IV": "CẢI CÁCH TỔ CHỨC BỘ MÁY",
    "V": "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ",
    "VI": "CẢI CÁCH TÀI CHÍNH CÔNG",
    "VII": "HIỆN ĐẠI HÓA NỀN HÀNH CHÍNH",
}

SEED_EXPECTED = [
    _task("I.1", _TTTH, [_ALL], "Thường xuyên", None, recurring=True),
    _task("I.2", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("I.3", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("II.1", _RESEARCH, [], "Trong năm", _EOY),
    _task("II.2", _ALL, [], "Trong năm", _EOY),
    _task("II.3", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("II.4", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("II.5", _ALL, [], "Trong năm", _EOY),
    _task("II.6", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("III.1", _TTPV, [], "Quý I/2025", "2025-03-31"),
    _task("III.2", _TTPV, [_HCQT], "Quý III/2025", "2025-09-30"),  # "3.5000.000"
    _task("III.3", _TTPV, [_HCQT], "Trong năm", _EOY, 14_000_000),
    _task("III.4", _TTPV, [], "Thường xuyên", None, recurring=True),
    _task("III.5", _TTPV, [_QTTV], "Trong năm", _EOY, 130_000_000),
    _task("III.6", _TTPV, [], "Trong năm", _EOY),
    _task("IV.1", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("IV.2", _HCQT, [_ALL],
          "Khi có văn bản quy định, hướng dẫn mới của trung ương, của tỉnh", None,
          conditional=True),
    _task("IV.3", _HCQT, [_ALL], "Thường xuyên", None, recurring=True),
    _task("IV.4", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("V.1", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("V.2", _HCQT, [_ALL], "Quý IV/2025", "2025-12-31"),
    _task("V.3", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("V.4", _HCQT, [_ALL], "Trong năm", _EOY),
    _task("V.5", _HCQT, [_ALL], "Quý IV/2026", "2026-12-31"),
    _task("VI.1", _QTTV, [_ALL], "Trong năm", _EOY),
    _task("VII.1", _TTTH, [_ALL], "Quý IV/2025; Trong năm", _EOY),
    _task("VII.2", "Ban Chỉ đạo ISO", [_ALL], "Trong năm", _EOY),
    _task("VII.3", _TTPV, [_TTTH], "Trong năm", _EOY),
    _task("VII.4", _TTTH, [_TTPV], "Thường xuyên", None, recurring=True),
    _task("VII.5", _TTTH, [_ALL], "Trong năm", _EOY),
]

# ---------------------------------------------------------------------------
# Ward plan as XLSX: other column order, synonyms, merged cells
# ---------------------------------------------------------------------------

WARD_PLAN_YEAR = 2026
WARD_WARNINGS = 1  # III.2 budget "12.00.000"

WARD_HEADER = [
    "TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
    "Thời hạn\nhoàn thành", "Sản phẩm", "Kinh phí\n(đồng)", "Ghi chú",
]

_VP = "Văn phòng HĐND và UBND phường"
_VHXH = "Phòng Văn hóa – Xã hội"
_CA = "Công an phường"
_TTPV_W = "Trung tâm Phục vụ hành chính công phường"
_TTDV_W = "Trung tâm Dịch vụ tổng hợp phường"

# Rows as written.  None in the lead column: covered by the vertical merge
# of the cell above.  Task row: (tt, task, lead, coordinating, deadline,
# product, budget, note).
_WARD_ROWS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
    (1, "Ban hành Kế hoạch kiểm tra công tác CCHC năm 2026", _VP, _VHXH,
     "Quý 2/2026", "Kế hoạch", None, None),
    (2, "Tổ chức kiểm tra công tác CCHC tại các cơ quan, đơn vị\nthuộc UBND phường",
     None, "Phòng VHXH;\nCông an phường", "trước ngày\n30/9/2026",
     "Biên bản kiểm tra;\nBáo cáo kết quả kiểm tra", "5.000.000", None),
    (3, "Tuyên truyền về CCHC trên Trang thông tin điện tử phường và hệ thống "
        "truyền thanh", "Phòng VHXH", _TTDV_W, "Thường xuyên", "Tin, bài",
     20_000_000, None),
    ("II", "CẢI CÁCH THỂ CHẾ"),
    (1, "Rà soát văn bản quy phạm pháp luật do HĐND, UBND phường ban hành",
     "VP HĐND và UBND", _VHXH, "6 tháng đầu năm", "Báo cáo kết quả rà soát",
     None, None),
    (2, "Theo dõi tình hình thi hành pháp luật trên địa bàn phường", _VP,
     "Phòng VHXH, Công an phường", "Năm 2026", "Kế hoạch;\nBáo cáo", "", None),
    (3, "Sửa đổi, bổ sung Quy chế làm việc của UBND phường", _VP, None,
     "Khi có yêu cầu", "Quyết định", None, "Khi cấp trên có văn bản mới"),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
    (1, "Công khai, cập nhật thủ tục hành chính tại Bộ phận Một cửa\n"
        "và trên Cổng dịch vụ công quốc gia", _TTPV_W, "VP HĐND và UBND",
     "Thường xuyên", "Danh mục TTHC được công khai", None, None),
    (2, "Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền giải quyết "
        "của UBND phường", _TTPV_W, "Phòng VHXH;\n" + _VP, "Tháng 6/2026",
     "Báo cáo rà soát;\nPhương án đơn giản hóa", "12.00.000", None),
    (3, "Khảo sát mức độ hài lòng của người dân, doanh nghiệp đối với việc "
        "giải quyết TTHC", _VHXH, _TTPV_W, "trước ngày 30/9/2026",
     "Báo cáo kết quả khảo sát", "8.500.000", None),
    (4, "Số hóa hồ sơ, kết quả giải quyết TTHC", _TTPV_W, None, "Năm 2026",
     "Báo cáo", None, "Chỉ tiêu 100%"),
]

WARD_AREAS = {
    "I": "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH",
    "II": "CẢI CÁCH THỂ CHẾ",
    "III": "CẢI CÁCH THỦ TỤC HÀNH CHÍNH",
}

WARD_EXPECTED = [
    _task("I.1", _VP, [_VHXH], "Quý 2/2026", "2026-06-30"),
    _task("I.2", _VP, [_VHXH, _CA], "trước ngày 30/9/2026", "2026-09-30", 5_000_000),
    _task("I.3", _VHXH, [_TTDV_W], "Thường xuyên", None, 20_000_000, recurring=True),
    _task("II.1", _VP, [_VHXH], "6 tháng đầu năm", "2026-06-30"),
    _task("II.2", _VP, [_VHXH, _CA], "Năm 2026", "2026-12-31"),
    _task("II.3", _VP, [], "Khi có yêu cầu", None, conditional=True),
    _task("III.1", _TTPV_W, [_VP], "Thường xuyên", None, recurring=True),
    _task("III.2", _TTPV_W, [_VHXH, _VP], "Tháng 6/2026", "2026-06-30"),  # "12.00.000"
    _task("III.3", _VHXH, [_TTPV_W], "trước ngày 30/9/2026", "2026-09-30", 8_500_000),
    _task("III.4", _TTPV_W, [], "Năm 2026", "2026-12-31"),
]


def build_ward_xlsx(dir: Path) -> Path:
    """UBND phường Tân An, 2026: title rows, numbering row, merged cells."""
    path = Path(dir) / "ke_hoach_cchc_phuong_tan_an_2026.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    last = len(WARD_HEADER)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)

    titles = [
        "ỦY BAN NHÂN DÂN PHƯỜNG TÂN AN",
        "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026",
        "(Kèm theo Kế hoạch số 45/KH-UBND ngày 10/01/2026 của UBND phường Tân An)",
    ]
    for r, text in enumerate(titles, start=1):
        ws.cell(row=r, column=1, value=text).font = bold
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
    # row 4 left blank
    header_row = 5
    for c, text in enumerate(WARD_HEADER, start=1):
        cell = ws.cell(row=header_row, column=c, value=text)
        cell.font = bold
        cell.alignment = wrap
        ws.cell(row=header_row + 1, column=c, value=f"({c})")

    r = header_row + 2
    merge_from = None  # first row of a vertically merged lead cell
    for row in _WARD_ROWS:
        if len(row) == 2:  # area row
            ws.cell(row=r, column=1, value=row[0]).font = bold
            ws.cell(row=r, column=2, value=row[1]).font = bold
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=last)
        else:
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                cell.alignment = wrap
                if isinstance(value, int) and c == 7:
                    cell.number_format = "#,##0"
            if row[2] is None:
                ws.merge_cells(start_row=merge_from, start_column=3, end_row=r, end_column=3)
            else:
                merge_from = r
        r += 1

    for letter, width in zip("ABCDEFGH", [6, 45, 22, 24, 14, 24, 14, 14]):
        ws.column_dimensions[letter].width = width
    wb.save(path)
    return path


# ---------------------------------------------------------------------------
# Plan as CSV: UTF-8 with BOM, all fields quoted, yet another column order
# ---------------------------------------------------------------------------

CSV_PLAN_YEAR = 2026  # no title row: the year is in the file name only
CSV_WARNINGS = 0

CSV_HEADER = [
    "STT", "Nội dung", "Thời gian thực hiện", "Đơn vị chủ trì", "Đơn vị phối hợp",
    "Tài liệu kiểm chứng", "Kinh phí", "Ghi chú",
]

_TTTH_CSV = "Trung tâm Tin học và Công báo"

_CSV_ROWS = [
    ["Lĩnh vực II", "Cải cách thể chế", "", "", "", "", "", ""],
    ["1", "Rà soát văn bản quy phạm pháp luật thuộc lĩnh vực quản lý của Văn phòng",
     "Quý II/2026", _HCQT, _ALL, "Báo cáo kết quả rà soát", "", ""],
    ["2", "Theo dõi tình hình thi hành pháp luật năm 2026", "Trong năm",
     "Phòng HCQT", "Phòng Tổng hợp; Phòng Nội chính", "Kế hoạch;\nBáo cáo",
     "2.000.000", ""],
    ["3", "Góp ý dự thảo văn bản quy phạm pháp luật theo đề nghị của cơ quan\n"
          "soạn thảo", "Khi có văn bản đề nghị góp ý", _RESEARCH, "",
     "Văn bản góp ý", "", ""],
    ["Lĩnh vực VII", "Hiện đại hóa nền hành chính", "", "", "", "", "", ""],
    ["1", "Vận hành Hệ thống quản lý văn bản và điều hành", "Thường xuyên",
     _TTTH_CSV, _ALL, "", "", ""],
    ["2", "Nâng cấp Cổng thông tin điện tử tỉnh", "Quý III/2026",
     "Trung tâm Tin học & Công báo", _QTTV, "Hợp đồng; Biên bản nghiệm thu",
     "250.000.000", "Nguồn chi thường xuyên"],
    ["3", "Triển khai chữ ký số cho cán bộ, công chức", "Quý I/2026;\nQuý III/2026",
     _TTTH_CSV, _HCQT, "Danh sách cấp chứng thư số", "15.000.000", ""],
]

CSV_AREAS = {"II": "Cải cách thể chế", "VII": "Hiện đại hóa nền hành chính"}

CSV_EXPECTED = [
    _task("II.1", _HCQT, [_ALL], "Quý II/2026", "2026-06-30"),
    _task("II.2", _HCQT, ["Phòng Tổng hợp", "Phòng Nội chính"], "Trong năm",
          "2026-12-31", 2_000_000),
    _task("II.3", _RESEARCH, [], "Khi có văn bản đề nghị góp ý", None, conditional=True),
    _task("VII.1", _TTTH_CSV, [_ALL], "Thường xuyên", None, recurring=True),
    _task("VII.2", _TTTH_CSV, [_QTTV], "Quý III/2026", "2026-09-30", 250_000_000),
    _task("VII.3", _TTTH_CSV, [_HCQT], "Quý I/2026; Quý III/2026", "2026-09-30",
          15_000_000),
]


def build_csv_plan(dir: Path) -> Path:
    path = Path(dir) / "ke_hoach_cchc_2026.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(CSV_HEADER)
        writer.writerows(_CSV_ROWS)
    return path


# ---------------------------------------------------------------------------
# Bad files: each must be refused with a clear message, never crash
# ---------------------------------------------------------------------------

_WORDS = ["mưa", "nắng", "xanh", "đỏ", "bàn", "ghế", "sông", "núi", "lúa", "gió"]


def _noise_rows(seed: int, rows: int = 15, cols: int = 6) -> list[list]:
    rnd = random.Random(seed)
    return [
        [rnd.randint(0, 9999) if rnd.random() < 0.5 else rnd.choice(_WORDS)
         for _ in range(cols)]
        for _ in range(rows)
    ]


def build_empty(dir: Path) -> Path:
    path = Path(dir) / "empty.xlsx"
    path.write_bytes(b"")
    return path


def build_docx_without_table(dir: Path) -> Path:
    path = Path(dir) / "no_table.docx"
    doc = Document()
    doc.add_paragraph("KẾ HOẠCH Công tác cải cách hành chính năm 2026")
    doc.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    doc.add_paragraph("- Triển khai thực hiện có hiệu quả các nhiệm vụ giải pháp "
                      "CCHC của tỉnh, phường đề ra trong năm 2026.")
    doc.add_paragraph("III. CÁC NHIỆM VỤ CCHC TRỌNG TÂM NĂM 2026 "
                      "(Chi tiết tại phụ lục đính kèm).")
    doc.save(path)
    return path


def build_xlsx_without_header(dir: Path) -> Path:
    path = Path(dir) / "no_header.xlsx"
    wb = Workbook()
    ws = wb.active
    for row in _noise_rows(seed=7):
        ws.append(row)
    wb.save(path)
    return path


def build_corrupt_docx(dir: Path) -> Path:
    path = Path(dir) / "corrupt.docx"
    path.write_bytes(random.Random(13).randbytes(4096))
    return path


def build_unknown_extension(dir: Path) -> Path:
    path = Path(dir) / "ke_hoach_2026.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return path


def build_csv_without_header(dir: Path) -> Path:
    path = Path(dir) / "no_header.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(_noise_rows(seed=11))
    return path


GOOD_BUILDERS = {
    "ward_xlsx": (build_ward_xlsx, WARD_EXPECTED, WARD_WARNINGS),
    "csv_plan": (build_csv_plan, CSV_EXPECTED, CSV_WARNINGS),
}

BAD_BUILDERS = [
    build_empty,
    build_docx_without_table,
    build_xlsx_without_header,
    build_corrupt_docx,
    build_unknown_extension,
    build_csv_without_header,
]
