"""How the periodic report counts, with no I/O.

- Every active task of the plan (or of the unit) is in `total`.
- Recurring tasks ("Thường xuyên") are apart. The seed report calls them done
  at 100% while they are carried out; one whose latest report says stuck or
  not started is not being carried out, and lowers that share.
- "Tasks of the period" are the other tasks due within the period as named
  (domain.report_periods.due_window); of those, done as of the period's end,
  open (in progress or stuck), and not started.
- The four-way counts (domain.progress) cover the non-recurring tasks due by
  the period's end, each as it stood at that end.
- Tasks with no deadline ("Khi có văn bản…") are counted apart as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.progress import Counts, classify


@dataclass(frozen=True)
class TaskState:
    status: str  # not_started / in_progress / done / stuck, as of the period's end
    due_date: date | None
    done_on: date | None  # the day it became done, when done
    recurring: bool
    reported: bool = True  # False: nobody has reported on it yet


@dataclass
class Progress:
    total: int = 0
    recurring: int = 0
    recurring_carried_out: int = 0
    without_deadline: int = 0
    in_period: int = 0
    in_period_done: int = 0
    in_period_open: int = 0  # in progress or stuck
    in_period_stuck: int = 0
    in_period_not_started: int = 0
    counts: Counts = field(default_factory=Counts)  # four-way, tasks due by the period's end

    @property
    def recurring_share(self) -> float:
        return 100.0 * self.recurring_carried_out / self.recurring if self.recurring else 0.0

    @property
    def in_period_share(self) -> float:
        return 100.0 * self.in_period_done / self.in_period if self.in_period else 0.0


def summarise(tasks: list[TaskState], window: tuple[date, date], as_of: date) -> Progress:
    progress = Progress()
    first, last = window
    for task in tasks:
        progress.total += 1
        if task.recurring:
            progress.recurring += 1
            if task.status not in ("stuck", "not_started") or not task.reported:
                progress.recurring_carried_out += 1
            continue
        if task.due_date is None:
            progress.without_deadline += 1
        if task.due_date is not None and first <= task.due_date <= last:
            progress.in_period += 1
            if task.status == "done":
                progress.in_period_done += 1
            elif task.status in ("in_progress", "stuck"):
                progress.in_period_open += 1
                progress.in_period_stuck += task.status == "stuck"
            else:
                progress.in_period_not_started += 1
        if task.due_date is not None and task.due_date <= as_of:
            progress.counts.add(classify(task.status, task.due_date, task.done_on, False, as_of))
    return progress
