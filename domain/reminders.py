"""Which reminder is due for a task on a day, and when a unit's silence goes
to its leader. Pure: a work calendar in, stages out; nothing is sent here.

A task with a due date has a sequence of stages: N days before (7 and 1 by
default), on the day, then every few working days while it is overdue. A
stage falls on a working day: the day itself, or the last working day before
it (a due date on a Sunday is reminded on the Friday); the first overdue
stage is the first working day after the due date. On any day, the stage that
"stands" is the latest one whose day has come: a scheduler that was down sends
that one late (it is still true) and skips the ones it superseded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from domain.periods import CALENDAR, Period, make_period
from domain.workdays import WorkCalendar


class ReminderSettings(Protocol):
    """The settings reminder rules are made from (bot.settings.Settings has them)."""

    reminder_days_before: list[int]
    reminder_overdue_every: int
    reminder_escalate_after: int
    report_reminder_days_before: list[int]


@dataclass(frozen=True)
class Rules:
    days_before: tuple[int, ...] = (7, 1)
    overdue_every: int = 3
    escalate_after: int = 2
    report_days_before: tuple[int, ...] = (7, 1)

    @classmethod
    def from_settings(cls, settings: ReminderSettings) -> Rules:
        return cls(
            tuple(settings.reminder_days_before), max(1, settings.reminder_overdue_every),
            max(1, settings.reminder_escalate_after), tuple(settings.report_reminder_days_before),
        )


@dataclass(frozen=True)
class Stage:
    kind: str  # "before" | "due" | "overdue"
    number: int  # days before, or the overdue reminder's rank (1, 2, …)
    day: date  # the working day it goes out

    @property
    def code(self) -> str:
        return {"before": "b", "due": "d", "overdue": "o"}[self.kind] + (str(self.number) if self.kind != "due" else "")


def _leading_stages(due: date, cal: WorkCalendar, rules: Rules) -> list[Stage]:
    """The stages up to the due date, in order; of two on one day, the later."""
    stages = [
        Stage("before", n, cal.on_or_before(due - timedelta(days=n)))
        for n in sorted(set(rules.days_before), reverse=True)
        if n > 0
    ]
    stages.append(Stage("due", 0, cal.on_or_before(due)))
    kept: list[Stage] = []
    for stage in stages:
        while kept and kept[-1].day >= stage.day:
            kept.pop()
        kept.append(stage)
    return kept


def first_overdue_day(due: date, cal: WorkCalendar) -> date:
    return cal.next_after(due)


def standing_stage(due: date, today: date, cal: WorkCalendar, rules: Rules) -> Stage | None:
    """The stage that stands on `today`: the latest whose day has come."""
    first = first_overdue_day(due, cal)
    if today >= first:
        rank = cal.between(first, today) // rules.overdue_every + 1
        return Stage("overdue", rank, cal.add(first, (rank - 1) * rules.overdue_every))
    standing = None
    for stage in _leading_stages(due, cal, rules):
        if stage.day <= today:
            standing = stage
    return standing


def stages_between(due: date, after: date, today: date, cal: WorkCalendar, rules: Rules) -> list[Stage]:
    """Every stage with after < day <= today, in order (to tell what a
    scheduler that was down has skipped)."""
    found = [s for s in _leading_stages(due, cal, rules) if after < s.day <= today]
    first = first_overdue_day(due, cal)
    if today >= first:
        last_rank = cal.between(first, today) // rules.overdue_every + 1
        for rank in range(1, last_rank + 1):
            day = cal.add(first, (rank - 1) * rules.overdue_every)
            if day > after:
                found.append(Stage("overdue", rank, day))
    return found


def snooze_until(today: date, days: int, cal: WorkCalendar) -> date:
    """"Remind me in N days": N working days on."""
    return cal.add(today, days)


# --- report periods ---------------------------------------------------------

@dataclass(frozen=True)
class ReportStage:
    deadline: date  # the last day of the period's data (calendar or Decree 09 cut-off)
    periods: tuple[Period, ...]  # every period ending that day: the quarter first, then half, year
    days_before: int
    day: date

    @property
    def quarter(self) -> Period:
        return self.periods[0]


def report_deadlines(year: int, mode: str = CALENDAR) -> list[tuple[date, tuple[Period, ...]]]:
    """Each quarter's end with the periods that end with it (H1 with Q2; H2 and the year with Q4)."""
    result = []
    for number in range(1, 5):
        quarter = make_period("quarter", year, number, mode)
        periods = [quarter]
        if number == 2:
            periods.append(make_period("half", year, 1, mode))
        if number == 4:
            periods += [make_period("half", year, 2, mode), make_period("year", year, 0, mode)]
        result.append((quarter.end, tuple(periods)))
    return result


def standing_report_stage(today: date, cal: WorkCalendar, rules: Rules, mode: str = CALENDAR) -> ReportStage | None:
    """The report reminder standing on `today`: the latest stage before the
    coming deadline whose day has come (None once the deadline has passed)."""
    for year in (today.year, today.year + 1):
        for deadline, periods in report_deadlines(year, mode):
            if deadline < today:
                continue
            standing = None
            for stage in report_stages(deadline, periods, cal, rules):
                if stage.day <= today:
                    standing = stage
            return standing
    return None


def report_stages(deadline: date, periods: tuple[Period, ...], cal: WorkCalendar, rules: Rules) -> list[ReportStage]:
    """The reminders before one deadline, in order; of two on one day, the later."""
    stages: list[ReportStage] = []
    for n in sorted({n for n in rules.report_days_before if n > 0}, reverse=True):
        stage = ReportStage(deadline, periods, n, cal.on_or_before(deadline - timedelta(days=n)))
        while stages and stages[-1].day >= stage.day:
            stages.pop()
        stages.append(stage)
    return stages


# --- escalation -------------------------------------------------------------

def should_escalate(unanswered_days: list[date], today: date, rules: Rules) -> bool:
    """A unit was reminded on `escalate_after` different days without an
    answer, and the last of those days is over."""
    days = sorted(set(unanswered_days))
    return len(days) >= rules.escalate_after and days[-1] < today
