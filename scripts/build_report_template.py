"""Builds templates/reports/bao_cao_dinh_ky.docx, the periodic report's Word
template (docxtpl: Jinja2 tags inside the document).

An office may edit the .docx in Word directly: change the wording, the fonts,
the letterhead; keep each {{ … }} and {% … %} tag whole inside one run of
text (type it in one go, do not format half of it). `{%p … %}` tags take a
paragraph of their own, `{%tr … %}` a table row of their own. The names the
template can use are listed in bot/reports.py (report_context). Run this
script again only to start over from the shipped wording:

    python scripts/build_report_template.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent.parent / "templates" / "reports" / "bao_cao_dinh_ky.docx"
FONT = "Times New Roman"
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT

# How the report counts, said once where the office can read and change it.
COUNTING_NOTE = (
    "Cách tính: nhiệm vụ thường xuyên được tính riêng và được coi là đạt khi đang được thực hiện "
    "(không báo vướng mắc, không báo chưa triển khai); nhiệm vụ của {{ period_short }} là nhiệm vụ có thời hạn "
    "từ {{ window_start|date }} đến {{ window_end|date }}; bốn nhóm (hoàn thành trong hạn, hoàn thành quá hạn, "
    "đang thực hiện trong hạn, quá hạn) tính trên các nhiệm vụ có thời hạn đến hết ngày {{ as_of|date }}, "
    "theo trạng thái tại thời điểm đó; số liệu lấy từ các báo cáo từ ngày {{ data_start|date }} "
    "đến hết ngày {{ as_of|date }}{% if decree09 %} (Nghị định số 09/2019/NĐ-CP){% endif %}."
)

PROGRESS = (
    "Trong {{ period_label }}, {{ issuer }} tổ chức thực hiện các nhiệm vụ theo Kế hoạch đề ra, cụ thể: "
    "nhiệm vụ về CCHC{% if unit %} do {{ unit }} chủ trì{% endif %} (có {{ p.total|count2 }} nhiệm vụ, trong đó: "
    "{% if p.recurring %}có {{ p.recurring|count2 }}/{{ p.total|count2 }} nhiệm vụ thường xuyên "
    "(đạt {{ p.recurring_share|percent }}); {% endif %}"
    "{% if p.in_period %}{{ period_short }} có {{ p.in_period|count2 }}/{{ p.total|count2 }} nhiệm vụ, "
    "đã thực hiện {{ p.in_period_done|count2 }}/{{ p.in_period|count2 }} nhiệm vụ (đạt {{ p.in_period_share|percent }})"
    "{% if p.in_period_open %}, {{ p.in_period_open|count2 }}/{{ p.in_period|count2 }} nhiệm vụ đang thực hiện{% endif %}"
    "{% if p.in_period_not_started %}, {{ p.in_period_not_started|count2 }}/{{ p.in_period|count2 }} nhiệm vụ chưa triển khai{% endif %}"
    "{% else %}{{ period_short }} không có nhiệm vụ đến hạn{% endif %})."
)

FOUR_WAY = (
    "Tính đến hết ngày {{ as_of|date }}, trong {{ c.tracked|count2 }} nhiệm vụ có thời hạn đến ngày này: "
    "có {{ c.done_on_time|count2 }} nhiệm vụ hoàn thành trong hạn, {{ c.done_late|count2 }} nhiệm vụ hoàn thành quá hạn, "
    "{{ c.open_on_time|count2 }} nhiệm vụ đang thực hiện trong hạn và {{ c.overdue|count2 }} nhiệm vụ quá hạn."
)

RESULT = (
    "- {{ i.code }}. {{ i.content }}: "
    "{% if i.status == 'done' %}đã hoàn thành{% if i.done_on %} ngày {{ i.done_on|date }}{% endif %}"
    "{% if i.category == 'done_late' %} (quá hạn){% endif %}"
    "{% elif i.status == 'in_progress' %}đang thực hiện{% if i.percent is not none %}, đạt {{ i.percent|percent }}{% endif %}"
    "{% elif i.status == 'stuck' %}gặp vướng mắc{% if i.in_period.note %} ({{ i.in_period.note }}){% endif %}"
    "{% else %}chưa triển khai{% endif %}"
    "{% if i.evidence %}; tài liệu kiểm chứng: {{ i.evidence }} (báo cáo ngày {{ i.evidence_on|date }}){% endif %}"
    "{% if i.reporter %}; người báo cáo: {{ i.reporter }}{% endif %}"
    "{% for c in i.contributions %}; đóng góp của {{ c.unit }} ({% if c.reporter %}{{ c.reporter }}, {% endif %}"
    "ngày {{ c.on|date }}): {{ c.text }}{% endfor %}."
)


def _font(run, size=None, bold=None, italic=None):
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def para(container, text="", *, bold=False, italic=False, align=JUSTIFY, indent=True, size=None, after=6):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Cm(1) if indent and align == JUSTIFY else None
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(0)
    if text:
        _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def tag(container, text):
    """A paragraph holding only a {%p … %} tag: docxtpl removes it."""
    return para(container, text, indent=False, align=LEFT, after=0)


def heading(doc, text):
    paragraph = para(doc, text, bold=True, indent=True)
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def widths(table, columns_cm):
    """Column widths that Word and LibreOffice both honour: the grid and every cell."""
    table.autofit = False
    for column, width in zip(table.columns, columns_cm):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def keep_row_whole(table):
    for row in table.rows:
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))


def cell_text(cell, text, *, bold=False, italic=False, align=CENTER, size=13):
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def cell_more(cell, text, *, bold=False, italic=False, align=CENTER, size=13):
    paragraph = cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _font(paragraph.add_run(text), size, bold, italic)


def loop_table(doc, headers, column_widths, open_tag, cells, close_tag):
    """A bordered table: header row, `{%tr for %}` row, the repeated row, `{%tr endfor %}` row."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(table, column_widths)
    for column, header in enumerate(headers):
        cell_text(table.rows[0].cells[column], header, bold=True)
    cell_text(table.rows[1].cells[0], open_tag, align=LEFT)
    for column, (text, align) in enumerate(cells):
        cell_text(table.rows[2].cells[column], text, align=align)
    cell_text(table.rows[3].cells[0], close_tag, align=LEFT)
    keep_row_whole(table)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on each page
    return table


