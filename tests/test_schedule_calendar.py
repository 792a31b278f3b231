"""Working days, quiet hours and reminder stages: pure functions, Vietnamese
holidays of 2026 from the holidays package."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from bot.settings import Settings
from domain.periods import DECREE09
from domain.reminders import (
    Rules,
    Stage,
    report_deadlines,
    should_escalate,
    snooze_until,
    stages_between,
    standing_report_stage,
    standing_stage,
)
from domain.workdays import WorkCalendar
from tests.conftest import VN

CAL = WorkCalendar("VN")
RULES = Rules()
d = date


def test_vietnamese_holidays_of_2026_are_days_off():
    for day in (d(2026, 1, 1), d(2026, 2, 16), d(2026, 2, 20), d(2026, 4, 27), d(2026, 4, 30), d(2026, 5, 1),
                d(2026, 9, 1), d(2026, 9, 2)):
        assert not CAL.is_working_day(day), day
    assert CAL.is_working_day(d(2026, 4, 28)) and not CAL.is_working_day(d(2026, 4, 25))  # Tuesday; Saturday
    assert CAL.holiday_name(d(2026, 4, 30)) is not None


def test_moving_over_days_off():
    assert CAL.on_or_before(d(2026, 5, 3)) == d(2026, 4, 29)  # Sunday, Saturday, 1/5, 30/4 off
    assert CAL.on_or_before(d(2026, 4, 29)) == d(2026, 4, 29)
    assert CAL.next_after(d(2026, 4, 24)) == d(2026, 4, 28)  # over the weekend and Giỗ Tổ
    assert CAL.add(d(2026, 4, 29), 1) == d(2026, 5, 4)
    assert CAL.add(d(2026, 12, 30), 3) == d(2027, 1, 5)  # 31/12, (1/1 off), 4/1, 5/1
    assert CAL.between(d(2026, 4, 24), d(2026, 5, 4)) == 3  # 28/4, 29/4, 4/5
    assert CAL.between(d(2026, 5, 4), d(2026, 4, 24)) == 0
    assert CAL.between(d(2025, 12, 31), d(2026, 1, 5)) == 2  # 2/1 and 5/1


def test_quiet_hours():
    def local(day, hh, mm):
        return datetime(day.year, day.month, day.day, hh, mm, tzinfo=VN)

    tuesday = d(2026, 4, 28)
    assert not CAL.in_working_hours(local(tuesday, 7, 29))
    assert CAL.in_working_hours(local(tuesday, 7, 30)) and CAL.in_working_hours(local(tuesday, 17, 30))
    assert not CAL.in_working_hours(local(tuesday, 17, 31)) and not CAL.in_working_hours(local(tuesday, 22, 0))
    assert not CAL.in_working_hours(local(d(2026, 4, 30), 9, 0))  # a holiday


def test_settings_configure_the_calendar():
    settings = Settings(database_url="unused://", extra_holidays=[d(2026, 4, 29)], extra_working_days=[d(2026, 4, 25)],
                        reminder_hours_start="08:00", reminder_hours_end="17:00", holiday_country="VN")
    cal = WorkCalendar.from_settings(settings)
    assert not cal.is_working_day(d(2026, 4, 29)) and cal.is_working_day(d(2026, 4, 25))  # a make-up Saturday
    assert (cal.hours_start, cal.hours_end) == (time(8, 0), time(17, 0))
    assert Rules.from_settings(Settings(database_url="unused://", reminder_days_before=[5, 2])).days_before == (5, 2)


def stage_on(due, today, rules=RULES):
    stage = standing_stage(due, today, CAL, rules)
    return (stage.code, stage.day) if stage else None


def test_stages_of_a_task_due_on_a_monday_after_the_holidays():
    due = d(2026, 5, 4)
    assert stage_on(due, d(2026, 4, 23)) is None
    assert stage_on(due, d(2026, 4, 24)) == ("b7", d(2026, 4, 24))  # 27/4 is off: the Friday before
    assert stage_on(due, d(2026, 4, 28)) == ("b7", d(2026, 4, 24))  # still standing, not yet superseded
    assert stage_on(due, d(2026, 4, 29)) == ("b1", d(2026, 4, 29))  # 3/5 is a Sunday, then 2/5, 1/5, 30/4
    assert stage_on(due, d(2026, 5, 4)) == ("d", d(2026, 5, 4))
    assert stage_on(due, d(2026, 5, 5)) == ("o1", d(2026, 5, 5))
    assert stage_on(due, d(2026, 5, 7)) == ("o1", d(2026, 5, 5))
    assert stage_on(due, d(2026, 5, 8)) == ("o2", d(2026, 5, 8))
    assert stage_on(due, d(2026, 5, 13)) == ("o3", d(2026, 5, 13))
    every_day = Rules(overdue_every=1)
    assert stage_on(due, d(2026, 5, 6), every_day) == ("o2", d(2026, 5, 6))


def test_stages_falling_on_one_day_keep_the_nearer():
    due = d(2026, 5, 3)  # a Sunday: "1 day before" and "on the day" both fall on Wednesday 29/4
    assert stage_on(due, d(2026, 4, 29)) == ("d", d(2026, 4, 29))
    assert [s.code for s in stages_between(due, d(2026, 4, 1), d(2026, 5, 5), CAL, RULES)] == ["b7", "d", "o1"]


def test_stages_missed_while_down():
    missed = stages_between(d(2026, 4, 15), d(2026, 4, 14), d(2026, 4, 28), CAL, RULES)
    assert missed == [Stage("due", 0, d(2026, 4, 15)), Stage("overdue", 1, d(2026, 4, 16)),
                      Stage("overdue", 2, d(2026, 4, 21)), Stage("overdue", 3, d(2026, 4, 24))]


def test_report_periods_and_their_reminders():
    assert [deadline for deadline, _ in report_deadlines(2026)] == [d(2026, 3, 31), d(2026, 6, 30), d(2026, 9, 30), d(2026, 12, 31)]
    assert [deadline for deadline, _ in report_deadlines(2026, DECREE09)] == [d(2026, 3, 14), d(2026, 6, 14), d(2026, 9, 14), d(2026, 12, 14)]
    q4 = report_deadlines(2026)[3][1]
    assert [p.kind for p in q4] == ["quarter", "half", "year"]
    stage = standing_report_stage(d(2026, 6, 23), CAL, RULES)
    assert (stage.deadline, stage.days_before, stage.day, stage.quarter.number) == (d(2026, 6, 30), 7, d(2026, 6, 23), 2)
    assert standing_report_stage(d(2026, 6, 22), CAL, RULES) is None
    assert standing_report_stage(d(2026, 6, 29), CAL, RULES).days_before == 1
    # Decree 09: quý II ends Sunday 14/06; 7 days before is a Sunday, 1 day before a Saturday: both Fridays.
    assert standing_report_stage(d(2026, 6, 5), CAL, RULES, DECREE09).day == d(2026, 6, 5)
    assert standing_report_stage(d(2026, 6, 12), CAL, RULES, DECREE09).days_before == 1
    assert standing_report_stage(d(2026, 6, 15), CAL, RULES, DECREE09) is None


@pytest.mark.parametrize("days, today, expected", [
    ([d(2026, 4, 14), d(2026, 4, 15)], d(2026, 4, 16), True),
    ([d(2026, 4, 14), d(2026, 4, 15)], d(2026, 4, 15), False),  # the second is not over yet
    ([d(2026, 4, 14), d(2026, 4, 14)], d(2026, 4, 16), False),  # twice on one day counts once
    ([d(2026, 4, 14)], d(2026, 4, 20), False),
])
def test_escalation_rule(days, today, expected):
    assert should_escalate(days, today, RULES) is expected


def test_snooze_counts_working_days():
    assert snooze_until(d(2026, 4, 24), 1, CAL) == d(2026, 4, 28)
    assert snooze_until(d(2026, 4, 24), 3, CAL) == d(2026, 5, 4)
