"""/baocao: an officer reports the status of one of their unit's tasks. Only
those who may set a task's status (storage.org.may_set_status: the lead
unit's officers, the leaders above it, admins) report a status; an officer
of a coordinating unit gets the same form without the status, and what they
send is kept as a contribution, shown to the lead unit's officers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dialogs.forms import Answer, DialogContext, Form, FormData, Invalid, Reply, Restart, Slot
from domain.messages import Option
from domain.progress import OVERDUE, classify
from domain.reports import parse_percent, parse_status, task_code
from domain.sanitize import EVIDENCE_LIMIT, NOTE_LIMIT
from services.alerts import stuck_alerts
from services.texts import render, t
from storage.files import store_file
from storage.models import STATUSES, StatusUpdate
from storage.org import may_set_status, reachable_identity, scope_of
from storage.people import officers_of
from storage.tasks import TaskView, add_update, current_plan, task_views

PAGE_SIZE = 8


async def my_tasks(ctx: DialogContext, open_only: bool = True) -> list[tuple[TaskView, str]]:
    """The person's tasks with their unit's role on each: lead tasks first,
    then coordinated ones, each by due date (no date last)."""
    plan = await current_plan(ctx.session)
    if plan is None:
        return []
    org = await ctx.org()
    scope = scope_of(ctx.member, org)
    mine = []
    for view in await task_views(ctx.session, plan):
        role = org.role_of(view.task.assignments, scope)
        if role and not (open_only and view.status == "done"):
            mine.append((view, role))
    far = ctx.today.replace(year=9999)
    mine.sort(key=lambda item: (item[1] != "lead", item[0].task.due_date or far, item[0].task.position))
    return mine


async def my_task(ctx: DialogContext, code: str) -> TaskView | None:
    """One task of the person's (any status), or None: without loading the
    others, and once in an event (the form's steps ask for it again)."""
    if code not in ctx.task_views:
        plan = await current_plan(ctx.session)
        views = await task_views(ctx.session, plan, codes=[code]) if plan else []
        org = await ctx.org()
        scope = scope_of(ctx.member, org)
        ctx.task_views[code] = next((v for v in views if org.role_of(v.task.assignments, scope)), None)
    return ctx.task_views[code]


async def the_task(ctx: DialogContext, code: str) -> TaskView:
    """The form's task, which was the person's when they chose it."""
    view = await my_task(ctx, code)
    if view is None:
        raise LookupError(f"task {code} is no longer the person's")
    return view


async def sets_status(ctx: DialogContext, view: TaskView) -> bool:
    return may_set_status(ctx.member, await ctx.org(), view.task.assignments)


def lead_only(ctx: DialogContext, view: TaskView, hint: bool = True) -> Reply:
    """Why a coordinating unit's officer does not set this task's status."""
    unit = ctx.member.unit.name if ctx.member.unit else None
    return Reply(t("status_lead_only", unit=unit, code=view.task.code, lead="; ".join(view.lead), hint=hint))


async def start_report(ctx: DialogContext, view: TaskView, data: FormData | None = None,
                       filled: list[str] | None = None) -> list[Reply]:
    """The report form for one of the person's tasks: a contribution where they may not set its status."""
    data = {"task": view.task.code, **(data or {})}
    if not await sets_status(ctx, view):
        data["contribution"] = True
    return await ctx.conversation.start(ctx, ReportForm.name, data, filled or ["task"])


def is_overdue(view: TaskView, today: date) -> bool:
    return classify(view.status, view.task.due_date, None, view.task.recurring, today) == OVERDUE


class TaskSlot(Slot):
    name = "task"

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        tasks = await my_tasks(ctx)
        if not tasks:
            return Reply(t("report_no_tasks"))
        page = data.get("page", 0) % max(1, -(-len(tasks) // PAGE_SIZE))
        shown = tasks[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        options = [
            Option(t("task_option", code=v.task.code, content=v.task.content, overdue=is_overdue(v, ctx.today)),
                   f"t:{v.task.code}")
            for v, _ in shown
        ]
        if len(tasks) > PAGE_SIZE:
            options.append(Option(t("more"), "more"))
        text = render("chat/report_pick_task.j2", tasks=shown, total=len(tasks), page=page, today=ctx.today,
                      overdue=is_overdue)
        return Reply(text, options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> str:
        if answer.option == "more":
            data["page"] = data.get("page", 0) + 1
            raise Invalid()
        code = answer.option[2:] if answer.option and answer.option.startswith("t:") else task_code(answer.text)
        if code is None:
            raise Invalid(t("report_pick_task_hint"))
        view = await my_task(ctx, code)
        if view is None:
            raise Invalid(t("report_task_not_yours", code=code))
        data["contribution"] = not await sets_status(ctx, view)
        if data.get("corrects") and code != data.get("corrects_task"):
            # Went back and chose another task: a new report, not a correction.
            data.pop("corrects")
        return code


STATUS_OPTIONS = [
    ("not_started", "s:not_started"), ("in_progress", "s:in_progress"), ("done", "s:done"), ("stuck", "s:stuck"),
]


class StatusSlot(Slot):
    name = "status"

    def applies(self, data: FormData) -> bool:
        return not data.get("contribution")

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        view = await my_task(ctx, data["task"])
        options = [Option(t("status_label", status=s), d) for s, d in STATUS_OPTIONS]
        return Reply(render("chat/report_ask_status.j2", view=view), options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> str:
        # Typed status words win over a fuzzy option match: "chưa hoàn thành"
        # is close to the label "Hoàn thành" but means the opposite.
        status, _ = parse_status(answer.text)
        if status is not None:
            return status
        if answer.option and answer.option.startswith("s:") and answer.option[2:] in STATUSES:
            return answer.option[2:]
        raise Invalid(t("report_status_hint"))


class PercentSlot(Slot):
    name = "percent"

    def applies(self, data: FormData) -> bool:
        return data.get("status") == "in_progress"

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        return Reply(t("report_ask_percent"))

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> int:
        value = parse_percent(answer.text)
        if value is None:
            raise Invalid(t("percent_hint", value=answer.text))
        return value


class EvidenceSlot(Slot):
    name = "evidence"

    def applies(self, data: FormData) -> bool:
        return bool(data.get("contribution")) or data.get("status") in ("done", "in_progress")

    def required(self, view: TaskView, data: FormData) -> bool:
        return data.get("status") == "done" and bool(view.task.evidence)

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        view = await the_task(ctx, data["task"])
        required = self.required(view, data)
        options = [] if required else [Option(t("skip"), "skip")]
        lead_only_text = lead_only(ctx, view, hint=False).text if data.get("contribution") else None
        text = render("chat/report_ask_evidence.j2", view=view, required=required, lead_only=lead_only_text)
        return Reply(text, options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> dict[str, Any] | None:
        if len(answer.text) > EVIDENCE_LIMIT:  # typed, or a file's caption
            raise Invalid(t("text_too_long", limit=EVIDENCE_LIMIT))
        if answer.file is not None:
            ref = store_file(ctx.settings.files_dir, answer.file.path, answer.file.name)
            return {"text": answer.text or answer.file.name, "file": ref}
        view = await the_task(ctx, data["task"])
        if answer.option == "skip" or not answer.text.strip():
            if self.required(view, data):
                raise Invalid(t("evidence_required", evidence=view.task.evidence))
            return None
        return {"text": answer.text.strip(), "file": None}


class NoteSlot(Slot):
    name = "note"

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        stuck = data.get("status") == "stuck"
        contribution = bool(data.get("contribution"))
        options = [] if stuck else [Option(t("skip"), "skip")]
        return Reply(t("report_ask_note", stuck=stuck, contribution=contribution), options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> str | None:
        stuck = data.get("status") == "stuck"
        if answer.option == "skip" or not answer.text.strip():
            if stuck:
                raise Invalid(t("note_required"))
            if data.get("contribution") and not data.get("evidence"):
                raise Invalid(t("contribution_empty"))
            return None
        if len(answer.text) > NOTE_LIMIT:
            raise Invalid(t("text_too_long", limit=NOTE_LIMIT))
        return answer.text.strip()


class ConfirmSlot(Slot):
    name = "confirm"

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        view = await my_task(ctx, data["task"])
        options = [
            Option(t("confirm_yes"), "c:yes"), Option(t("confirm_edit"), "c:edit"),
            Option(t("confirm_cancel"), "c:cancel"),
        ]
        text = render("chat/report_summary.j2", view=view, d=data, confirmed=False, unit=ctx.member.unit)
        return Reply(text, options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> bool:
        if answer.option == "c:yes":
            return True
        if answer.option == "c:edit":
            raise Restart(keep=("task", "corrects", "contribution"))
        if answer.option == "c:cancel":
            return False
        raise Invalid(t("confirm_hint"))


class ReportForm(Form):
    name = "report"
    slots = [TaskSlot(), StatusSlot(), PercentSlot(), EvidenceSlot(), NoteSlot(), ConfirmSlot()]

    async def submit(self, ctx: DialogContext, data: FormData) -> list[Reply]:
        if not data.get("confirm"):
            return [Reply(t("cancelled"))]
        return await save_report(ctx, data)


async def save_report(ctx: DialogContext, data: FormData) -> list[Reply]:
    view = await the_task(ctx, data["task"])
    contribution = bool(data.get("contribution"))
    if not contribution and not await sets_status(ctx, view):
        return [lead_only(ctx, view)]
    evidence = data.get("evidence") or {}
    corrects = await ctx.session.get(StatusUpdate, data["corrects"]) if data.get("corrects") else None
    if corrects is not None and corrects.reported_at + correction_window(ctx) < ctx.now:
        return [Reply(t("correction_expired", hours=ctx.settings.correction_window_hours))]
    if contribution:  # the status stays the lead unit's: the entry repeats it
        status, percent = view.status, view.latest.percent if view.latest else None
    else:
        status, percent = data["status"], data.get("percent")
    update = await add_update(
        ctx.session, view.task, status=status, at=ctx.now, source=ctx.event.platform,
        reporter=ctx.member, percent=percent, evidence=evidence.get("text"),
        file_ref=evidence.get("file"), note=data.get("note"), corrects=corrects,
        kind="contribution" if contribution else "status",
    )
    if contribution:
        await notify_lead_unit(ctx, view, update)
    elif update.status == "stuck":
        await notify_leaders_of_stuck(ctx, view, update)
    return [Reply(render("chat/report_summary.j2", view=view, d=data, confirmed=True, update=update, corrects=corrects,
                         unit=ctx.member.unit))]


async def notify_lead_unit(ctx: DialogContext, view: TaskView, update: StatusUpdate) -> None:
    """The lead unit's officers see a coordinating unit's contribution at once."""
    org = await ctx.org()
    text = render("chat/contribution_alert.j2", view=view, update=update, reporter=ctx.person)
    for officer in await officers_of(ctx.session, org.lead_units(view.task.assignments)):
        identity = reachable_identity(officer, ctx.event.platform)
        if identity is not None and officer.id != ctx.member.id:
            ctx.send(identity.platform, identity.external_id, Reply(text))


async def notify_leaders_of_stuck(ctx, view: TaskView, update: StatusUpdate) -> None:
    """The leaders that own the task hear of it at once (services.alerts)."""
    for message in await stuck_alerts(ctx.session, await ctx.org(), view, update, ctx.person, ctx.event.platform):
        ctx.send(message.platform, message.chat_id, Reply(message.text))


def correction_window(ctx: DialogContext) -> timedelta:
    return timedelta(hours=ctx.settings.correction_window_hours)
