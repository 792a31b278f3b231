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

from dataclasses import dataclass
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from domain import text
from domain.periods import DECREE09
from domain.periods import Period
from domain.report_periods import period_code
from domain.report_text import format_measure, long_date, sentence_case, slug
from services.texts import TEMPLATES, render, t
from storage.report_data import IndicatorLine, ReportData, gather

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
    plan_name = sentence_case(data.plan.name)
    plan_ref = f"Kế hoạch số {data.plan.number}" if data.plan.number else f"Kế hoạch «{plan_name}»"
    return {
        "issuer": issuer,
        "issuer_upper": issuer.upper(),
        "unit": data.unit,
        "plan_ref": plan_ref,
        "plan_name": plan_name,
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
    if fmt == "docx":
        return write_docx(data, path)
    if fmt == "xlsx":
        from services.report_xlsx import write_xlsx

        return write_xlsx(data, path)
    if fmt == "md":
        markdown = write_md(data)
        if path is None:
            return markdown
        path.write_text(markdown + "\n", encoding="utf-8")
        return path
    raise ValueError(t("periodic_format_unknown", value=fmt))
