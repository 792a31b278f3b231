"""Everything the periodic report needs, gathered once in a few queries that
return plain rows (no ORM objects: 10,000 tasks must stay fast): tasks,
assignments, each task's newest report and the day it became done as of the
period's end (storage.status), the newest evidence and blocker reported within
the period, the coordinating units' contributions, indicators and their
latest values. bot/reports.py only formats. A contribution (a status update
of kind "contribution") is never a task's status, evidence or blocker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.periods import CALENDAR, Period
from domain.progress import OVERDUE, Counts
from domain.report_counts import Progress, TaskState, summarise
from domain.report_periods import due_window, end_of, following_period, start_of
from domain.report_text import one_line, sentence_case
from storage.indicators import achieved
from storage.models import (
    Area,
    Assignment,
    Indicator,
    IndicatorValue,
    Person,
    Plan,
    StatusUpdate,
    Task,
    Unit,
    UnitGroup,
)
from storage.org import Organisation
from storage.status import NOT_STARTED, TaskStatus, newest_and_done_since, newest_matching


@dataclass
class Entry:
    """One status report on a task."""

    status: str
    percent: int | None
    evidence: str | None
    has_file: bool
    note: str | None
    at: datetime
    reporter: str | None


@dataclass
class TaskLine:
    code: str
    area: str
    content: str
    evidence_required: str | None
    lead: str
    coordinating: str
    timeline: str
    due_date: date | None
    recurring: bool
    conditional: bool
    budget_vnd: int | None
    budget_text: str | None
    status: str  # as of the period's end; "not_started" when nobody reported
    percent: int | None
    category: str  # domain.progress category as of the period's end
    latest: Entry | None  # the newest report as of the period's end
    done_on: date | None = None  # the day it became done, when done
    counted: bool = False  # in the four-way counts: not recurring, due by the report's day
    in_period: Entry | None = None  # the newest report made within the period
    evidence: str | None = None  # the newest evidence given within the period…
    evidence_on: date | None = None  # …and the day it was given
    contributions: list[Contribution] = field(default_factory=list)  # given within the period, oldest first

    @property
    def reporter(self) -> str | None:
        """Who made the newest report within the period."""
        return self.in_period.reporter if self.in_period else None

    @property
    def last_evidence(self) -> str | None:
        """The evidence of the newest report, else the newest given within the period."""
        return (self.latest.evidence if self.latest else None) or self.evidence


@dataclass
class UnitResults:
    unit: str
    tasks: list[TaskLine]


@dataclass
class AreaSection:
    code: str
    name: str
    title: str  # sentence case, as the seed's headings
    tasks: list[TaskLine]
    results: list[UnitResults]
    counts: Counts


@dataclass
class Blocker:
    task: TaskLine
    note: str
    on: date
    reporter: str | None
    resolved: bool  # the task is no longer stuck at the period's end


@dataclass
class Contribution:
    """A coordinating unit's note or evidence on a task."""

    unit: str
    reporter: str | None
    on: date
    text: str


@dataclass
class IndicatorLine:
    name: str
    unit_of_measure: str | None
    target: Decimal
    direction: str
    value: Decimal | None
    on: date | None
    achieved: bool | None  # None: no value yet


@dataclass
class ReportData:
    plan: Plan
    period: Period
    mode: str
    zone: tzinfo
    as_of: datetime
    generated_at: datetime
    unit: str | None
    issuer: str
    window: tuple[date, date]
    next_period: Period
    next_window: tuple[date, date]
    progress: Progress
    tasks: list[TaskLine]
    areas: list[AreaSection]
    blockers: list[Blocker]
    overdue: list[TaskLine]
    next_tasks: list[TaskLine]
    indicators: list[IndicatorLine] = field(default_factory=list)

    @property
    def budget_total(self) -> int:
        return sum(t.budget_vnd or 0 for t in self.tasks)

    @property
    def as_of_day(self) -> date:
        return self.as_of.astimezone(self.zone).date()

    @property
    def ongoing(self) -> bool:
        """The period has not ended yet: the data stop at the time of the report."""
        return self.as_of < end_of(self.period, self.zone)

    @property
    def reported_in_period(self) -> int:
        return sum(1 for t in self.tasks if t.in_period is not None)


def _entry(
    status: str, percent: int | None, evidence: str | None, file_ref: str | None, note: str | None, at: datetime,
    reporter: str | None,
) -> Entry:
    if status == "done" and percent is None:
        percent = 100
    return Entry(status, percent, one_line(evidence) or None, bool(file_ref), one_line(note) or None, at, reporter)


@dataclass(frozen=True)
class AssignmentRow:
    """What storage.org.Organisation needs of an assignment, without the ORM."""

    role: str
    unit_id: int | None
    group_id: int | None
    name: str


def _plan_updates(plan: Plan) -> ColumnElement[bool]:
    return StatusUpdate.task_id.in_(select(Task.id).where(Task.plan_id == plan.id))


