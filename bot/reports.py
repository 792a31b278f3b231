"""Writing the periodic report: DOCX from the Word template (docxtpl), the
XLSX appendix (openpyxl), Markdown for a quick look. The data come from
storage.report_data.gather; this module only formats them.

Names the Word template (templates/reports/bao_cao_dinh_ky.docx) can use:
  issuer, issuer_upper, unit, plan_ref, plan_year, periodic, period_title,
  period_label, period_short, next_label, issued_on, as_of, data_start,
  window_start, window_end, decree09, ongoing,
  p (domain.report_counts.Progress), c (domain.progress.Counts, four-way),
  areas (AreaSection: code, title, counts, results -> unit, tasks),
  blockers, open_blockers, overdue, next_tasks (TaskLine), reported,
  indicators (IndicatorLine + target_text, value_text), budget_total;
  filters: date, count2, percent, vnd, longdate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from domain import text
from domain.periods import DECREE09
from domain.progress import CATEGORIES
from domain.report_periods import start_of
from domain.report_text import format_measure, long_date
from domain.texts import TEMPLATES, render, t
from storage.report_data import IndicatorLine, ReportData, TaskLine

DOCX_TEMPLATE = TEMPLATES / "reports" / "bao_cao_dinh_ky.docx"
FORMATS = ("docx", "xlsx", "md")


def labels(name: str, **params) -> list[str]:
    """A '|'-separated list of labels from the message catalogue."""
    return t(name, **params).split("|")


@dataclass
class IndicatorView:
    line: IndicatorLine

    def __getattr__(self, name):
        return getattr(self.line, name)

    @property
    def target_text(self) -> str:
        sign = "≥" if self.line.direction == ">=" else "≤"
        return f"{sign} {format_measure(self.line.target, self.line.unit_of_measure)}"

    @property
    def value_text(self) -> str:
        return format_measure(self.line.value, self.line.unit_of_measure) if self.line.value is not None else ""


def report_context(data: ReportData) -> dict:
    period = data.period
    label = t("period_label", p=period)
    issuer = data.issuer or data.plan.name
    plan_ref = f"Kế hoạch số {data.plan.number}" if data.plan.number else f"Kế hoạch «{data.plan.name}»"
    return {
        "issuer": issuer,
        "issuer_upper": issuer.upper(),
        "unit": data.unit,
        "plan_ref": plan_ref,
        "plan_name": data.plan.name,
        "plan_year": data.plan.year,
        "periodic": period.kind != "range",
        "period_title": label[:1].upper() + label[1:],
        "period_label": label,
        "period_short": t("periodic_short_label", p=period),
        "next_label": t("period_label", p=data.next_period),
        "issued_on": data.generated_at.astimezone(data.zone).date(),
        "as_of": data.as_of_day,
        "data_start": period.start,
        "window_start": data.window[0],
        "window_end": data.window[1],
        "decree09": data.mode == DECREE09,
        "ongoing": data.ongoing,
        "p": data.progress,
        "c": data.progress.counts,
        "areas": data.areas,
        "blockers": data.blockers,
        "open_blockers": sum(1 for b in data.blockers if not b.resolved),
        "overdue": data.overdue,
        "next_tasks": data.next_tasks,
        "reported": data.reported_in_period,
        "indicators": [IndicatorView(x) for x in data.indicators],
        "budget_total": data.budget_total,
    }


def _docx_environment() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(
        date=text.format_date, count2=text.format_count, percent=text.format_percent,
        vnd=text.format_vnd, longdate=long_date,
    )
    return env


def write_docx(data: ReportData, path: Path, template: Path = DOCX_TEMPLATE) -> Path:
    document = DocxTemplate(str(template))
    document.render(report_context(data), _docx_environment(), autoescape=True)
    document.save(str(path))
    return path


def write_md(data: ReportData) -> str:
    return render("reports/report.md.j2", **report_context(data), standing=lambda line: t("periodic_standing", line=line))


# --- XLSX appendix -----------------------------------------------------------

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
AREA_FILL = PatternFill("solid", fgColor="DDEBF7")
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_FORMAT = "DD/MM/YYYY"
APPENDIX_WIDTHS = [8, 50, 28, 26, 26, 18, 12, 14, 16, 9, 22, 36, 14, 20, 36]


def _header(ws, row: int, names: list[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=column, value=name)
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEAD_FILL, CENTER, GRID


def _appendix_row(line: TaskLine, zone) -> list:
    latest = line.latest
    return [
        line.code, line.content, line.evidence_required, line.lead, line.coordinating, line.timeline,
        line.due_date, line.budget_vnd if line.budget_vnd is not None else (line.budget_text or None),
        t("status_label", status=line.status), line.percent, t("periodic_standing", line=line),
        line.last_evidence, latest.at.astimezone(zone).date() if latest else None,
        latest.reporter if latest else None, latest.note if latest else None,
    ]


def _summary_sheet(ws, data: ReportData, context: dict) -> None:
    p, c = data.progress, data.progress.counts
    ws["A1"] = t("sheet_appendix_title", label=context["period_label"])
    ws["A1"].font = TITLE
    ws["A2"] = t("sheet_appendix_subtitle", plan=data.plan.name, issuer=context["issuer"], unit=data.unit, as_of=data.as_of_day)
    ws["A4"] = t("periodic_progress_sentence", label=context["period_label"], short=context["period_short"],
                 issuer=context["issuer"], unit=data.unit, p=p)
    ws["A4"].alignment = WRAP
    ws.merge_cells("A4:F4")
    ws.row_dimensions[4].height = 75
    _header(ws, 6, labels("sheet_summary_columns"))
    names = labels("sheet_summary_rows", short=context["period_short"])
    values = [
        (p.total, None), (p.recurring, p.recurring_share / 100 if p.recurring else None),
        (p.in_period, None), (p.in_period_done, p.in_period_share / 100 if p.in_period else None),
        (p.in_period_open, None), (p.in_period_not_started, None), (p.without_deadline, None),
    ]
    for offset, (name, (count, share)) in enumerate(zip(names, values)):
        row = 7 + offset
        ws.cell(row=row, column=1, value=name).border = GRID
        ws.cell(row=row, column=2, value=count).border = GRID
        cell = ws.cell(row=row, column=3, value=share)
        cell.number_format, cell.border = "0.00%", GRID

    row = 7 + len(names) + 1
    ws.cell(row=row, column=1, value=t("sheet_four_way_title", as_of=data.as_of_day)).font = BOLD
    ws.cell(row=row + 1, column=1, value=t("periodic_four_way_sentence", as_of=data.as_of_day, c=c))
    _header(ws, row + 2, labels("sheet_four_way_columns"))
    row += 3
    for area in data.areas:
        counts = [area.counts[k] for k in CATEGORIES]
        for column, value in enumerate([f"{area.code}. {area.title}", *counts, sum(counts)], start=1):
            ws.cell(row=row, column=column, value=value).border = GRID
        row += 1
    totals = [c[k] for k in CATEGORIES]
    for column, value in enumerate([t("sheet_total"), *totals, c.tracked], start=1):
        cell = ws.cell(row=row, column=column, value=value)
        cell.font, cell.border = BOLD, GRID
    share_row = row + 1
    for column, key in enumerate(CATEGORIES, start=2):
        cell = ws.cell(row=share_row, column=column, value=c.share(key) / 100 if c.tracked else None)
        cell.number_format = "0.00%"
    ws.column_dimensions["A"].width = 48
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 16


def _appendix_sheet(ws, data: ReportData, context: dict) -> None:
    columns = labels("sheet_appendix_columns")
    ws.append([t("sheet_appendix_title", label=context["period_label"])])
    ws["A1"].font = TITLE
    ws.append([t("sheet_appendix_subtitle", plan=data.plan.name, issuer=context["issuer"], unit=data.unit, as_of=data.as_of_day)])
    ws.append([])
    _header(ws, 4, columns)
    by_area: dict[str, list[TaskLine]] = {}
    for line in data.tasks:
        by_area.setdefault(line.area, []).append(line)
    zone = data.zone
    for area in data.areas:
        ws.append([area.code, area.name])
        row = ws.max_row
        for column in range(1, len(columns) + 1):
            cell = ws.cell(row=row, column=column)
            cell.font, cell.fill = BOLD, AREA_FILL
        for line in by_area.get(area.code, []):
            ws.append(_appendix_row(line, zone))
            ws.row_dimensions[ws.max_row].outline_level = 1
    last = ws.max_row
    for column, width in enumerate(APPENDIX_WIDTHS, start=1):
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = width
    for cells in ws.iter_rows(min_row=5, max_row=last, min_col=7, max_col=7):
        cells[0].number_format = DATE_FORMAT
    for cells in ws.iter_rows(min_row=5, max_row=last, min_col=13, max_col=13):
        cells[0].number_format = DATE_FORMAT
    for cells in ws.iter_rows(min_row=5, max_row=last, min_col=8, max_col=8):
        cells[0].number_format = "#,##0"
    for cells in ws.iter_rows(min_row=5, max_row=last, min_col=2, max_col=2):
        cells[0].alignment = WRAP
    ws.freeze_panes = "C5"
    ws.auto_filter.ref = f"A4:{get_column_letter(len(columns))}{last}"
    ws.sheet_properties.outlinePr.summaryBelow = False


def _indicator_sheet(ws, data: ReportData) -> None:
    _header(ws, 1, labels("sheet_indicator_columns"))
    for number, line in enumerate(data.indicators, start=1):
        view = IndicatorView(line)
        ws.append([
            number, line.name, line.unit_of_measure, view.target_text,
            float(line.value) if line.value is not None else None, line.on,
            t("periodic_achieved", value=line.achieved),
        ])
        ws.cell(row=ws.max_row, column=6).number_format = DATE_FORMAT
    for letter, width in zip("ABCDEFG", (6, 60, 12, 14, 12, 14, 16)):
        ws.column_dimensions[letter].width = width


def write_xlsx(data: ReportData, path: Path) -> Path:
    context = report_context(data)
    summary_name, appendix_name, indicator_name = labels("sheet_names")
    workbook = Workbook()
    summary = workbook.active
    summary.title = summary_name
    _summary_sheet(summary, data, context)
    _appendix_sheet(workbook.create_sheet(appendix_name), data, context)
    if data.indicators:
        _indicator_sheet(workbook.create_sheet(indicator_name), data)
    workbook.save(path)
    return path
