"""The weekly digest's content for one scope, from plain task rows: the
four-way counts and recurring tasks, what changed in the week, what falls due
soon, the units furthest behind, and who has not reported this period. Pure:
the rows, the scope and the days in; numbers and lists out.

A task row needs: id, code, content, area_code, area_name, due_date, recurring,
status, open, reported_at, reporter, note, done_at, category(today, zone)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

from domain.periods import Period
from domain.progress import CATEGORIES, OVERDUE, RECURRING, Counts
from domain.report_text import sentence_case


@dataclass(frozen=True)
class Line:
    code: str
    content: str
    unit: str
    due: date | None = None
    who: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class UnitLine:
    name: str
    count: int  # overdue tasks, or tasks not reported
    of: int  # tasks with a deadline, or open tasks
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bar:
    label: str
    counts: tuple[int, ...]  # one per CATEGORIES entry, in that order


@dataclass
class Digest:
    scope: str | None  # unit name, None for the whole plan
    now: datetime
    since: datetime
    period: Period
    counts: Counts = field(default_factory=Counts)
    completed: list[Line] = field(default_factory=list)
    newly_overdue: list[Line] = field(default_factory=list)
    newly_stuck: list[Line] = field(default_factory=list)
    due_soon: list[Line] = field(default_factory=list)
    behind: list[UnitLine] = field(default_factory=list)
    silent: list[UnitLine] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    by_unit: bool = False  # bars per unit (a scope with sub-units), else per area

    @property
    def recurring(self) -> int:
        return self.counts[RECURRING]


class DigestTask(Protocol):
    """What a digest reads of a task (storage.schedule_data.TaskRow)."""

    id: int
    code: str
    content: str
    due_date: date | None
    status: str
    done_at: datetime | None
    reported_at: datetime | None
    reporter: str | None
    note: str | None
    area_code: str
    area_name: str

    @property
    def open(self) -> bool: ...

    def category(self, today: date, zone: tzinfo) -> str: ...


def build(tasks: Sequence[DigestTask], lead_units: Callable[[DigestTask], list[int]], unit_names: dict[int, str],
          scope: set[int] | None, scope_name: str | None, *, now: datetime, zone: tzinfo, period: Period,
          due_days: int = 14, officers: dict[int, list[str]] | None = None, behind_count: int = 3,
          categories: Callable[[DigestTask], str] | None = None) -> Digest:
    """`tasks` may be all the plan's tasks or only those some unit of the
    scope leads (the rest are left out anyway); `categories` may serve the
    tasks' categories as of today, worked out once for many digests."""
    local = now.astimezone(zone)
    today = local.date()
    since = now - timedelta(days=7)
    since_day = since.astimezone(zone).date()
    period_start = datetime.combine(period.start, time(0, 0), zone)
    digest = Digest(scope_name, now, since, period)
    per_unit: dict[int, list[int]] = {}  # unit -> [overdue, tracked, silent, open]
    by_area: dict[str, list[int]] = {}
    area_names: dict[str, str] = {}
    officers = officers or {}
    today_of = categories or (lambda task: task.category(today, zone))
    for task in tasks:
        units = lead_units(task)
        mine = units if scope is None else [u for u in units if u in scope]
        if not mine:
            continue
        category = today_of(task)
        digest.counts.add(category)
        unit = "; ".join(unit_names.get(u, "") for u in mine[:2]) + ("…" if len(mine) > 2 else "")
        if task.status == "done" and task.done_at is not None and task.done_at > since:
            digest.completed.append(Line(task.code, task.content, unit, task.due_date, task.reporter))
        if task.open and task.due_date is not None and since_day <= task.due_date < today:
            digest.newly_overdue.append(Line(task.code, task.content, unit, task.due_date))
        if task.status == "stuck" and task.reported_at is not None and task.reported_at > since:
            digest.newly_stuck.append(Line(task.code, task.content, unit, task.due_date, task.reporter, task.note))
        if task.open and task.due_date is not None and today <= task.due_date <= today + timedelta(days=due_days):
            digest.due_soon.append(Line(task.code, task.content, unit, task.due_date))
        silent = task.open and (task.reported_at is None or task.reported_at < period_start)
        for u in mine:
            stats = per_unit.setdefault(u, [0, 0, 0, 0])
            stats[0] += category == OVERDUE
            stats[1] += category != RECURRING
            stats[2] += silent
            stats[3] += task.open
        if category != RECURRING:
            bar = by_area.setdefault(task.area_code, [0, 0, 0, 0])
            bar[CATEGORIES.index(category)] += 1
            area_names[task.area_code] = task.area_name
    digest.due_soon.sort(key=lambda line: (line.due, line.code))
    if len(per_unit) > 1:  # "furthest behind" compares units
        digest.behind = sorted(
            (UnitLine(unit_names.get(u, ""), s[0], s[1]) for u, s in per_unit.items() if s[0]),
            key=lambda line: (-line.count, -line.count / max(1, line.of), line.name),
        )[:behind_count]
    digest.silent = sorted(
        (UnitLine(unit_names.get(u, ""), s[2], s[3], tuple(officers.get(u, ()))) for u, s in per_unit.items() if s[2]),
        key=lambda line: (-line.count, line.name),
    )
    digest.by_unit = scope is not None and len(scope) > 1 and len(per_unit) > 1
    if scope is not None and digest.by_unit:
        unit_bars: dict[int, list[int]] = {}
        for task in tasks:
            category = today_of(task)
            if category == RECURRING:
                continue
            for u in lead_units(task):
                if u in scope:
                    unit_bars.setdefault(u, [0, 0, 0, 0])[CATEGORIES.index(category)] += 1
        bars = (Bar(unit_names.get(u, ""), tuple(c)) for u, c in unit_bars.items())
        digest.bars = sorted(bars, key=lambda b: b.label)
    else:
        digest.bars = [Bar(f"{code}. {sentence_case(area_names[code])}", tuple(by_area[code])) for code in by_area]
    return digest
