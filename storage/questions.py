"""The rows leaders' questions are answered from, in few queries that stay
fast at 10,000 tasks and 200,000 status updates (bench/bench_questions.py):
counts, the page shown and the four-way progress are worked out by the
database, not by loading every task.

A task's current status is its newest status report, found for each selected
task through the (task_id, reported_at, id) index rather than by ranking every
update (storage.status.newest_report), so a question costs what its tasks
cost, not what the whole history costs. Whether a done task was done late is
decided in SQL too (storage.status.done_late)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Row, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from domain.progress import DONE_LATE, DONE_ON_TIME, OPEN_ON_TIME, OVERDUE, RECURRING, Counts, classify
from domain.questions import find_words, like_patterns
from storage.models import Area, Assignment, Person, Plan, StatusUpdate, Task, Unit, UnitGroup
from storage.org import Organisation
from storage.status import (
    SETS_STATUS,
    category_column,
    dialect_of,
    done_late,
    first_done,
    newest_report,
    status_column,
    status_of,
)

STATUS_ORDER = ("done", "in_progress", "stuck", "not_started")


@dataclass(frozen=True)
class Leads:
    """Tasks led by these units, or by groups that hold one of them."""

    units: frozenset[int]
    groups: frozenset[int]


def leads_of(org: Organisation, unit_ids: set[int] | None) -> Leads | None:
    if unit_ids is None:
        return None
    groups = set(org.all_unit_groups) | {g for g, members in org.members.items() if members & unit_ids}
    return Leads(frozenset(unit_ids), frozenset(groups))


@dataclass(frozen=True)
class Selection:
    plan_id: int
    leads: Leads | None = None  # None: every task of the plan
    area: str | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None
    start: date | None = None  # due dates, inclusive
    end: date | None = None
    roles: tuple[str, ...] = ("lead",)  # how the units work on the tasks
    done_in: bool = False  # start and end are the days tasks were done, not due


@dataclass
class ListedTask:
    id: int
    code: str
    due_date: date | None
    recurring: bool
    conditional: bool
    status: str
    percent: int | None
    category: str | None  # None for a done task with a deadline until settled
    content: str = ""
    timeline: str | None = None
    area: str = ""
    lead: list[str] = field(default_factory=list)


@dataclass
class Page:
    total: int
    rows: list[ListedTask]
    by_status: dict[str, int]  # how many of all the tasks, by status


def _selected(sel: Selection, today: date, dialect: str) -> tuple[Select[Any], FromClause]:
    """The selection's tasks with their current status and what a list shows
    of them; and their newest reports."""
    newest, joined = newest_report(dialect)
    status = status_column(newest)
    columns = [
        Task.id, Task.code, Task.position, Task.due_date, Task.recurring, Task.conditional, Task.content,
        Task.timeline, Area.code.label("area"), status.label("status"), newest.c.percent,
    ]
    query = select(*columns).join(Area, Area.id == Task.area_id).outerjoin(newest, joined)
    query = query.where(Task.plan_id == sel.plan_id, Task.active.is_(True))
    if sel.area:
        query = query.where(Area.code == sel.area)
    if sel.leads is not None:
        assigned = select(Assignment.task_id).where(
            Assignment.role.in_(sel.roles),
            or_(Assignment.unit_id.in_(sel.leads.units), Assignment.group_id.in_(sel.leads.groups)),
        )
        query = query.where(Task.id.in_(assigned))
    if sel.start is not None and not sel.done_in:
        query = query.where(Task.due_date >= sel.start)
    if sel.end is not None and not sel.done_in:
        query = query.where(Task.due_date <= sel.end)
    if sel.statuses:
        query = query.where(status.in_(sel.statuses))
    if sel.category == RECURRING:
        query = query.where(Task.recurring.is_(True))
    elif sel.category is not None:
        query = query.where(Task.recurring.is_(False))
    if sel.category == OVERDUE:
        query = query.where(Task.due_date < today, status != "done")
    elif sel.category == OPEN_ON_TIME:
        query = query.where(or_(Task.due_date.is_(None), Task.due_date >= today), status != "done")
    return query, newest


async def task_page(
    session: AsyncSession, sel: Selection, today: date, zone: tzinfo, page: int, size: int,
    keywords: tuple[str, ...] = (),
) -> Page:
    """One page of the selected tasks, by due date (none last) then plan
    order, with how many there are in all and how many in each status."""
    query, newest = _selected(sel, today, dialect_of(session))
    status = status_column(newest)
    if keywords:
        query = query.where(Task.id.in_(await _with_words(session, sel.plan_id, keywords)))
    if sel.category in (DONE_ON_TIME, DONE_LATE):
        late = done_late(newest, zone)
        query = query.where(status == "done", late if sel.category == DONE_LATE else ~late)
    if sel.done_in:
        query = query.where(status == "done", *_done_between(newest, sel, zone))
    counted = [func.count().over().label("total")] + [
        func.sum(case((status == s, 1), else_=0)).over().label(s) for s in STATUS_ORDER
    ]
    ordered = query.add_columns(*counted).order_by(Task.due_date.is_(None), Task.due_date, Task.position)
    found = (await session.execute(ordered.limit(size).offset(page * size))).all()
    if not found and page > 0:  # a page that no longer exists: the last one
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        if total:
            return await task_page(session, sel, today, zone, (total - 1) // size, size, keywords)
    rows = [_row(r, sel.category) for r in found]
    await settle(session, rows, today, zone)
    by_status = {s: int(getattr(found[0], s)) for s in STATUS_ORDER} if found else {}
    return Page(found[0].total if found else 0, rows, by_status)


def _done_between(newest: FromClause, sel: Selection, zone: tzinfo) -> list[ColumnElement[bool]]:
    """Done from the start of `sel.start` to the end of `sel.end`, local days;
    a task whose newest report is before the start was done before it."""
    conditions = []
    if sel.start is not None:
        start_at = datetime.combine(sel.start, time(0), zone)
        conditions += [newest.c.reported_at >= start_at, first_done(newest.c.task_id) >= start_at]
    if sel.end is not None:
        end_at = datetime.combine(sel.end + timedelta(days=1), time(0), zone)
        conditions.append(first_done(newest.c.task_id) < end_at)
    return conditions


async def _with_words(session: AsyncSession, plan_id: int, keywords: tuple[str, ...]) -> list[int]:
    """Tasks whose content holds the keywords, without diacritics
    (domain.questions.find_words): the database narrows the tasks down by
    patterns every match fits, then the words are checked. A typo needs
    every task's words."""
    contents = select(Task.id, Task.content).where(Task.plan_id == plan_id, Task.active.is_(True))
    # SQLite's LIKE ignores the case of ASCII letters, all a pattern holds; ILIKE elsewhere.
    like = Task.content.like if dialect_of(session) == "sqlite" else Task.content.ilike
    narrowed = contents.where(*(like(pattern) for pattern in like_patterns(keywords)))
    found = find_words(keywords, dict((await session.execute(narrowed)).all()))
    return found or find_words(keywords, dict((await session.execute(contents)).all()))