async def _tasks(session: AsyncSession, plan: Plan) -> Sequence[Row[*tuple[Any, ...]]]:
    query = (
        select(Task.id, Task.code, Task.content, Task.evidence, Task.timeline, Task.due_date, Task.recurring,
               Task.conditional, Task.budget_vnd, Task.budget_text, Area.code)
        .join(Area, Area.id == Task.area_id)
        .where(Task.plan_id == plan.id, Task.active.is_(True))
        .order_by(Task.position)
    )
    return (await session.execute(query)).all()


async def _assignments(session: AsyncSession, plan: Plan) -> dict[int, list[AssignmentRow]]:
    query = (
        select(Assignment.task_id, Assignment.role, Assignment.unit_id, Assignment.group_id, Unit.name, UnitGroup.name)
        .join(Task, Task.id == Assignment.task_id)
        .outerjoin(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(UnitGroup, UnitGroup.id == Assignment.group_id)
        .where(Task.plan_id == plan.id)
        .order_by(Assignment.task_id, Assignment.id)
    )
    found: dict[int, list[AssignmentRow]] = {}
    for task_id, role, unit_id, group_id, unit_name, group_name in await session.execute(query):
        found.setdefault(task_id, []).append(AssignmentRow(role, unit_id, group_id, unit_name or group_name or ""))
    return found


async def _latest(session: AsyncSession, plan: Plan, as_of: datetime) -> tuple[dict[int, Entry], dict[int, datetime]]:
    """Each task's newest report as of a time (its status then) and, for a
    done task, when it became done (storage.status, one pass of window
    functions over the plan's history)."""
    per_task = newest_and_done_since(_plan_updates(plan), StatusUpdate.reported_at <= as_of)
    query = (
        select(
            StatusUpdate.task_id, StatusUpdate.status, StatusUpdate.percent, StatusUpdate.evidence,
            StatusUpdate.file_ref, StatusUpdate.note, StatusUpdate.reported_at, Person.name, per_task.c.done_at,
        )
        .join(per_task, per_task.c.newest == StatusUpdate.id)
        .outerjoin(Person, Person.id == StatusUpdate.reporter_id)
    )
    latest, done_at = {}, {}
    for row in await session.execute(query):
        latest[row[0]] = _entry(*row[1:8])
        if row[8] is not None:
            done_at[row[0]] = row[8]
    return latest, done_at


async def _period_newest(
    session: AsyncSession, plan: Plan, start: datetime, end: datetime, *where: ColumnElement[bool],
    column: InstrumentedAttribute[str | None],
) -> dict[int, tuple[str | None, datetime, str | None]]:
    """Per task, the newest report within the period matching `where`: (its `column`, its time, its reporter)."""
    newest = newest_matching(_plan_updates(plan), StatusUpdate.reported_at >= start, StatusUpdate.reported_at <= end,
                             *where)
    query = (
        select(StatusUpdate.task_id, column, StatusUpdate.reported_at, Person.name)
        .join(newest, newest.c.id == StatusUpdate.id)
        .outerjoin(Person, Person.id == StatusUpdate.reporter_id)
    )
    return {task_id: (value, at, reporter) for task_id, value, at, reporter in await session.execute(query)}


async def _contributions(
    session: AsyncSession, plan: Plan, start: datetime, end: datetime, zone: tzinfo
) -> dict[int, list[Contribution]]:
    query = (
        select(StatusUpdate.task_id, Unit.name, Person.name, StatusUpdate.reported_at, StatusUpdate.evidence,
               StatusUpdate.note)
        .outerjoin(Person, Person.id == StatusUpdate.reporter_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(_plan_updates(plan), StatusUpdate.kind == "contribution",
               StatusUpdate.reported_at >= start, StatusUpdate.reported_at <= end)
        .order_by(StatusUpdate.reported_at, StatusUpdate.id)
    )
    found: dict[int, list[Contribution]] = {}
    for task_id, unit, reporter, at, evidence, note in await session.execute(query):
        text = "; ".join(part for part in (one_line(evidence), one_line(note)) if part)
        found.setdefault(task_id, []).append(Contribution(unit or "", reporter, at.astimezone(zone).date(), text))
    return found


async def _indicators(session: AsyncSession, plan: Plan, as_of: datetime, zone: tzinfo) -> list[IndicatorLine]:
    indicators = (
        await session.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.id))
    ).all()
    if not indicators:
        return []
    latest: dict[int, IndicatorValue] = {}
    values = await session.scalars(
        select(IndicatorValue)
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(Indicator.plan_id == plan.id, IndicatorValue.reported_at <= as_of)
        .order_by(IndicatorValue.reported_at, IndicatorValue.id)
    )
    for value in values:
        latest[value.indicator_id] = value
    lines = []
    for indicator in indicators:
        found = latest.get(indicator.id)
        lines.append(IndicatorLine(
            indicator.name, indicator.unit_of_measure, indicator.target, indicator.direction,
            found.value if found else None, found.reported_at.astimezone(zone).date() if found else None,
            achieved(indicator, found.value) if found else None,
        ))
    return lines


