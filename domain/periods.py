"""Report periods: quarters, halves, years, the first N months, or any range,
cut by the calendar or by Decree 09/2019/NĐ-CP (art. 12: from the 15th of the
month before the period to the 14th of its last month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

CALENDAR = "calendar"
DECREE09 = "decree09"

_FORMS = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|M(?:[1-9]|1[0-2])))?$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # "quarter" | "half" | "year" | "months" | "range"
    year: int
    number: int = 0  # quarter 1–4, half 1–2, months 1–12

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _last_day(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _span(year: int, first_month: int, last_month: int, mode: str) -> tuple[date, date]:
    if mode == DECREE09:
        before = date(year, first_month, 1) - timedelta(days=1)
        return date(before.year, before.month, 15), date(year, last_month, 14)
    return date(year, first_month, 1), _last_day(year, last_month)


def make_period(kind: str, year: int, number: int = 0, mode: str = CALENDAR) -> Period:
    months = {
        "quarter": (3 * number - 2, 3 * number),
        "half": (6 * number - 5, 6 * number),
        "year": (1, 12),
        "months": (1, number),
    }[kind]
    start, end = _span(year, *months, mode)
    return Period(start, end, kind, year, number)


def parse_period(text: str, mode: str = CALENDAR) -> Period:
    """'2026-Q1', '2026-H2', '2026', '2026-M5', '2026-03-15..2026-06-14'."""
    text = (text or "").strip()
    if m := _RANGE.match(text):
        try:
            start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError as error:
            raise PeriodError(text) from error
        if end < start:
            raise PeriodError(text)
        return Period(start, end, "range", end.year)
    m = _FORMS.match(text)
    if not m or not 1900 <= int(m.group(1)) <= 9998:
        raise PeriodError(text)
    year, part = int(m.group(1)), (m.group(2) or "").upper()
    if not part:
        return make_period("year", year, mode=mode)
    kind = {"Q": "quarter", "H": "half", "M": "months"}[part[0]]
    return make_period(kind, year, int(part[1:]), mode)


def period_containing(day: date, kind: str = "quarter", mode: str = CALENDAR) -> Period:
    """The quarter/half/year whose data window contains a day."""
    counts = {"quarter": 4, "half": 2, "year": 1}[kind]
    for year in (day.year, day.year + 1):
        for number in range(1, counts + 1):
            period = make_period(kind, year, number if kind != "year" else 0, mode)
            if period.contains(day):
                return period
    raise PeriodError(str(day))  # unreachable: periods tile the calendar

