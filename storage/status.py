"""A task's status: the one place the rule is written.

The rule:
- only status reports count (StatusUpdate.kind == "status"); a coordinating
  unit's contribution never sets a status;
- a task's status as of a moment is its newest status report made up to that
  moment (newest by time, ties broken by id); with none it is "not_started";
- a done task has been done since the start of its newest run of "done"
  reports: the first "done" after its newest other report;
- its category (domain.progress.classify, the pure four-way rule) follows from
  its status, its deadline, whether it recurs and the local day it became done.

The SQL comes in two shapes that give the same answers
(tests/test_status_rule.py): one pass of window functions over the history
(`newest_and_done_since`), for readers that need every task of a plan anyway,
and a per-task look-up down the (task_id, reported_at, id) index
(`newest_report`, `first_done`), which costs what the selected tasks cost,
not what the whole history costs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    FromClause,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from domain.progress import DONE_LATE, DONE_ON_TIME, OPEN_ON_TIME, OVERDUE, RECURRING, classify
from storage.models import StatusUpdate, Task, UTCDateTime

NOT_STARTED = "not_started"
DONE = "done"

# Status updates that set the status; a coordinating unit's contribution does not.
SETS_STATUS: ColumnElement[bool] = StatusUpdate.kind == "status"

_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TaskStatus:
    """A task's status as of a moment, and since when it has been done."""

    status: str = NOT_STARTED
    done_at: datetime | None = None  # the start of the newest run of "done" reports; None unless done

    def done_on(self, zone: tzinfo) -> date | None:
        """The local day the task became done, when it is done."""
        return self.done_at.astimezone(zone).date() if self.done_at and self.status == DONE else None

    def category(self, due_date: date | None, recurring: bool, as_of: date, zone: tzinfo) -> str:
        """done_on_time / done_late / open_on_time / overdue / recurring, as of a day."""
        return classify(self.status, due_date, self.done_on(zone), recurring, as_of)


class Report(Protocol):
    """What the rule reads of a status update."""

    @property
    def status(self) -> str: ...
    @property
    def reported_at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...


def status_of(history: Iterable[Report]) -> TaskStatus:
    """The rule in Python, over a task's updates oldest first (by time, then id)."""
    status, done_at = NOT_STARTED, None
    for update in history:
        if update.kind != "status":
            continue
        status = update.status
        done_at = (done_at or update.reported_at) if status == DONE else None
    return TaskStatus(status, done_at)


# --- One pass of window functions over the history -------------------------------------------------------------

_NEWEST_FIRST = (StatusUpdate.reported_at.desc(), StatusUpdate.id.desc())


def newest_and_done_since(*where: ColumnElement[bool]) -> Subquery:
    """Per task with a status report matching `where`: `newest`, the id of its
    newest one, and `done_at`, the start of its newest run of "done" reports
    (NULL when the newest is not done). Join StatusUpdate on `newest` for the
    report's columns."""
    runs = (
        select(
            StatusUpdate.task_id, StatusUpdate.id, StatusUpdate.reported_at,
            func.row_number().over(partition_by=StatusUpdate.task_id, order_by=_NEWEST_FIRST).label("rank"),
            func.sum(case((StatusUpdate.status != DONE, 1), else_=0))
            .over(partition_by=StatusUpdate.task_id, order_by=_NEWEST_FIRST, rows=(None, 0))
            .label("open_after"),
        )
        .where(SETS_STATUS, *where)
        .subquery()
    )
    return (
        select(
            runs.c.task_id,
            func.max(case((runs.c.rank == 1, runs.c.id))).label("newest"),
            func.min(case((runs.c.open_after == 0, runs.c.reported_at)), type_=UTCDateTime()).label("done_at"),
        )
        .group_by(runs.c.task_id)
        .subquery()
    )


def newest_matching(*where: ColumnElement[bool]) -> Subquery:
    """The id (`id`) of each task's newest status report among those matching `where`."""
    ranked = (
        select(
            StatusUpdate.id,
            func.row_number().over(partition_by=StatusUpdate.task_id, order_by=_NEWEST_FIRST).label("rank"),
        )
        .where(SETS_STATUS, *where)
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.rank == 1).subquery()


def as_of_filter(as_of: datetime | None) -> tuple[ColumnElement[bool], ...]:
    """Reports made up to `as_of` (all of them when None)."""
    return () if as_of is None else (StatusUpdate.reported_at <= as_of,)


# --- A look-up per task down its index ------------------------------------------------------------------------


