"""The rows leaders' questions are answered from, in few queries that stay
fast at 10,000 tasks and 200,000 status updates (bench/bench_questions.py).

A task's current status is its newest update, found for each selected task
through the (task_id, reported_at, id) index rather than by ranking every
update (storage.tasks.newest_updates_query), so a question costs what its
tasks cost, not what the whole history costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, func, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from domain.progress import DONE_LATE, DONE_ON_TIME, OPEN_ON_TIME, OVERDUE, RECURRING, Counts, classify
from storage.models import Area, Assignment, Plan, StatusUpdate, Task, Unit, UnitGroup
from storage.org import Organisation
from storage.tasks import find_task, history

_EPOCH = datetime(1, 1, 1, tzinfo=timezone.utc)


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


@dataclass
class TaskRow:
    id: int
    code: str
    due_date: date | None
    recurring: bool
    conditional: bool
    status: str
    percent: int | None
    category: str | None  # None for a done task until its completion day is known
    content: str = ""
    timeline: str | None = None
    area: str = ""
    lead: list[str] = field(default_factory=list)


def _newest(column):
    """The newest update of the task in `column`: its id."""
    s = aliased(StatusUpdate)
    return (
        select(s.id).where(s.task_id == column).order_by(s.reported_at.desc(), s.id.desc()).limit(1).scalar_subquery()
    )


def _led_by(leads: Leads, roles: tuple[str, ...]):
    assigned = select(Assignment.task_id).where(
        Assignment.role.in_(roles),
        or_(Assignment.unit_id.in_(leads.units), Assignment.group_id.in_(leads.groups)),
    )
    return Task.id.in_(assigned)


async def select_tasks(
    session: AsyncSession, sel: Selection, today: date, zone, *, with_content: bool = False, exact: bool = False
) -> list[TaskRow]:
    """Every task the selection names, by due date (none last) then plan order.
    `exact` (or a done_on_time / done_late filter) settles when done tasks were
    done, so that every row has its category."""
    exact = exact or sel.category in (DONE_ON_TIME, DONE_LATE)
    columns = [Task.id, Task.code, Task.position, Task.due_date, Task.recurring, Task.conditional]
    inner = select(*columns, _newest(Task.id).label("newest"), *([Task.content] if with_content else []))
    inner = inner.where(Task.plan_id == sel.plan_id, Task.active.is_(True))
    if sel.area:
        inner = inner.join(Area, Area.id == Task.area_id).where(Area.code == sel.area)
    if sel.leads is not None:
        inner = inner.where(_led_by(sel.leads, sel.roles))
    if sel.start is not None:
        inner = inner.where(Task.due_date >= sel.start)
    if sel.end is not None:
        inner = inner.where(Task.due_date <= sel.end)
    if sel.category is not None:
        inner = inner.where(Task.recurring.is_(sel.category == RECURRING))
    if sel.category == OVERDUE:
        inner = inner.where(Task.due_date < today)
    inner = inner.subquery()

    status = func.coalesce(StatusUpdate.status, "not_started")
    settle = and_(status == "done", inner.c.due_date.is_not(None), inner.c.recurring.is_(False))
    done_at = case((settle, _first_done(inner.c.id))) if exact else null()
    query = select(inner, status.label("status"), StatusUpdate.percent, done_at.label("done_at")).outerjoin(
        StatusUpdate, StatusUpdate.id == inner.c.newest
    )
    if sel.statuses:
        query = query.where(status.in_(sel.statuses))
    if sel.category in (OVERDUE, OPEN_ON_TIME):
        query = query.where(status != "done")
        if sel.category == OPEN_ON_TIME:
            query = query.where(or_(inner.c.due_date.is_(None), inner.c.due_date >= today))
    elif sel.category in (DONE_ON_TIME, DONE_LATE):
        query = query.where(status == "done")
    query = query.order_by(inner.c.due_date.is_(None), inner.c.due_date, inner.c.position)

    rows = []
    for r in await session.execute(query):
        row = TaskRow(r.id, r.code, r.due_date, r.recurring, r.conditional, r.status, r.percent, None,
                      content=r.content if with_content else "")
        _categorise(row, r.done_at, today, zone)
        rows.append(row)
    if sel.category is not None:
        rows = [row for row in rows if row.category == sel.category]
    return rows


def _categorise(row: TaskRow, done_at: datetime | None, today: date, zone) -> None:
    """A done task with a deadline waits for the day it was done (`done_at`)."""
    if row.status == "done" and row.due_date is not None and not row.recurring:
        if done_at is None:
            return
        done_on = done_at.astimezone(zone).date()
    else:
        done_on = today if row.status == "done" else None
    row.category = classify(row.status, row.due_date, done_on, row.recurring, today)


def _first_done(task_id):
    """When the task became done: the first "done" after its newest other
    report (storage.tasks.done_since), read through the task's index."""
    undone = aliased(StatusUpdate)
    last_undone = (
        select(undone.reported_at).where(undone.task_id == task_id, undone.status != "done")
        .order_by(undone.reported_at.desc(), undone.id.desc()).limit(1).correlate_except(undone)
    )
    since = last_undone.scalar_subquery()
    since_id = last_undone.with_only_columns(undone.id).scalar_subquery()
    done = aliased(StatusUpdate)
    return select(func.min(done.reported_at)).where(
        done.task_id == task_id,
        done.reported_at >= func.coalesce(since, _EPOCH),
        done.status == "done",
        or_(since.is_(None), done.reported_at > since, done.id > since_id),
    ).correlate_except(done).scalar_subquery()


