"""Commands and free-text reports of the conversation core."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dialogs.forms import FormData, Reply
from dialogs.invite import InviteForm
from dialogs.report import (
    ReportForm,
    correction_window,
    is_overdue,
    lead_only,
    my_task,
    my_tasks,
    save_report,
    sets_status,
    start_report,
)
from domain.questions import looks_like_question
from domain.reports import parse_quick_report, task_code
from domain.sanitize import EVIDENCE_LIMIT, NOTE_LIMIT
from handlers.router import LINKS, PRIVATE, Router
from services.texts import render, say, t
from storage.conversations import link_group, record_wrong_invite_code, redeem_invite, wrong_invite_codes
from storage.models import StatusUpdate, Task
from storage.org import scope_of
from storage.tasks import current_plan, find_task, history
from storage.units import UnitError, find_unit

router = Router()
router.form(ReportForm())

# Wrong invite codes allowed in a chat within the window; more are not even checked.
INVITE_TRIES = 5
INVITE_TRY_WINDOW = timedelta(minutes=15)
router.form(InviteForm())


@router.command("start", roles=("guest",), in_help=False)
async def start(ctx, args):
    if ctx.person is not None:
        return [Reply(render("chat/help.j2", person=ctx.person, commands=visible_commands(ctx), welcome=True))]
    if ctx.event.in_group:
        return []
    if not args:
        return [Reply(t("not_registered"))]
    event = ctx.event
    tried = await wrong_invite_codes(ctx.session, event.platform, event.chat_id, ctx.now - INVITE_TRY_WINDOW)
    if tried >= INVITE_TRIES:
        return [Reply(t("invite_too_many_tries", minutes=INVITE_TRY_WINDOW // timedelta(minutes=1)))]
    name = event.display_name or event.user_id
    person = await redeem_invite(
        ctx.session, args.split()[0], platform=event.platform, user_id=event.user_id, name=name, now=ctx.now
    )
    if person is None:
        await record_wrong_invite_code(ctx.session, event.platform, event.chat_id, ctx.now, INVITE_TRY_WINDOW)
        return [Reply(t("invite_invalid"))]
    await ctx.session.refresh(person, ["unit"])
    ctx.person = person
    return [Reply(render("chat/help.j2", person=person, commands=visible_commands(ctx), welcome=True))]


def visible_commands(ctx):
    role = ctx.person.role
    return [c.name for c in ctx.router.commands.values() if c.in_help and (role in c.roles or "guest" in c.roles)]


@router.command("help", "trogiup", roles=("guest", "officer", "leader", "admin"))
async def help_(ctx, args):
    if ctx.person is None:
        return [Reply(t("not_registered"))]
    return [Reply(render("chat/help.j2", person=ctx.person, commands=visible_commands(ctx), welcome=False))]


@router.command("huy")
async def cancel(ctx, args):
    return [Reply(t("cancelled") if ctx.conversation.interrupted else t("nothing_to_cancel"))]


@router.command("baocao", in_group=PRIVATE)
async def report(ctx, args):
    code = task_code(args) if args else None
    if args and code is None:
        return [Reply(t("report_pick_task_hint"))]
    if code is not None:
        view = await my_task(ctx, code)
        if view is None:
            return [Reply(t("report_task_not_yours", code=code))]
        return await start_report(ctx, view)
    return await ctx.conversation.start(ctx, ReportForm.name)


@router.option("r:")
async def report_from_option(ctx, code):
    return await report(ctx, code)


@router.command("nhiemvu", in_group=PRIVATE)
async def my_task_list(ctx, args):
    tasks = await my_tasks(ctx, open_only=False)
    return [Reply(render("chat/my_tasks.j2", person=ctx.person, tasks=tasks, today=ctx.today, overdue=is_overdue))]


@router.command("lichsu", in_group=PRIVATE)
async def task_history(ctx, args):
    code = task_code(args)
    if code is None:
        return [Reply(t("history_usage"))]
    plan = await current_plan(ctx.session)
    task = await find_task(ctx.session, plan, code) if plan else None
    if task is None:
        return [Reply(t("task_unknown", code=code))]
    org = await ctx.org()
    await ctx.session.refresh(task, ["assignments"])
    if org.role_of(task.assignments, scope_of(ctx.person, org)) is None:
        return [Reply(t("task_out_of_scope", code=code))]
    return [Reply(render("chat/history.j2", task=task, updates=await history(ctx.session, task)))]


@router.command("sua", in_group=PRIVATE)
async def correct_last(ctx, args):
    last = await ctx.session.scalar(
        select(StatusUpdate).where(StatusUpdate.reporter_id == ctx.person.id)
        .order_by(StatusUpdate.reported_at.desc(), StatusUpdate.id.desc()).limit(1)
    )
    if last is None or last.reported_at + correction_window(ctx) < ctx.now:
        return [Reply(t("correction_none", hours=ctx.settings.correction_window_hours))]
    code = await ctx.session.scalar(select(Task.code).where(Task.id == last.task_id))
    view = await my_task(ctx, code)
    if view is None:
        return [Reply(t("correction_none", hours=ctx.settings.correction_window_hours))]
    if not last.is_contribution and not await sets_status(ctx, view):
        return [lead_only(ctx, view)]  # a status they may no longer set: no correction either
    return await start_report(ctx, view, {"corrects": last.id, "corrects_task": code})


@router.command("ketnoi", roles=("admin",), in_group=LINKS)
async def link_this_group(ctx, args):
    if not ctx.event.in_group:
        return [Reply(t("link_only_in_group"))]
    unit = None
    if args:
        try:
            unit = await find_unit(ctx.session, args)
        except UnitError as error:
            return [Reply(say(error.notice))]
    await link_group(ctx.session, ctx.event.platform, ctx.event.chat_id, unit.id if unit else None, ctx.person, ctx.now)
    return [Reply(t("group_linked", scope=unit.name if unit else None))]


@router.command("moi", roles=("admin",), in_group=PRIVATE)
async def invite(ctx, args):
    return await ctx.conversation.start(ctx, InviteForm.name)


@router.text
async def quick_report(ctx, text):
    if looks_like_question(text):  # "III.2 hoàn thành chưa?" asks, it does not report
        return None
    quick = parse_quick_report(text)
    if quick is None:
        return None
    if ctx.event.in_group:  # a report is personal: sent in private
        return [Reply(t("group_private_only"))]
    if quick.evidence and len(quick.evidence) > EVIDENCE_LIMIT:  # the guided form's caps
        return [Reply(t("quick_report_too_long", field="evidence", length=len(quick.evidence), limit=EVIDENCE_LIMIT))]
    if quick.note and len(quick.note) > NOTE_LIMIT:
        field = "stuck" if quick.status == "stuck" else "note"
        return [Reply(t("quick_report_too_long", field=field, length=len(quick.note), limit=NOTE_LIMIT))]
    view = await my_task(ctx, quick.code)
    if view is None:
        return [Reply(t("report_task_not_yours", code=quick.code))]
    if not await sets_status(ctx, view):
        return [lead_only(ctx, view)]
    data: FormData = {"task": quick.code, "status": quick.status}
    filled = ["task", "status"]
    if quick.status == "in_progress":
        if quick.percent is None:
            return await ctx.conversation.start(ctx, ReportForm.name, data, filled)
        data["percent"] = quick.percent
        filled.append("percent")
    if quick.evidence:
        data["evidence"] = {"text": quick.evidence, "file": None}
    elif quick.status == "done" and view.task.evidence:
        return await ctx.conversation.start(ctx, ReportForm.name, data, filled)
    if quick.status == "stuck" and not quick.note:
        return await ctx.conversation.start(ctx, ReportForm.name, data, filled)
    data["note"] = quick.note
    return await save_report(ctx, data)
