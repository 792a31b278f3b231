"""Reading tasks with their units and current status, and appending status updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from domain.progress import classify
from storage.models import Area, Assignment, Person, Plan, StatusUpdate, Task

# Status updates that set the status; a coordinating unit's contribution does not.
SETS_STATUS = StatusUpdate.kind == "status"


@dataclass
class TaskView:
    task: Task
    area: Area
    lead: list[str]
    coordinating: list[str]
    latest: StatusUpdate | None
    done_at: datetime | None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else "not_started"

    def category(self, as_of: date, zone) -> str:
        """done_on_time / done_late / open_on_time / overdue / recurring (domain.progress)."""
        done_on = self.done_at.astimezone(zone).date() if self.done_at and self.status == "done" else None
        return classify(self.status, self.task.due_date, done_on, self.task.recurring, as_of)

    @property
    def percent(self) -> int | None:
        if self.latest is None:
            return None
        return 100 if self.latest.status == "done" and self.latest.percent is None else self.latest.percent


async def current_plan(session: AsyncSession, year: int | None = None) -> Plan | None:
    query = select(Plan).order_by(Plan.year.desc(), Plan.id.desc()).limit(1)
    if year is not None:
        query = query.where(Plan.year == year)
    return await session.scalar(query)


def newest_updates_query(task_ids=None, as_of: datetime | None = None):
    """The newest update of each task (up to `as_of`): its status then; history is append-only."""
    ranked = select(
        StatusUpdate.id,
        func.row_number()
        .over(partition_by=StatusUpdate.task_id, order_by=(StatusUpdate.reported_at.desc(), StatusUpdate.id.desc()))
        .label("rank"),
    ).where(SETS_STATUS)
    if task_ids is not None:
        ranked = ranked.where(StatusUpdate.task_id.in_(task_ids))
    if as_of is not None:
        ranked = ranked.where(StatusUpdate.reported_at <= as_of)
    ranked = ranked.subquery()
    return select(StatusUpdate).join(ranked, ranked.c.id == StatusUpdate.id).where(ranked.c.rank == 1)


async def newest_updates(session: AsyncSession, task_ids=None, as_of: datetime | None = None) -> dict[int, StatusUpdate]:
    query = newest_updates_query(task_ids, as_of).options(joinedload(StatusUpdate.reporter))
    return {update.task_id: update for update in await session.scalars(query)}


async def done_since(session: AsyncSession, task_ids: list[int], as_of: datetime | None = None) -> dict[int, datetime]:
    """When each done task became done: the start of its newest run of "done" reports."""
    if not task_ids:
        return {}
    query = (
        select(StatusUpdate.task_id, StatusUpdate.status, StatusUpdate.reported_at)
        .where(StatusUpdate.task_id.in_(task_ids), SETS_STATUS)
        .order_by(StatusUpdate.task_id, StatusUpdate.reported_at, StatusUpdate.id)
    )
    if as_of is not None:
        query = query.where(StatusUpdate.reported_at <= as_of)
    rows = await session.execute(query)
    since: dict[int, datetime] = {}
    for task_id, status, at in rows:
        if status == "done":
            since.setdefault(task_id, at)
        else:
            since.pop(task_id, None)
    return since


async def task_views(
    session: AsyncSession, plan: Plan, active_only: bool = True, as_of: datetime | None = None,
    codes: list[str] | None = None,
) -> list[TaskView]:
    """Every task of a plan (or those with these codes) with its units and its
    status now, or as it was at `as_of`."""
    query = (
        select(Task)
        .where(Task.plan_id == plan.id)
        .options(
            joinedload(Task.area),
            selectinload(Task.assignments).options(joinedload(Assignment.unit), joinedload(Assignment.group)),
        )
        .order_by(Task.position)
    )
    if active_only:
        query = query.where(Task.active.is_(True))
    if codes is not None:
        query = query.where(Task.code.in_(codes))
    tasks = (await session.scalars(query)).all()
    latest = await newest_updates(session, [task.id for task in tasks], as_of) if tasks else {}
    done_ids = [tid for tid, u in latest.items() if u.status == "done"]
    done = await done_since(session, done_ids, as_of) if done_ids else {}
    views = []
    for task in tasks:
        names = {"lead": [], "coordinating": []}
        for a in task.assignments:
            names[a.role].append(a.unit.name if a.unit else a.group.name)
        views.append(TaskView(task, task.area, names["lead"], names["coordinating"], latest.get(task.id), done.get(task.id)))
    return views


async def find_task(session: AsyncSession, plan: Plan, code: str) -> Task | None:
    return await session.scalar(select(Task).where(Task.plan_id == plan.id, func.upper(Task.code) == code.upper()))


async def add_update(
    session: AsyncSession,
    task: Task,
    *,
    status: str,
    at: datetime,
    source: str,
    reporter: Person | None = None,
    percent: int | None = None,
    evidence: str | None = None,
    file_ref: str | None = None,
    note: str | None = None,
    corrects: StatusUpdate | None = None,
    kind: str = "status",
) -> StatusUpdate:
    update = StatusUpdate(
        task_id=task.id,
        status=status,
        percent=percent,
        evidence=evidence,
        file_ref=file_ref,
        note=note,
        reporter_id=reporter.id if reporter else None,
        reported_at=at,
        source=source,
        corrects_id=corrects.id if corrects else None,
        kind=kind,
    )
    session.add(update)
    await session.flush()
    return update


async def history(session: AsyncSession, task: Task) -> list[StatusUpdate]:
    """Every update of a task, contributions included, oldest first."""
    rows = await session.scalars(
        select(StatusUpdate)
        .where(StatusUpdate.task_id == task.id)
        .options(selectinload(StatusUpdate.reporter).joinedload(Person.unit))
        .order_by(StatusUpdate.reported_at, StatusUpdate.id)
    )
    return list(rows)
