"""How progress is counted: the four ways of the Government Office's task
tracking (done on time, done late, open on time, overdue), recurring tasks apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DONE_ON_TIME = "done_on_time"  # hoàn thành trong hạn
DONE_LATE = "done_late"  # hoàn thành quá hạn
OPEN_ON_TIME = "open_on_time"  # đang thực hiện, trong hạn
OVERDUE = "overdue"  # quá hạn
RECURRING = "recurring"  # thường xuyên: counted apart
CATEGORIES = (DONE_ON_TIME, DONE_LATE, OPEN_ON_TIME, OVERDUE)


def classify(status: str, due_date: date | None, done_on: date | None, recurring: bool, as_of: date) -> str:
    """One task's category as of a day. `done_on` is the day it became done
    (None when it is not done as of that day)."""
    if recurring:
        return RECURRING
    if status == "done" and done_on is not None:
        return DONE_LATE if due_date is not None and done_on > due_date else DONE_ON_TIME
    if due_date is not None and due_date < as_of:
        return OVERDUE
    return OPEN_ON_TIME


@dataclass
class Counts:
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*CATEGORIES, RECURRING), 0))

    def add(self, category: str) -> None:
        self.by_category[category] += 1

    def __getitem__(self, category: str) -> int:
        return self.by_category[category]

    @property
    def tracked(self) -> int:
        """Tasks with a deadline or none, recurring ones excluded."""
        return sum(self.by_category[c] for c in CATEGORIES)

    @property
    def total(self) -> int:
        return self.tracked + self.by_category[RECURRING]

    @property
    def done(self) -> int:
        return self.by_category[DONE_ON_TIME] + self.by_category[DONE_LATE]

    def share(self, category_or_done: str) -> float:
        """Percent of tracked tasks, 0–100."""
        value = self.done if category_or_done == "done" else self.by_category[category_or_done]
        return 100.0 * value / self.tracked if self.tracked else 0.0
