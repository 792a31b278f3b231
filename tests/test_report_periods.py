"""Pure helpers of the periodic report: periods as typed, the deadlines of a
period (Decree 09 included), what comes next, how tasks are counted, text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.periods import DECREE09, PeriodError, make_period
from domain.report_counts import TaskState, summarise
from domain.report_periods import choices, due_window, following_period, parse_period_text, period_code
from domain.report_text import format_measure, format_number, long_date, sentence_case
from services.texts import t


@pytest.mark.parametrize("text, kind, year, number", [
    ("2026-Q1", "quarter", 2026, 1), ("quý I/2026", "quarter", 2026, 1), ("Quý IV/2026", "quarter", 2026, 4),
    ("quy 2 2026", "quarter", 2026, 2), ("quý 3 năm 2026", "quarter", 2026, 3), ("2026-H2", "half", 2026, 2),
    ("6 tháng đầu năm 2026", "half", 2026, 1), ("6 tháng cuối năm 2026", "half", 2026, 2),
    ("2026-M5", "months", 2026, 5), ("5 tháng đầu năm 2026", "months", 2026, 5), ("năm 2026", "year", 2026, 0),
    ("2026", "year", 2026, 0),
])
def test_periods_as_people_type_them(text, kind, year, number):
    period = parse_period_text(text)
    assert (period.kind, period.year, period.number) == (kind, year, number)


@pytest.mark.parametrize("text", ["", "quý 5/2026", "2026-Q5", "13 tháng đầu năm 2026", "hôm qua", "2026-06-14..2026-03-15"])
def test_nonsense_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period_text(text)


@pytest.mark.parametrize("text", ["2026-Q1", "2026-H2", "2026", "2026-M5", "2026-03-15..2026-06-14"])
def test_period_code_round_trips(text):
    assert period_code(parse_period_text(text)) == text


def test_decree09_quarter_keeps_its_calendar_deadlines_but_cuts_data_on_the_14th():
    q1 = parse_period_text("2026-Q1", DECREE09)
    assert (q1.start, q1.end) == (date(2025, 12, 15), date(2026, 3, 14))
    assert due_window(q1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert due_window(parse_period_text("2026-03-15..2026-06-14")) == (date(2026, 3, 15), date(2026, 6, 14))


def test_what_comes_after_a_period():
    assert following_period(make_period("quarter", 2026, 4)) == make_period("quarter", 2027, 1)
    assert following_period(make_period("half", 2026, 1)) == make_period("half", 2026, 2)
    rest = following_period(make_period("months", 2026, 5))
    assert (rest.start, rest.end, rest.kind) == (date(2026, 6, 1), date(2026, 12, 31), "range")
    assert following_period(make_period("quarter", 2026, 1, DECREE09), DECREE09).start == date(2026, 3, 15)


def test_chat_choices_on_15_april():
    offered = [period_code(p) for p in choices(date(2026, 4, 15))]
    assert offered == ["2026-Q2", "2026-Q1", "2026-H1", "2026"]
    assert [period_code(p) for p in choices(date(2026, 2, 1))] == ["2026-Q1", "2025-Q4", "2026-H1", "2026", "2025"]
    assert [period_code(p) for p in choices(date(2026, 8, 1))] == ["2026-Q3", "2026-Q2", "2026-H2", "2026-H1", "2026"]


def test_short_labels_in_the_seed_style():
    assert t("periodic_short_label", p=parse_period_text("2026-Q1")) == "quý I/2026"
    assert t("periodic_short_label", p=parse_period_text("2026-M5")) == "5 tháng đầu năm 2026"
    assert t("periodic_short_label", p=parse_period_text("2026-03-15..2026-06-14")) == "từ 15/03/2026 đến 14/06/2026"


def _state(status, due=None, done_on=None, recurring=False, reported=True):
    return TaskState(status, due, done_on, recurring, reported)


def test_counting_recurring_period_and_four_way():
    q1 = (date(2026, 1, 1), date(2026, 3, 31))
    tasks = [
        _state("not_started", recurring=True, reported=False),  # carried out by convention
        _state("in_progress", recurring=True),
        _state("stuck", recurring=True),  # not carried out
        _state("done", date(2026, 3, 31), date(2026, 3, 31)),  # done on the due date: on time
        _state("done", date(2026, 2, 28), date(2026, 3, 2)),  # late
        _state("in_progress", date(2026, 3, 31)),  # due on the report's day: open on time
        _state("stuck", date(2026, 3, 31)),
        _state("not_started", date(2026, 3, 10)),  # overdue
        _state("done", date(2026, 6, 30), date(2026, 3, 20)),  # done early: not due yet, not counted
        _state("not_started"),  # no deadline
    ]
    p = summarise(tasks, q1, date(2026, 3, 31))
    assert (p.total, p.recurring, p.recurring_carried_out, p.without_deadline) == (10, 3, 2, 1)
    assert f"{p.recurring_share:.2f}" == "66.67"
    assert (p.in_period, p.in_period_done, p.in_period_open, p.in_period_stuck, p.in_period_not_started) == (5, 2, 2, 1, 1)
    c = p.counts
    assert (c["done_on_time"], c["done_late"], c["open_on_time"], c["overdue"], c.tracked) == (1, 1, 2, 1, 5)


def test_text_helpers():
    assert sentence_case("CẢI CÁCH THỦ TỤC HÀNH CHÍNH") == "Cải cách thủ tục hành chính"
    assert sentence_case("CÁC NHIỆM VỤ TRỌNG TÂM TRIỂN KHAI CCHC TRONG NĂM 2026") == "Các nhiệm vụ trọng tâm triển khai CCHC trong năm 2026"
    assert sentence_case("Cải cách thể chế") == "Cải cách thể chế"
    assert long_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert long_date(date(2026, 4, 15)) == "ngày 15 tháng 4 năm 2026"
    assert format_number(Decimal("1234.5000")) == "1.234,5"
    assert format_measure(Decimal("98.6000"), "%") == "98,6%"
    assert format_measure(Decimal("1250"), "hồ sơ") == "1.250 hồ sơ"
