"""Answers to leaders' questions (domain.questions.Query), one page at a
time, and the short conversation around them: which unit was meant when a
name fits several, and the next page ("Xem thêm"). The conversation state is
kept only while there is a choice or a next page to offer; whatever else the
person types then is handled as if no conversation were open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dialogs.forms import Answer, DialogContext, Form, FormData, Invalid, Reply, Slot
from domain.messages import Option
from domain.periods import Period, make_period, period_containing
from domain.questions import HELP, NOT_REPORTED, PROGRESS, SEARCH, TASK, Query
from services.texts import render, t
from storage.models import Area, Plan
from storage.org import Organisation
from storage.questions import (
    Selection,
    add_leads,
    leads_of,
    progress,
    task_detail,
    task_page,
    units_not_reported,
)
from storage.tasks import current_plan

PAGE_SIZE = 8  # tasks on a page: about 1,400 characters, under Zalo's 2,000
UNITS_PAGE_SIZE = 15
HISTORY_SHOWN = 5


async def answer(ctx: DialogContext, plan: Plan, query: Query) -> list[Reply]:
    """The first page of the answer, or the question which unit was meant."""
    if query.intent == HELP:
        return [Reply(render("questions/help.j2"))]
    if query.intent == TASK:
        return [await _task(ctx, plan, query.code)]
    org = await ctx.org()
    scope = await ctx.scope()
    units = [u for u in query.units if scope is None or u in scope]
    if query.units and not units:
        names = [org.units[u].name for u in query.units]
        return [Reply(t("q_unit_out_of_scope", name=names[0] if len(names) == 1 else query.unit))]
    if len(units) > 1:
        data = {"q": query.to_data(), "phrase": query.unit, "candidates": units}
        return await ctx.conversation.start(ctx, QuestionForm.name, data)
    return await _first_page(ctx, plan, query, units[0] if units else None)


async def _first_page(ctx: DialogContext, plan: Plan, query: Query, unit: int | None,
                      asked: FormData | None = None, filled: list[str] | None = None) -> list[Reply]:
    """The first page; with a next page, the conversation that offers it
    (keeping what was `asked` before: the choice of unit)."""
    reply, pages = await _page(ctx, plan, query, unit, 0)
    if pages < 2:
        return [reply]
    data = {**(asked or {}), "q": query.to_data(), "unit": unit, "page": 0, "pages": pages}
    return await ctx.conversation.offer(ctx, QuestionForm.name, data, _with_more(reply), filled)


async def _current_plan(ctx: DialogContext) -> Plan:
    """The plan a conversation about it still has."""
    plan = await current_plan(ctx.session)
    if plan is None:
        raise LookupError("no current plan")
    return plan


async def _page(ctx: DialogContext, plan: Plan, query: Query, unit: int | None, page: int) -> tuple[Reply, int]:
    org = await ctx.org()
    scope = await ctx.scope()
    units = scope if unit is None else (org.subtree(unit) if scope is None else _subtree(org, unit) & scope)
    area = None
    if query.area:
        area = await ctx.session.scalar(select(Area).where(Area.plan_id == plan.id, Area.code == query.area))
    # Whose tasks: the unit asked about, else the group's or the asker's own when only part of the plan is shown.
    own = await ctx.home_unit()
    shown = unit or own
    names = dict(unit=org.units[shown].name if shown else None, area=area, today=ctx.today)
    if query.intent == PROGRESS:
        window = query.window
        start, end = (window.start, window.end) if window else (None, None)
        sel = Selection(plan.id, leads_of(org, units), query.area, start=start, end=end)
        found = await progress(ctx.session, sel, ctx.today, ctx.zone)
        return Reply(render("questions/progress.j2", p=found, window=window, **names)), 1
    if query.intent == NOT_REPORTED:
        return await _not_reported(ctx, plan, query, org, unit, units, page)
    return await _tasks(ctx, plan, query, org, units, page, names)


def _subtree(org: Organisation, unit: int) -> set[int]:
    return org.subtree(unit) or set()


async def _tasks(ctx: DialogContext, plan: Plan, query: Query, org: Organisation, units: set[int] | None, page: int,
                 names: dict[str, Any]) -> tuple[Reply, int]:
    window = query.window
    sel = Selection(
        plan.id, leads_of(org, units), query.area, query.statuses, query.category,
        window.start if window else None, window.end if window else None,
        roles=("lead", "coordinating") if query.intent == SEARCH and names["unit"] is None else ("lead",),
        done_in=query.done_in,
    )
    found = await task_page(ctx.session, sel, ctx.today, ctx.zone, page, PAGE_SIZE, query.keywords)
    if query.intent == SEARCH and found.total == 1:
        return await _task(ctx, plan, found.rows[0].code), 1
    pages = max(1, -(-found.total // PAGE_SIZE))
    await add_leads(ctx.session, found.rows)
    by_status = {s: n for s, n in found.by_status.items() if n} if query.count else {}
    text = render(
        "questions/tasks.j2", query=query, rows=found.rows, total=found.total, page=min(page, pages - 1),
        pages=pages, by_status=by_status, **names,
    )
    return Reply(text), pages


async def _not_reported(ctx: DialogContext, plan: Plan, query: Query, org: Organisation, unit: int | None,
                        units: set[int] | None, page: int) -> tuple[Reply, int]:
    mode = ctx.settings.period_mode
    window = query.window
    if window is None:
        period = period_containing(ctx.today, "quarter", mode)
    elif window.kind in ("quarter", "half"):
        period = make_period(window.kind, window.year, window.number, mode)
    else:
        period = Period(window.start or make_period("year", plan.year).start, window.end, "range", window.end.year)
    silent, expected = await units_not_reported(ctx.session, plan.id, units, period.start, period.end, ctx.zone)
    silent.sort(key=lambda s: org.units[s.unit_id].name)
    pages = max(1, -(-len(silent) // UNITS_PAGE_SIZE))
    page = min(page, pages - 1)
    single = unit is not None and org.subtree(unit) == {unit}
    text = render(
        "questions/not_reported.j2", period=period, total=len(silent), expected=expected, page=page, pages=pages,
        silent=silent[page * UNITS_PAGE_SIZE : (page + 1) * UNITS_PAGE_SIZE],
        names={u: org.units[u].name for u in org.units},
        unit=org.units[unit].name if single and unit is not None else None,
        scope_unit=org.units[unit].name if unit and not single else None,
    )
    return Reply(text), pages


async def _task(ctx: DialogContext, plan: Plan, code: str | None) -> Reply:
    detail = await task_detail(ctx.session, plan, code or "", ctx.today, ctx.zone)
    if detail is None:
        return Reply(t("task_unknown", code=code))
    org = await ctx.org()
    if org.role_of(detail.assignments, await ctx.scope()) is None:
        return Reply(t("task_out_of_scope", code=code))
    return Reply(render("questions/task.j2", d=detail, limit=HISTORY_SHOWN))


# --- the conversation ------------------------------------------------------------------------


class UnitSlot(Slot):
    """Which of the units a name fits the question is about; its first page is the form's answer."""

    name = "unit"

    def applies(self, data: FormData) -> bool:
        return "candidates" in data

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        org = await ctx.org()
        options = [Option(org.units[u].name, f"u:{u}") for u in data["candidates"]]
        return Reply(t("q_pick_unit", phrase=data["phrase"], count=len(options)), options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> int | None:
        chosen = answer.option[2:] if answer.option and answer.option.startswith("u:") else ""
        if not chosen.isdigit() or int(chosen) not in data["candidates"]:
            data["passthrough"] = answer.text
            return None
        return int(chosen)


class MoreSlot(Slot):
    """The next page, while there is one."""

    name = "more"

    def applies(self, data: FormData) -> bool:
        return "passthrough" not in data and data.get("page", 0) + 1 < data.get("pages", 1)

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        return _with_more(await _current(ctx, data))

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> bool | None:
        if answer.option != "more":
            data["passthrough"] = answer.text
            return None
        data["page"] += 1
        if data["page"] + 1 < data["pages"]:
            raise Invalid()  # asked again: the next page
        return True


def _with_more(reply: Reply) -> Reply:
    reply.options = [Option(t("more"), "more")]
    return reply


async def _current(ctx: DialogContext, data: FormData) -> Reply:
    query = Query.from_data(data["q"])
    reply, data["pages"] = await _page(ctx, await _current_plan(ctx), query, data.get("unit"), data["page"])
    return reply


class QuestionForm(Form):
    name = "question"
    slots = [UnitSlot(), MoreSlot()]
    quiet_expiry = True

    async def submit(self, ctx: DialogContext, data: FormData) -> list[Reply]:
        if "passthrough" in data:  # text typed while a choice or a next page was offered is a new message
            return await ctx.answer_text(data["passthrough"])
        if "page" not in data:  # the unit has just been chosen
            query = Query.from_data(data["q"])
            return await _first_page(ctx, await _current_plan(ctx), query, data["unit"], data, ["unit"])
        return [await _current(ctx, data)]