def page_number_header(section):
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    _font(run, 13)
    field.append(run._element)  # the run shows the number until the field is updated
    paragraph._p.append(field)
    section.different_first_page_header_footer = True


def build(path: Path = OUT) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    page_number_header(section)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.line_spacing = 1.15

    # Letterhead (Decree 30/2020/NĐ-CP): issuer and number left, national motto right.
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(head, [6.0, 10.0])
    left, right = head.rows[0].cells
    cell_text(left, "{{ issuer_upper }}", bold=True)
    cell_more(left, "Số:        /BC-……")
    cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    cell_more(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14)
    cell_more(right, "……, {{ issued_on|longdate }}", italic=True, size=14)
    para(doc, "", after=6)

    para(doc, "BÁO CÁO", bold=True, align=CENTER, indent=False, after=0)
    para(doc, "Công tác cải cách hành chính {% if periodic %}định kỳ {% endif %}{{ period_title }}",
         bold=True, align=CENTER, indent=False, after=0)
    tag(doc, "{%p if unit %}")
    para(doc, "(Các nhiệm vụ do {{ unit }} chủ trì)", italic=True, align=CENTER, indent=False, after=0)
    tag(doc, "{%p endif %}")
    para(doc, "", after=6)
    para(doc, "Thực hiện {{ plan_ref }}, {{ issuer }} báo cáo công tác cải cách hành chính {{ period_label }} "
              "(số liệu tính đến hết ngày {{ as_of|date }}) với các nội dung như sau:")

    heading(doc, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
    heading(doc, "1. Tiến độ thực hiện Kế hoạch CCHC")
    para(doc, PROGRESS)
    tag(doc, "{%p if p.in_period_stuck %}")
    para(doc, "Trong số nhiệm vụ đang thực hiện có {{ p.in_period_stuck|count2 }} nhiệm vụ gặp vướng mắc (nêu tại mục III).")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if p.without_deadline %}")
    para(doc, "Ngoài ra có {{ p.without_deadline|count2 }} nhiệm vụ thực hiện khi có văn bản hướng dẫn, chưa xác định thời hạn.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if budget_total %}")
    para(doc, "Tổng kinh phí thực hiện các nhiệm vụ theo Kế hoạch: {{ budget_total|vnd }} đồng.")
    tag(doc, "{%p endif %}")
    heading(doc, "2. Kết quả theo dõi, đánh giá việc thực hiện nhiệm vụ")
    para(doc, FOUR_WAY)
    loop_table(
        doc,
        ["Lĩnh vực", "Hoàn thành trong hạn", "Hoàn thành quá hạn", "Đang thực hiện, trong hạn", "Quá hạn"],
        [5.0, 2.8, 2.8, 2.8, 2.6],
        "{%tr for a in areas %}",
        [("{{ a.code }}. {{ a.title }}", LEFT), ("{{ a.counts['done_on_time']|count2 }}", CENTER),
         ("{{ a.counts['done_late']|count2 }}", CENTER), ("{{ a.counts['open_on_time']|count2 }}", CENTER),
         ("{{ a.counts['overdue']|count2 }}", CENTER)],
        "{%tr endfor %}",
    )
    para(doc, COUNTING_NOTE, italic=True, size=12, after=6).paragraph_format.space_before = Pt(6)

    heading(doc, "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH")
    tag(doc, "{%p for a in areas %}")
    heading(doc, "{{ loop.index }}. {{ a.title }}")
    tag(doc, "{%p for g in a.results %}")
    para(doc, "{{ g.unit }}:", italic=True)
    tag(doc, "{%p for i in g.tasks %}")
    para(doc, RESULT)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not a.results %}")
    para(doc, "Trong kỳ chưa có báo cáo kết quả thực hiện nhiệm vụ thuộc lĩnh vực này.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if indicators %}")
    heading(doc, "{{ areas|length + 1 }}. Kết quả thực hiện các chỉ tiêu")
    loop_table(
        doc,
        ["STT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đánh giá"],
        [1.2, 7.0, 2.4, 3.0, 2.4],
        "{%tr for x in indicators %}",
        [("{{ loop.index }}", CENTER), ("{{ x.name }}", LEFT), ("{{ x.target_text }}", CENTER),
         ("{% if x.value is not none %}{{ x.value_text }} ({{ x.on|date }}){% else %}—{% endif %}", CENTER),
         ("{% if x.achieved is none %}Chưa có số liệu{% elif x.achieved %}Đạt{% else %}Chưa đạt{% endif %}", CENTER)],
        "{%tr endfor %}",
    )
    tag(doc, "{%p endif %}")

    heading(doc, "III. ĐÁNH GIÁ CHUNG")
    para(doc, "Trong {{ period_label }}, {{ issuer }} đã hoàn thành {{ c.done|count2 }}/{{ c.tracked|count2 }} nhiệm vụ "
              "có thời hạn đến hết ngày {{ as_of|date }} (đạt {{ c.share('done')|percent }}){% if c.overdue %}; "
              "còn {{ c.overdue|count2 }} nhiệm vụ quá hạn chưa hoàn thành{% endif %}. "
              "Trong kỳ có {{ reported|count2 }} nhiệm vụ được các đơn vị báo cáo kết quả.")
    heading(doc, "1. Khó khăn, vướng mắc")
    tag(doc, "{%p for b in blockers %}")
    para(doc, "- {{ b.task.code }}. {{ b.task.content }} ({{ b.task.lead }}): {{ b.note }} (báo cáo ngày {{ b.on|date }}"
              "{% if b.reporter %}, {{ b.reporter }}{% endif %}){% if b.resolved %}; đã được tháo gỡ{% endif %}.")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not blockers %}")
    para(doc, "Trong kỳ không có báo cáo vướng mắc.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if overdue %}")
    heading(doc, "2. Nhiệm vụ quá hạn")
    para(doc, "Có {{ overdue|length|count2 }} nhiệm vụ quá hạn chưa hoàn thành:")
    tag(doc, "{%p for t in overdue %}")
    para(doc, "- {{ t.code }}. {{ t.content }} ({{ t.lead }}; thời hạn {{ t.due_date|date }}).")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")

    heading(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ")
    para(doc, "1. Tiếp tục tăng cường công tác lãnh đạo, chỉ đạo đối với công tác cải cách hành chính; "
              "đôn đốc thực hiện các nhiệm vụ theo {{ plan_ref }}.")
    tag(doc, "{%p if next_tasks %}")
    para(doc, "2. Tập trung thực hiện {{ next_tasks|length|count2 }} nhiệm vụ có thời hạn trong {{ next_label }}:")
    tag(doc, "{%p for t in next_tasks %}")
    para(doc, "- {{ t.code }}. {{ t.content }} ({{ t.lead }}; thời hạn {{ t.due_date|date }}"
              "{% if t.budget_vnd %}; kinh phí {{ t.budget_vnd|vnd }} đồng{% endif %}).")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "2. Không có nhiệm vụ có thời hạn trong {{ next_label }}; tiếp tục thực hiện các nhiệm vụ thường xuyên "
              "và các nhiệm vụ chưa hoàn thành.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if overdue or open_blockers %}")
    para(doc, "3. Khẩn trương hoàn thành {{ overdue|length|count2 }} nhiệm vụ quá hạn và tháo gỡ "
              "{{ open_blockers|count2 }} vướng mắc nêu tại mục III.")
    tag(doc, "{%p endif %}")
    closing = para(doc, "Trên đây là báo cáo công tác cải cách hành chính {{ period_label }} của {{ issuer }}./.")
    closing.paragraph_format.keep_with_next = True

    sign = doc.add_table(rows=1, cols=2)
    sign.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(sign, [8.0, 8.0])
    keep_row_whole(sign)
    left, right = sign.rows[0].cells
    cell_text(left, "Nơi nhận:", bold=True, italic=True, align=LEFT, size=12)
    cell_more(left, "- Như trên;", align=LEFT, size=11)
    cell_more(left, "- Lưu: VT.", align=LEFT, size=11)
    cell_text(right, "THỦ TRƯỞNG ĐƠN VỊ", bold=True, size=14)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())