async def gather(
    session: AsyncSession,
    plan: Plan,
    period: Period,
    *,
    zone: tzinfo,
    now: datetime,
    mode: str = CALENDAR,
    unit: Unit | None = None,
) -> ReportData:
    """The report's data for a period, for the whole plan or for the tasks a
    unit (with the units below it) leads."""
    # As of the end of the period's last day; a period still running stops now.
    as_of = min(end_of(period, zone), now)
    as_of_day = as_of.astimezone(zone).date()
    period_start = start_of(period, zone)
    tasks = await _tasks(session, plan)
    assignments = await _assignments(session, plan)
    if unit is not None:
        org = await Organisation.load(session)
        scope = org.subtree(unit.id)
        tasks = [row for row in tasks if org.role_of(assignments.get(row[0], []), scope) == "lead"]
    latest, done_since = await _latest(session, plan, as_of)
    evidence = await _period_newest(
        session, plan, period_start, as_of, StatusUpdate.evidence.is_not(None), StatusUpdate.evidence != "",
        column=StatusUpdate.evidence,
    )
    stuck = await _period_newest(
        session, plan, period_start, as_of, StatusUpdate.status == "stuck", StatusUpdate.note.is_not(None),
        StatusUpdate.note != "", column=StatusUpdate.note,
    )
    contributions = await _contributions(session, plan, period_start, as_of, zone)

    lines: dict[int, TaskLine] = {}
    states: list[TaskState] = []
    for task_id, code, content, required, timeline, due, recurring, conditional, budget, budget_text, area in tasks:
        entry = latest.get(task_id)
        state = TaskStatus(entry.status, done_since.get(task_id)) if entry else TaskStatus(NOT_STARTED)
        status, done_on = state.status, state.done_on(zone)
        category = state.category(due, recurring, as_of_day, zone)
        names: dict[str, list[str]] = {"lead": [], "coordinating": []}
        for assignment in assignments.get(task_id, []):
            names[assignment.role].append(assignment.name)
        line = TaskLine(
            code=code, area=area, content=one_line(content), evidence_required=one_line(required) or None,
            lead="; ".join(names["lead"]), coordinating="; ".join(names["coordinating"]), timeline=one_line(timeline),
            due_date=due, recurring=recurring, conditional=conditional, budget_vnd=budget, budget_text=budget_text,
            status=status, percent=entry.percent if entry else None, category=category, latest=entry, done_on=done_on,
            counted=not recurring and due is not None and due <= as_of_day,
            in_period=entry if entry is not None and entry.at >= period_start else None,
        )
        line.contributions = contributions.get(task_id, [])
        if task_id in evidence:
            text, at, _ = evidence[task_id]
            line.evidence, line.evidence_on = one_line(text), at.astimezone(zone).date()
        lines[task_id] = line
        states.append(TaskState(status, due, done_on, recurring, entry is not None))

    stuck_in_period = {task_id: row for task_id, row in stuck.items() if task_id in lines}
    window = due_window(period)
    following = following_period(period, mode)
    next_window = due_window(following)
    ordered = list(lines.values())
    plan_areas = (await session.scalars(select(Area).where(Area.plan_id == plan.id).order_by(Area.position))).all()
    areas = _areas(plan_areas, ordered)
    blockers = [
        Blocker(lines[tid], one_line(note), at.astimezone(zone).date(), reporter, lines[tid].status != "stuck")
        for tid, (note, at, reporter) in stuck_in_period.items()
    ]
    blockers.sort(key=lambda b: (b.resolved, b.on))
    overdue = [t for t in ordered if t.category == OVERDUE]
    next_tasks = [
        t for t in ordered
        if not t.recurring and t.status != "done" and t.due_date and next_window[0] <= t.due_date <= next_window[1]
    ]
    return ReportData(
        plan=plan, period=period, mode=mode, zone=zone, as_of=as_of, generated_at=now,
        unit=unit.name if unit else None, issuer=unit.name if unit else (plan.issuing_unit or ""),
        window=window, next_period=following, next_window=next_window,
        progress=summarise(states, window, as_of_day), tasks=ordered, areas=areas, blockers=blockers,
        overdue=overdue, next_tasks=next_tasks,
        indicators=[] if unit is not None else await _indicators(session, plan, as_of, zone),
    )


def _areas(plan_areas: Sequence[Area], tasks: list[TaskLine]) -> list[AreaSection]:
    by_area: dict[str, list[TaskLine]] = {}
    for line in tasks:
        by_area.setdefault(line.area, []).append(line)
    sections = []
    for area in plan_areas:
        mine = by_area.get(area.code, [])
        if not mine:
            continue
        counts = Counts()
        for line in mine:
            if line.counted:
                counts.add(line.category)
        by_unit: dict[str, list[TaskLine]] = {}
        for line in mine:
            if line.in_period is not None or line.contributions:
                by_unit.setdefault(line.lead or "—", []).append(line)
        results = [UnitResults(unit, items) for unit, items in by_unit.items()]
        sections.append(AreaSection(area.code, area.name, sentence_case(area.name), mine, results, counts))
    return sections