def _row(r: Row[Any], category: str | None) -> ListedTask:
    """A row whose category is known from the filter, or settled later."""
    return ListedTask(r.id, r.code, r.due_date, r.recurring, r.conditional, r.status, r.percent,
                   category if category in (DONE_ON_TIME, DONE_LATE) else None, r.content, r.timeline, r.area)


async def settle(session: AsyncSession, rows: list[ListedTask], today: date, zone: tzinfo) -> None:
    """The category of each row as of today; a done task with a deadline needs
    the day it became done."""
    pending = [r.id for r in rows if r.category is None and r.status == "done" and r.due_date and not r.recurring]
    done_at = {}
    if pending:
        done_at = dict((await session.execute(select(Task.id, first_done(Task.id)).where(Task.id.in_(pending)))).all())
    for row in rows:
        if row.category is None:
            at = done_at.get(row.id)
            done_on = at.astimezone(zone).date() if at else (today if row.status == "done" else None)
            row.category = classify(row.status, row.due_date, done_on, row.recurring, today)


async def add_leads(session: AsyncSession, rows: list[ListedTask]) -> None:
    """The lead units of listed tasks."""
    if not rows:
        return
    by_id = {row.id: row for row in rows}
    leads = await session.execute(
        select(Assignment.task_id, func.coalesce(Unit.name, UnitGroup.name))
        .outerjoin(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(UnitGroup, UnitGroup.id == Assignment.group_id)
        .where(Assignment.task_id.in_(by_id), Assignment.role == "lead")
        .order_by(Assignment.task_id, Assignment.position)
    )
    for task_id, name in leads:
        by_id[task_id].lead.append(name)


@dataclass
class Progress:
    counts: Counts
    stuck: int
    total: int


async def progress(session: AsyncSession, sel: Selection, today: date, zone: tzinfo) -> Progress:
    """The four-way counts of the selected tasks, recurring ones apart, counted by the database."""
    query, newest = _selected(sel, today, dialect_of(session))
    status = status_column(newest)
    category = category_column(newest, today, zone)
    counted = query.with_only_columns(category.label("category"), status.label("status")).subquery()
    found = await session.execute(
        select(counted.c.category, func.count(), func.sum(case((counted.c.status == "stuck", 1), else_=0)))
        .group_by(counted.c.category)
    )
    counts, stuck = Counts(), 0
    for name, n, stuck_here in found:
        counts.by_category[name] += n
        stuck += int(stuck_here or 0)
    return Progress(counts, stuck, counts.total)


@dataclass
class Silent:
    """A unit that leads open tasks and sent no report in a period."""

    unit_id: int
    open_tasks: int


async def units_not_reported(
    session: AsyncSession, plan_id: int, unit_ids: set[int] | None, start: date, end: date, zone: tzinfo
) -> tuple[list[Silent], int]:
    """Units leading (by name, not as part of a group) at least one task not
    done that sent no status update on any task they lead from `start` to
    `end`; and how many units had to report: those, and those that did."""
    in_plan = and_(Task.plan_id == plan_id, Task.active.is_(True))
    scope = Unit.id.in_(unit_ids) if unit_ids is not None else Unit.id.is_not(None)
    start_at = datetime.combine(start, time(0), zone)
    end_at = datetime.combine(end + timedelta(days=1), time(0), zone)
    # One report is enough: most units stop at their first task.
    sent = (
        select(Assignment.id).join(Task, Task.id == Assignment.task_id)
        .join(StatusUpdate, StatusUpdate.task_id == Task.id)
        .where(Assignment.unit_id == Unit.id, Assignment.role == "lead", in_plan,
               StatusUpdate.reported_at >= start_at, StatusUpdate.reported_at < end_at, SETS_STATUS)
    )
    reported = set((await session.scalars(select(Unit.id).where(scope, sent.exists()))).all())
    newest, joined = newest_report(dialect_of(session))
    silent = await session.execute(
        select(Assignment.unit_id, func.count())
        .join(Task, Task.id == Assignment.task_id)
        .outerjoin(newest, joined)
        .where(Assignment.role == "lead", Assignment.unit_id.is_not(None), in_plan,
               Assignment.unit_id.in_(select(Unit.id).where(scope, Unit.id.not_in(reported))),
               status_column(newest) != "done")
        .group_by(Assignment.unit_id)
    )
    found = [Silent(unit_id, count) for unit_id, count in silent if unit_id is not None]
    return found, len(reported) + len(found)


@dataclass
class TaskDetail:
    task: Task
    area: Area
    assignments: list[Assignment]
    lead: list[str]
    coordinating: list[str]
    updates: list[StatusUpdate]
    status: str
    percent: int | None
    category: str


async def task_detail(session: AsyncSession, plan: Plan, code: str, today: date, zone: tzinfo) -> TaskDetail | None:
    task = await session.scalar(
        select(Task).where(Task.plan_id == plan.id, func.upper(Task.code) == code.upper())
        .options(joinedload(Task.area))
    )
    if task is None:
        return None
    assignments = list(await session.scalars(
        select(Assignment).where(Assignment.task_id == task.id)
        .options(joinedload(Assignment.unit), joinedload(Assignment.group)).order_by(Assignment.position)
    ))
    names: dict[str, list[str]] = {"lead": [], "coordinating": []}
    for a in assignments:
        names[a.role].append(a.unit.name if a.unit else a.group.name if a.group else "")
    updates = list(await session.scalars(
        select(StatusUpdate).where(StatusUpdate.task_id == task.id)
        .options(joinedload(StatusUpdate.reporter).joinedload(Person.unit))
        .order_by(StatusUpdate.reported_at, StatusUpdate.id)
    ))
    state = status_of(updates)
    latest = next((u for u in reversed(updates) if not u.is_contribution), None)
    status = state.status
    percent = None if latest is None else (100 if status == "done" and latest.percent is None else latest.percent)
    category = state.category(task.due_date, task.recurring, today, zone)
    return TaskDetail(
        task, task.area, assignments, names["lead"], names["coordinating"], updates, status, percent, category
    )
