"""Everything the periodic report needs, gathered once in a few queries:
tasks with their status as of the period's end (storage.tasks.task_views),
the reports made within the period (one query), indicators and their latest
values (two queries). The writers in bot/reports.py only format this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.periods import CALENDAR, Period
from domain.progress import OVERDUE, Counts
from domain.report_counts import Progress, TaskState, summarise
from domain.report_periods import due_window, end_of, following_period, start_of
from domain.report_text import one_line, sentence_case
from storage.indicators import achieved
from storage.models import Area, Indicator, IndicatorValue, Person, Plan, StatusUpdate, Task, Unit
from storage.org import Organisation
from storage.tasks import task_views


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
    zone: object
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


def _entry(status, percent, evidence, file_ref, note, at, reporter) -> Entry:
    if status == "done" and percent is None:
        percent = 100
    return Entry(status, percent, one_line(evidence) or None, bool(file_ref), one_line(note) or None, at, reporter)


async def _period_entries(session: AsyncSession, plan: Plan, start: datetime, end: datetime):
    """Every report on the plan's tasks made within the period, oldest first."""
    query = (
        select(
            StatusUpdate.task_id, StatusUpdate.status, StatusUpdate.percent, StatusUpdate.evidence,
            StatusUpdate.file_ref, StatusUpdate.note, StatusUpdate.reported_at, Person.name,
        )
        .join(Task, Task.id == StatusUpdate.task_id)
        .outerjoin(Person, Person.id == StatusUpdate.reporter_id)
        .where(Task.plan_id == plan.id, StatusUpdate.reported_at >= start, StatusUpdate.reported_at <= end)
        .order_by(StatusUpdate.reported_at, StatusUpdate.id)
    )
    return (await session.execute(query)).all()


async def _indicators(session: AsyncSession, plan: Plan, as_of: datetime, zone) -> list[IndicatorLine]:
    indicators = (await session.scalars(select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.id))).all()
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
        value = latest.get(indicator.id)
        lines.append(IndicatorLine(
            indicator.name, indicator.unit_of_measure, indicator.target, indicator.direction,
            value.value if value else None, value.reported_at.astimezone(zone).date() if value else None,
            achieved(indicator, value.value) if value else None,
        ))
    return lines


async def gather(
    session: AsyncSession,
    plan: Plan,
    period: Period,
    *,
    zone,
    now: datetime,
    mode: str = CALENDAR,
    unit: Unit | None = None,
) -> ReportData:
    """The report's data for a period, for the whole plan or for the tasks a
    unit (with the units below it) leads."""
    # As of the end of the period's last day; a period still running stops now.
    as_of = min(end_of(period, zone), now)
    as_of_day = as_of.astimezone(zone).date()
    views = await task_views(session, plan, as_of=as_of)
    if unit is not None:
        org = await Organisation.load(session)
        scope = org.subtree(unit.id)
        views = [v for v in views if org.role_of(v.task.assignments, scope) == "lead"]

    lines: dict[int, TaskLine] = {}
    states: list[TaskState] = []
    for view in views:
        task, latest = view.task, view.latest
        entry = None
        if latest is not None:
            entry = _entry(latest.status, latest.percent, latest.evidence, latest.file_ref, latest.note,
                           latest.reported_at, latest.reporter.name if latest.reporter else None)
        category = view.category(as_of_day, zone)
        done_on = view.done_at.astimezone(zone).date() if view.done_at and view.status == "done" else None
        lines[task.id] = TaskLine(
            code=task.code, area=view.area.code, content=one_line(task.content),
            evidence_required=one_line(task.evidence) or None, lead="; ".join(view.lead),
            coordinating="; ".join(view.coordinating), timeline=one_line(task.timeline),
            due_date=task.due_date, recurring=task.recurring, conditional=task.conditional,
            budget_vnd=task.budget_vnd, budget_text=task.budget_text, status=view.status,
            percent=view.percent, category=category, latest=entry, done_on=done_on,
            counted=not task.recurring and task.due_date is not None and task.due_date <= as_of_day,
        )
        states.append(TaskState(view.status, task.due_date, done_on, task.recurring, latest is not None))

    stuck_in_period: dict[int, Entry] = {}
    for task_id, status, percent, evidence, file_ref, note, at, reporter in await _period_entries(
        session, plan, start_of(period, zone), as_of
    ):
        line = lines.get(task_id)
        if line is None:
            continue
        entry = _entry(status, percent, evidence, file_ref, note, at, reporter)
        line.in_period = entry
        if entry.evidence:
            line.evidence, line.evidence_on = entry.evidence, at.astimezone(zone).date()
        if status == "stuck" and entry.note:
            stuck_in_period[task_id] = entry

    window = due_window(period)
    following = following_period(period, mode)
    next_window = due_window(following)
    ordered = list(lines.values())
    plan_areas = (await session.scalars(select(Area).where(Area.plan_id == plan.id).order_by(Area.position))).all()
    areas = _areas(plan_areas, ordered)
    blockers = [
        Blocker(lines[tid], e.note, e.at.astimezone(zone).date(), e.reporter, lines[tid].status != "stuck")
        for tid, e in stuck_in_period.items()
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


def _areas(plan_areas: list[Area], tasks: list[TaskLine]) -> list[AreaSection]:
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
            if line.in_period is not None:
                by_unit.setdefault(line.lead or "—", []).append(line)
        results = [UnitResults(unit, items) for unit, items in by_unit.items()]
        sections.append(AreaSection(area.code, area.name, sentence_case(area.name), mine, results, counts))
    return sections