def newest_report(dialect: str, as_of: datetime | None = None) -> tuple[FromClause, ColumnElement[bool]]:
    """The newest status report of each task (up to `as_of`), to outer-join to
    Task, and the join's condition: on PostgreSQL a LATERAL subquery (a nested
    loop down the task's index), elsewhere the row whose id a correlated
    subquery finds, which SQLite runs once per task. Its columns: id, task_id,
    status, percent, reported_at."""
    s = aliased(StatusUpdate)
    newest = select(s.id, s.task_id, s.status, s.percent, s.reported_at).where(s.task_id == Task.id, s.kind == "status")
    if as_of is not None:
        newest = newest.where(s.reported_at <= as_of)
    newest = newest.order_by(s.reported_at.desc(), s.id.desc()).limit(1)
    if dialect == "postgresql":
        return newest.lateral("newest"), true()
    row = StatusUpdate.__table__.alias("newest")
    return row, row.c.id == newest.with_only_columns(s.id).correlate_except(s).scalar_subquery()


def dialect_of(session: AsyncSession) -> str:
    """The database's dialect name ("sqlite", "postgresql"): the shapes above differ by it."""
    return session.get_bind().dialect.name


def status_column(newest: FromClause) -> ColumnElement[str]:
    """The status a `newest_report` row gives: "not_started" when there is none."""
    return func.coalesce(newest.c.status, NOT_STARTED)


def first_done(task_id: SQLColumnExpression[int], as_of: datetime | None = None) -> ScalarSelect[datetime]:
    """When a done task became done (up to `as_of`): the first "done" after its
    newest other report. Only meaningful for a task whose newest report is done."""
    undone = aliased(StatusUpdate)
    last_undone = (
        select(undone.reported_at).where(undone.task_id == task_id, undone.status != DONE, undone.kind == "status")
    )
    if as_of is not None:
        last_undone = last_undone.where(undone.reported_at <= as_of)
    last_undone = last_undone.order_by(undone.reported_at.desc(), undone.id.desc()).limit(1).correlate_except(undone)
    since = last_undone.scalar_subquery()
    since_id = last_undone.with_only_columns(undone.id).scalar_subquery()
    done = aliased(StatusUpdate)
    found = select(func.min(done.reported_at)).where(
        done.task_id == task_id,
        done.reported_at >= func.coalesce(since, _EPOCH),
        done.status == DONE,
        done.kind == "status",
        or_(since.is_(None), done.reported_at > since, done.id > since_id),
    )
    if as_of is not None:
        found = found.where(done.reported_at <= as_of)
    return found.correlate_except(done).scalar_subquery()


class day_end(FunctionElement[datetime]):
    """The instant a local day ends (the next local midnight), as stored
    update times are compared: UTC."""

    inherit_cache = True

    def __init__(self, day: Any, zone: tzinfo) -> None:
        self.zone = zone
        super().__init__(day)


@compiles(day_end, "sqlite")
def _day_end_sqlite(element: day_end, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite knows no time zones: the zone's offset, which in Vietnam has not
    # changed since 1975 (no daylight saving).
    offset = (element.zone.utcoffset(datetime(2000, 1, 1)) or timedelta(0)) // timedelta(minutes=1)
    day = compiler.process(next(iter(element.clauses)), **kw)
    return f"datetime({day}, '+1 day', '{-offset:+d} minutes')"


@compiles(day_end, "postgresql")
def _day_end_postgresql(element: day_end, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiler.process(next(iter(element.clauses)), **kw)
    zone = compiler.process(literal(str(element.zone)), **kw)
    return f"(({day} + 1)::timestamp AT TIME ZONE {zone})"


def done_late(newest: FromClause, zone: tzinfo, as_of: datetime | None = None) -> ColumnElement[bool]:
    """A done task (by its `newest_report` row) done after its deadline. Its
    newest report is no earlier than the day it became done, so a task whose
    newest report is in time was done in time: only the others need their
    history read."""
    end = day_end(Task.due_date, zone)
    # Correlated with the newest report, not the task: the database then reads
    # the history only of tasks whose newest report is done and late.
    return and_(Task.due_date.is_not(None), newest.c.reported_at >= end, first_done(newest.c.task_id, as_of) >= end)


def category_column(newest: FromClause, today: date, zone: tzinfo, as_of: datetime | None = None) -> ColumnElement[str]:
    """A task's four-way category as of a day, in SQL (the rule of domain.progress.classify)."""
    status = status_column(newest)
    return case(
        (Task.recurring.is_(True), RECURRING),
        (status == DONE, case((done_late(newest, zone, as_of), DONE_LATE), else_=DONE_ON_TIME)),
        (Task.due_date < today, OVERDUE),
        else_=OPEN_ON_TIME,
    )


def statuses_query(task_ids: Sequence[int], as_of: datetime | None = None) -> Select[Any]:
    """Each task's newest status report (as of `as_of`) with when it became done:
    rows of (StatusUpdate, done_at)."""
    per_task = newest_and_done_since(StatusUpdate.task_id.in_(task_ids), *as_of_filter(as_of))
    return select(StatusUpdate, per_task.c.done_at).join(per_task, per_task.c.newest == StatusUpdate.id)
