"""Periods as the periodic report uses them: which deadlines belong to a
period, what comes next, what a person types for a period, and a short code
for file names and option data."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from domain.periods import CALENDAR, Period, PeriodError, make_period, parse_period, period_containing
from domain.text import fold

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER = re.compile(r"^quy\s*(i{1,3}|iv|[1-4])\s*(?:/|nam|-|\s)\s*(\d{4})$")
_HALF = re.compile(r"^6 thang (dau|cuoi)(?: nam)?\s*/?\s*(\d{4})$")
_MONTHS = re.compile(r"^(\d{1,2}) thang dau(?: nam)?\s*/?\s*(\d{4})$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")


def parse_period_text(text: str, mode: str = CALENDAR) -> Period:
    """The CLI forms ('2026-Q1', '2026-H2', '2026', '2026-M5', a range) and
    the Vietnamese ones people type: 'quý I/2026', 'quý 1 2026', '6 tháng
    đầu năm 2026', '5 tháng đầu năm 2026', 'năm 2026'."""
    try:
        return parse_period(text, mode)
    except PeriodError:
        pass
    folded = re.sub(r"\s+", " ", fold(text).strip(" .")).strip()
    if m := _QUARTER.match(folded):
        number = int(m.group(1)) if m.group(1).isdigit() else _ROMAN[m.group(1)]
        return make_period("quarter", int(m.group(2)), number, mode)
    if m := _HALF.match(folded):
        return make_period("half", int(m.group(2)), 1 if m.group(1) == "dau" else 2, mode)
    if m := _MONTHS.match(folded):
        months = int(m.group(1))
        if 1 <= months <= 12:
            return make_period("months", int(m.group(2)), months, mode)
    if m := _YEAR.match(folded):
        return make_period("year", int(m.group(1)), mode=mode)
    raise PeriodError(text)


def period_code(period: Period) -> str:
    """'2026-Q1', '2026-H2', '2026', '2026-M5', '2026-03-15..2026-06-14'."""
    suffix = {"quarter": "Q", "half": "H", "months": "M"}.get(period.kind)
    if period.kind == "year":
        return str(period.year)
    if suffix:
        return f"{period.year}-{suffix}{period.number}"
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def due_window(period: Period) -> tuple[date, date]:
    """The deadlines that belong to a period: those within the period as
    named. Under Decree 09 a Q1 report's data stop on 14/03, yet its tasks are
    still those due in quý I (by 31/03), as in the seed report ("quý I/2026
    có 08 nhiệm vụ … đang thực hiện, dự kiến hoàn thành trong tháng 3/2026")."""
    if period.kind == "range":
        return period.start, period.end
    calendar = make_period(period.kind, period.year, period.number, CALENDAR)
    return calendar.start, calendar.end


def following_period(period: Period, mode: str = CALENDAR) -> Period:
    """The period the report's "Phương hướng" looks at: the next quarter,
    half or year; after "the first N months", the rest of the year; after a
    range, a range as long."""
    if period.kind in ("quarter", "half"):
        last = 4 if period.kind == "quarter" else 2
        if period.number < last:
            return make_period(period.kind, period.year, period.number + 1, mode)
        return make_period(period.kind, period.year + 1, 1, mode)
    if period.kind == "year":
        return make_period("year", period.year + 1, mode=mode)
    if period.kind == "months":
        if period.number == 12:
            return make_period("year", period.year + 1, mode=mode)
        _, end = due_window(period)
        return Period(end + timedelta(days=1), date(period.year, 12, 31), "range", period.year)
    length = period.end - period.start
    start = period.end + timedelta(days=1)
    return Period(start, start + length, "range", (start + length).year)


def end_of(period: Period, zone: tzinfo) -> datetime:
    """"As of" a period: the end of its last day in the configured zone."""
    return datetime.combine(period.end, time.max, zone)


def start_of(period: Period, zone: tzinfo) -> datetime:
    return datetime.combine(period.start, time.min, zone)


def choices(today: date, mode: str = CALENDAR) -> list[Period]:
    """The periods offered in chat, most wanted first: this quarter, last
    quarter, this half, the first half when in the second, this year, last
    year when early in the year."""
    this_quarter = period_containing(today, "quarter", mode)
    last_quarter = (
        make_period("quarter", this_quarter.year, this_quarter.number - 1, mode)
        if this_quarter.number > 1 else make_period("quarter", this_quarter.year - 1, 4, mode)
    )
    this_half = period_containing(today, "half", mode)
    this_year = period_containing(today, "year", mode)
    found = [this_quarter, last_quarter, this_half]
    if this_half.number == 2:
        found.append(make_period("half", this_half.year, 1, mode))
    found.append(this_year)
    if this_quarter.number == 1:
        found.append(make_period("year", this_year.year - 1, mode=mode))
    return list(dict.fromkeys(found))
