"""Writing the periodic report: DOCX from the Word template (docxtpl), the
XLSX appendix (XlsxWriter), Markdown for a quick look. The data come from
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

from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from domain import text
from domain.periods import Period
from domain.report_periods import period_code
from domain.report_text import long_date, slug
from services.report_view import report_context
from services.report_xlsx import write_xlsx
from services.texts import TEMPLATES, render, t
from storage.report_data import ReportData, gather

DOCX_TEMPLATE = TEMPLATES / "reports" / "bao_cao_dinh_ky.docx"
FORMATS = ("docx", "xlsx", "md")


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
    return render("reports/report.md.j2", **report_context(data),
                  standing=lambda line: t("periodic_standing", line=line))


# --- one entry point for the CLI and the chat ----------------------------------

def default_name(period: Period, unit, extension: str) -> str:
    """'bao-cao-cchc-2026-Q1.docx', 'bao-cao-cchc-2026-Q1-phong-hanh-chinh-quan-tri.xlsx'."""
    code = period_code(period).replace("..", "_")
    return f"bao-cao-cchc-{code}{'-' + slug(unit.name) if unit else ''}.{extension}"


async def write_report(session, plan, period: Period, fmt: str, path: Path | None, *, zone, now, mode, unit=None):
    """Gathers the data once and writes one format: the path written, or the Markdown text when path is None."""
    data = await gather(session, plan, period, zone=zone, now=now, mode=mode, unit=unit)
    return write_data(data, fmt, path)


def write_data(data: ReportData, fmt: str, path: Path | None):
    if fmt in ("docx", "xlsx"):
        if path is None:
            raise ValueError(f"a {fmt} report needs a path to write to")
        return write_docx(data, path) if fmt == "docx" else write_xlsx(data, path)
    if fmt == "md":
        markdown = write_md(data)
        if path is None:
            return markdown
        path.write_text(markdown + "\n", encoding="utf-8")
        return path
    raise ValueError(t("periodic_format_unknown", value=fmt))
