"""Reading tasks with their units and current status, and appending status updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.models import Area, Assignment, Person, Plan, StatusUpdate, Task
from storage.status import NOT_STARTED, TaskStatus, statuses_query


@dataclass
class TaskView:
    """A task with its units and its newest status report (storage.status)."""

    task: Task
    area: Area
    lead: list[str]
    coordinating: list[str]
    latest: StatusUpdate | None
    done_at: datetime | None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else NOT_STARTED

    @property
    def state(self) -> TaskStatus:
        return TaskStatus(self.status, self.done_at)

    def category(self, as_of: date, zone: tzinfo) -> str:
        """done_on_time / done_late / open_on_time / overdue / recurring (domain.progress)."""
        return self.state.category(self.task.due_date, self.task.recurring, as_of, zone)

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


async def newest_statuses(
    session: AsyncSession, task_ids: list[int], as_of: datetime | None = None
) -> dict[int, tuple[StatusUpdate, datetime | None]]:
    """Each task's newest status report (up to `as_of`), its reporter loaded,
    and, when done, since when (storage.status)."""
    if not task_ids:
        return {}
    query = statuses_query(task_ids, as_of).options(joinedload(StatusUpdate.reporter))
    return {update.task_id: (update, done_at) for update, done_at in await session.execute(query)}


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
    newest = await newest_statuses(session, [task.id for task in tasks], as_of)
    views = []
    for task in tasks:
        names: dict[str, list[str]] = {"lead": [], "coordinating": []}
        for a in task.assignments:
            names[a.role].append(a.unit.name if a.unit else a.group.name if a.group else "")
        latest, done_at = newest.get(task.id, (None, None))
        views.append(TaskView(task, task.area, names["lead"], names["coordinating"], latest, done_at))
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
