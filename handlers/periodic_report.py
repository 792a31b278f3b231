"""/baocaoky: the periodic report in chat; and a filled Excel status form,
sent by an admin outside any conversation, read back as status updates."""

from __future__ import annotations

from dialogs.forms import Reply
from dialogs.period_report import PeriodReportForm, send_report
from domain.periods import PeriodError
from domain.report_periods import parse_period_text
from handlers.router import PRIVATE, Router
from services.alerts import stuck_alerts
from services.status_form import StatusFormError, import_status_file
from services.texts import t
from storage.tasks import current_plan

router = Router()
router.form(PeriodReportForm())

MAX_ERRORS_SHOWN = 40


@router.command("baocaoky", roles=("leader", "admin"), in_group=PRIVATE)
async def periodic_report(ctx, args):
    """`/baocaoky` asks the period; `/baocaoky quý I/2026` goes straight to the files."""
    if args:
        try:
            period = parse_period_text(args, ctx.settings.period_mode)
        except PeriodError:
            return [Reply(t("periodic_period_hint", value=args))]
        if period.start > ctx.today:
            return [Reply(t("periodic_period_not_started", label=t("period_label", p=period), start=period.start))]
        return await send_report(ctx, period)
    return await ctx.conversation.start(ctx, PeriodReportForm.name)


def _is_status_form(ctx) -> bool:
    file = ctx.event.file
    return file is not None and file.name.lower().endswith(".xlsx")


@router.file
async def status_form_file(ctx, text):
    """An .xlsx file outside any conversation: an admin's filled status form."""
    if not _is_status_form(ctx):
        return None
    if ctx.person.role != "admin":
        return [Reply(t("sheet_only_admin"))]
    plan = await current_plan(ctx.session)
    if plan is None:
        return [Reply(t("no_plan"))]
    try:
        outcome = await import_status_file(
            ctx.session, plan, ctx.event.file.path, now=ctx.now, zone=ctx.zone, reporter=ctx.person,
            timeout=ctx.settings.file_parse_seconds,
        )
    except StatusFormError as error:
        return [Reply(str(error))]
    if outcome.errors:
        shown = outcome.errors[:MAX_ERRORS_SHOWN]
        more = len(outcome.errors) - len(shown)
        lines = [t("sheet_rejected", count=len(outcome.errors)), *shown] + ([f"… (+{more})"] if more else [])
        return [Reply("\n".join(lines))]
    if not outcome.saved:
        return [Reply(t("sheet_nothing_to_import"))]
    await _alert_leaders(ctx, [(view, update) for view, update in outcome.saved if update.status == "stuck"])
    return [Reply(t("sheet_imported", count=len(outcome.saved), codes=[view.task.code for view, _ in outcome.saved]))]


async def _alert_leaders(ctx, stuck) -> None:
    """A stuck task reaches the leaders that own it at once, as a stuck report in chat does (services.alerts)."""
    if not stuck:
        return
    org = await ctx.org()
    for view, update in stuck:
        for message in await stuck_alerts(ctx.session, org, view, update, ctx.person, ctx.event.platform):
            ctx.send(message.platform, message.chat_id, Reply(message.text))
