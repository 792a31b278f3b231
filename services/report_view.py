"""What the report writers (DOCX, XLSX, Markdown) share: the report's data
as names a template or a sheet reads, and labels from the message catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from domain.periods import DECREE09
from domain.report_text import format_measure, sentence_case
from services.texts import t
from storage.report_data import IndicatorLine, ReportData


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