async def settle_done(session: AsyncSession, rows: list[TaskRow], today: date, zone) -> None:
    """Categories of done tasks listed without them (a page of an answer)."""
    pending = {row.id: row for row in rows if row.category is None}
    if not pending:
        return
    found = await session.execute(select(Task.id, _first_done(Task.id)).where(Task.id.in_(pending)))
    for task_id, done_at in found:
        _categorise(pending[task_id], done_at, today, zone)


async def describe(session: AsyncSession, rows: list[TaskRow], today: date, zone) -> None:
    """What a listed task shows: content, timeline, area, lead units."""
    if not rows:
        return
    by_id = {row.id: row for row in rows}
    found = await session.execute(
        select(Task.id, Task.content, Task.timeline, Area.code).join(Area, Area.id == Task.area_id).where(Task.id.in_(by_id))
    )
    for task_id, content, timeline, area in found:
        by_id[task_id].content, by_id[task_id].timeline, by_id[task_id].area = content, timeline, area
    leads = await session.execute(
        select(Assignment.task_id, func.coalesce(Unit.name, UnitGroup.name))
        .outerjoin(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(UnitGroup, UnitGroup.id == Assignment.group_id)
        .where(Assignment.task_id.in_(by_id), Assignment.role == "lead")
        .order_by(Assignment.task_id, Assignment.position)
    )
    for task_id, name in leads:
        by_id[task_id].lead.append(name)
    await settle_done(session, rows, today, zone)


@dataclass
class Progress:
    counts: Counts
    stuck: int
    total: int


async def progress(session: AsyncSession, sel: Selection, today: date, zone) -> Progress:
    rows = await select_tasks(session, sel, today, zone, exact=True)
    counts = Counts()
    for row in rows:
        counts.add(row.category)
    return Progress(counts, sum(row.status == "stuck" for row in rows), len(rows))


@dataclass
class Silent:
    """A unit that leads open tasks and sent no report in a period."""

    unit_id: int
    open_tasks: int


async def units_not_reported(
    session: AsyncSession, plan_id: int, unit_ids: set[int] | None, start: date, end: date, zone
) -> tuple[list[Silent], int]:
    """Units leading (by name, not as part of a group) at least one task not
    done, without a status update on any task they lead from `start` to `end`;
    and how many units lead tasks not done."""
    latest = aliased(StatusUpdate)
    status = func.coalesce(
        select(latest.status).where(latest.task_id == Task.id)
        .order_by(latest.reported_at.desc(), latest.id.desc()).limit(1).scalar_subquery(),
        "not_started",
    )
    led = and_(Assignment.role == "lead", Assignment.unit_id.is_not(None), Task.plan_id == plan_id, Task.active.is_(True))
    if unit_ids is not None:
        led = and_(led, Assignment.unit_id.in_(unit_ids))
    expected = dict(
        (await session.execute(
            select(Assignment.unit_id, func.count()).join(Task, Task.id == Assignment.task_id)
            .where(led, status != "done").group_by(Assignment.unit_id)
        )).all()
    )
    start_at = datetime.combine(start, time(0), zone)
    end_at = datetime.combine(end + timedelta(days=1), time(0), zone)
    reported = set(
        (await session.scalars(
            select(Assignment.unit_id).distinct().join(Task, Task.id == Assignment.task_id)
            .join(StatusUpdate, StatusUpdate.task_id == Task.id)
            .where(led, StatusUpdate.reported_at >= start_at, StatusUpdate.reported_at < end_at)
        )).all()
    )
    silent = [Silent(unit_id, count) for unit_id, count in expected.items() if unit_id not in reported]
    return silent, len(expected)


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


async def task_detail(session: AsyncSession, plan: Plan, code: str, today: date, zone) -> TaskDetail | None:
    task = await find_task(session, plan, code)
    if task is None:
        return None
    await session.refresh(task, ["area"])
    assignments = list(await session.scalars(
        select(Assignment).where(Assignment.task_id == task.id)
        .options(selectinload(Assignment.unit), selectinload(Assignment.group)).order_by(Assignment.position)
    ))
    names = {"lead": [], "coordinating": []}
    for a in assignments:
        names[a.role].append(a.unit.name if a.unit else a.group.name)
    updates = await history(session, task)
    latest = updates[-1] if updates else None
    status = latest.status if latest else "not_started"
    percent = None if latest is None else (100 if status == "done" and latest.percent is None else latest.percent)
    done_at = None
    for update in updates:
        done_at = (done_at or update.reported_at) if update.status == "done" else None
    done_on = done_at.astimezone(zone).date() if done_at else None
    category = classify(status, task.due_date, done_on, task.recurring, today)
    return TaskDetail(task, task.area, assignments, names["lead"], names["coordinating"], updates, status, percent, category)
