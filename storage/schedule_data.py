"""What a scheduler tick reads, in a few plain-row queries (no ORM objects: a
province's 10,000 tasks and 2,000 people every minute): the plan's tasks with
their lead assignments and newest report, and the people with their chat
accounts. A task's status is storage.status's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Area,
    Assignment,
    ChatIdentity,
    Person,
    Plan,
    StatusUpdate,
    Task,
    Unit,
    UnitGroup,
)
from storage.status import TaskStatus, newest_and_done_since


@dataclass(frozen=True)
class Lead:
    """A lead assignment, shaped as storage.org.Organisation reads one."""

    unit_id: int | None
    group_id: int | None
    name: str


@dataclass
class TaskRow:
    id: int
    code: str
    content: str
    area_code: str
    area_name: str
    due_date: date | None
    recurring: bool
    conditional: bool
    leads: list[Lead] = field(default_factory=list)
    status: str = "not_started"
    reported_at: datetime | None = None  # the newest report
    reporter: str | None = None
    note: str | None = None
    done_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status != "done"

    def category(self, today: date, zone: tzinfo) -> str:
        return TaskStatus(self.status, self.done_at).category(self.due_date, self.recurring, today, zone)


@dataclass(frozen=True)
class Account:
    platform: str
    external_id: str
    unreachable: bool


@dataclass
class PersonRow:
    id: int
    name: str
    unit_id: int | None
    role: str
    accounts: list[Account] = field(default_factory=list)


async def load_tasks(session: AsyncSession, plan: Plan) -> list[TaskRow]:
    query = (
        select(Task.id, Task.code, Task.content, Area.code, Area.name, Task.due_date, Task.recurring, Task.conditional)
        .join(Area, Area.id == Task.area_id)
        .where(Task.plan_id == plan.id, Task.active.is_(True))
        .order_by(Task.position)
    )
    tasks = {row[0]: TaskRow(*row) for row in await session.execute(query)}
    leads = (
        select(Assignment.task_id, Assignment.unit_id, Assignment.group_id, Unit.name, UnitGroup.name)
        .join(Task, Task.id == Assignment.task_id)
        .outerjoin(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(UnitGroup, UnitGroup.id == Assignment.group_id)
        .where(Task.plan_id == plan.id, Assignment.role == "lead")
        .order_by(Assignment.task_id, Assignment.id)
    )
    for task_id, unit_id, group_id, unit_name, group_name in await session.execute(leads):
        if task_id in tasks:
            tasks[task_id].leads.append(Lead(unit_id, group_id, unit_name or group_name or ""))
    await _newest_reports(session, plan, tasks)
    return list(tasks.values())


async def _newest_reports(session: AsyncSession, plan: Plan, tasks: dict[int, TaskRow]) -> None:
    """Each task's newest report and, when done, since when (storage.status, one pass of window functions)."""
    per_task = newest_and_done_since(StatusUpdate.task_id.in_(select(Task.id).where(Task.plan_id == plan.id)))
    query = (
        select(StatusUpdate.task_id, StatusUpdate.status, StatusUpdate.reported_at, Person.name, StatusUpdate.note,
               per_task.c.done_at)
        .join(per_task, per_task.c.newest == StatusUpdate.id)
        .outerjoin(Person, Person.id == StatusUpdate.reporter_id)
    )
    for task_id, status, reported_at, reporter, note, done_at in await session.execute(query):
        row = tasks.get(task_id)
        if row is not None:
            row.status, row.reported_at, row.reporter, row.note = status, reported_at, reporter, note
            row.done_at = done_at if status == "done" else None


async def load_people(session: AsyncSession) -> dict[int, PersonRow]:
    people = {
        pid: PersonRow(pid, name, unit_id, role)
        for pid, name, unit_id, role in await session.execute(
            select(Person.id, Person.name, Person.unit_id, Person.role).order_by(Person.id)
        )
    }
    accounts = select(ChatIdentity.person_id, ChatIdentity.platform, ChatIdentity.external_id,
                      ChatIdentity.unreachable_at).order_by(ChatIdentity.id)
    for pid, platform, external_id, unreachable_at in await session.execute(accounts):
        if pid in people:
            people[pid].accounts.append(Account(platform, external_id, unreachable_at is not None))
    return people
