"""Working days and working hours: Monday to Friday, less the public holidays
of a country (the `holidays` package: Vietnam's Tết, 30/4, 1/5, 2/9, Giỗ Tổ
Hùng Vương with their substitute days), with make-up days either way."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol

import holidays


@lru_cache(maxsize=64)
def public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


def parse_hhmm(value: str) -> time:
    """'07:30' -> time(7, 30); raises ValueError otherwise."""
    hours, _, minutes = value.strip().partition(":")
    return time(int(hours), int(minutes or 0))


class CalendarSettings(Protocol):
    """The settings a work calendar is made from (bot.settings.Settings has them)."""

    holiday_country: str
    extra_holidays: list[date]
    extra_working_days: list[date]
    reminder_hours_start: str
    reminder_hours_end: str


class WorkCalendar:
    """Which days are working days, and which hours of them are for messages."""

    def __init__(self, country: str = "VN", *, extra_holidays: Iterable[date] = (),
                 extra_working_days: Iterable[date] = (),
                 hours_start: time = time(7, 30), hours_end: time = time(17, 30)):
        self.country = country
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_working_days = frozenset(extra_working_days)
        self.hours_start = hours_start
        self.hours_end = hours_end
        self._years: dict[int, tuple[list[date], set[date]]] = {}

    @classmethod
    def from_settings(cls, settings: CalendarSettings) -> WorkCalendar:
        return cls(
            settings.holiday_country,
            extra_holidays=settings.extra_holidays,
            extra_working_days=settings.extra_working_days,
            hours_start=parse_hhmm(settings.reminder_hours_start),
            hours_end=parse_hhmm(settings.reminder_hours_end),
        )

    def _year(self, year: int) -> tuple[list[date], set[date]]:
        if year not in self._years:
            off = public_holidays(self.country, year) if self.country else frozenset()
            day, days = date(year, 1, 1), []
            while day.year == year:
                weekday = day.weekday() < 5 and day not in off and day not in self.extra_holidays
                if day in self.extra_working_days or weekday:
                    days.append(day)
                day += timedelta(days=1)
            self._years[year] = (days, set(days))
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        return day in self._year(day.year)[1]

    def holiday_name(self, day: date) -> str | None:
        names = holidays.country_holidays(self.country, years=day.year) if self.country else {}
        return names.get(day)

    def in_working_hours(self, local: datetime) -> bool:
        """A working day, between the start and the end of the hours (both included)."""
        hour = local.time().replace(tzinfo=None)
        return self.is_working_day(local.date()) and self.hours_start <= hour <= self.hours_end

    def on_or_before(self, day: date) -> date:
        """The day itself if it is a working day, else the last working day before it."""
        year = day.year
        while True:
            days = self._year(year)[0]
            i = bisect_right(days, day)
            if i:
                return days[i - 1]
            year -= 1
            day = date(year, 12, 31)

    def next_after(self, day: date) -> date:
        """The first working day after `day`."""
        return self.add(day, 1)

    def add(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (the day itself for 0)."""
        if count <= 0:
            return day
        year = day.year
        position = bisect_right(self._year(year)[0], day) + count - 1
        while True:
            days = self._year(year)[0]
            if position < len(days):
                return days[position]
            position -= len(days)
            year += 1

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when end <= start."""
        if end <= start:
            return 0
        total, year = 0, start.year
        while year <= end.year:
            days = self._year(year)[0]
            low = bisect_right(days, start) if year == start.year else 0
            high = bisect_right(days, end) if year == end.year else len(days)
            total += high - low
            year += 1
        return total
