"""/baocaoky: a leader or an admin picks a period and gets the periodic
report (Word) and its appendix (Excel) as files."""

from __future__ import annotations

from pathlib import Path

from dialogs.forms import Answer, DialogContext, Form, FormData, Invalid, Reply, Slot
from domain.messages import PLATFORMS, Option
from domain.periods import Period, PeriodError, parse_period
from domain.report_periods import choices, parse_period_text, period_code
from services.report_xlsx import write_xlsx
from services.reports import default_name, write_docx
from services.texts import t
from storage.models import Unit
from storage.report_data import gather
from storage.tasks import current_plan

OPTION_PREFIX = "p:"  # + '2026-Q1' or '2026-03-15..2026-06-14': well under Telegram's 64 bytes


def _mode(ctx: DialogContext) -> str:
    return ctx.settings.period_mode


class PeriodSlot(Slot):
    name = "period"

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        options = []
        for period in choices(ctx.today, _mode(ctx)):
            label = t("periodic_short_label", p=period)
            options.append(Option(t("periodic_option", label=label, running=period.end >= ctx.today),
                                  OPTION_PREFIX + period_code(period)))
        return Reply(t("periodic_ask_period"), options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> str:
        # A typed period wins over the option it may look like ("quý 3/2026"
        # is close to the label "Quý I/2026"); a number picks an option.
        typed = answer.text.strip()
        try:
            period = None if typed.isdigit() and len(typed) < 4 else parse_period_text(typed, _mode(ctx))
        except PeriodError:
            period = None
        try:
            if period is None and answer.option and answer.option.startswith(OPTION_PREFIX):
                period = parse_period(answer.option[len(OPTION_PREFIX):], _mode(ctx))
        except PeriodError:
            pass
        if period is None:
            raise Invalid(t("periodic_period_hint", value=answer.text))
        if period.start > ctx.today:
            raise Invalid(t("periodic_period_not_started", label=t("period_label", p=period), start=period.start))
        return period_code(period)


class PeriodReportForm(Form):
    name = "period_report"
    slots = [PeriodSlot()]

    async def submit(self, ctx: DialogContext, data: FormData) -> list[Reply]:
        return await send_report(ctx, parse_period(data["period"], _mode(ctx)))


async def send_report(ctx: DialogContext, period: Period) -> list[Reply]:
    """Writes the report and its appendix for the person's scope: a leader of
    a unit gets the tasks their unit (and those below) leads, an
    organisation-wide leader or an admin the whole plan."""
    plan = await current_plan(ctx.session, period.year) or await current_plan(ctx.session)
    if plan is None:
        return [Reply(t("periodic_no_plan"))]
    unit = None
    person = ctx.member
    if person.role == "leader" and person.unit_id is not None:
        unit = await ctx.session.get(Unit, person.unit_id)
    data = await gather(ctx.session, plan, period, zone=ctx.zone, now=ctx.now, mode=_mode(ctx), unit=unit)
    counts = data.progress.counts
    can_send = PLATFORMS.get(ctx.event.platform) is None or PLATFORMS[ctx.event.platform].files
    text = t(
        "periodic_ready", label=t("period_label", p=period), as_of=data.as_of_day, done=counts.done,
        tracked=counts.tracked, share=counts.share("done"), overdue=counts["overdue"],
        stuck=sum(1 for b in data.blockers if not b.resolved), files=can_send,
    )
    if not can_send:
        return [Reply(f"{text}\n{t('periodic_no_files')}")]
    directory = Path(ctx.settings.files_dir) / "reports"
    directory.mkdir(parents=True, exist_ok=True)
    docx = write_docx(data, directory / default_name(period, unit, "docx"))
    xlsx = write_xlsx(data, directory / default_name(period, unit, "xlsx"))
    return [Reply(text, files=[str(docx), str(xlsx)])]
