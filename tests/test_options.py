"""dialogs.forms.match_option: an answer typed instead of pressing a button (and
on Zalo, which has no buttons, always typed): the option's number, its label,
or a typo of it. Whatever matches becomes the answer, so free text must not."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from dialogs.forms import OPTION_THRESHOLD, match_option
from domain.messages import Option
from domain.text import fold

# The report form's status question (dialogs/report.py, templates/messages.j2).
STATUS = [
    Option("Chưa triển khai", "s:not_started"),
    Option("Đang thực hiện", "s:in_progress"),
    Option("Hoàn thành", "s:done"),
    Option("Gặp vướng mắc", "s:stuck"),
]
LABELS = {o.data: o.label for o in STATUS}
SKIP = [Option("Bỏ qua", "skip")]

# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "data"),
    [
        ("1", "s:not_started"),
        ("2", "s:in_progress"),
        ("3", "s:done"),
        ("4", "s:stuck"),
        (" 2 ", "s:in_progress"),
        ("2.", "s:in_progress"),
        ("2)", "s:in_progress"),
        ("02", "s:in_progress"),
    ],
)
def test_a_number_picks_that_option(typed, data):
    assert match_option(typed, STATUS) == data


@pytest.mark.parametrize("typed", ["0", "5", "9", "10", "-1", "1.5", "00"])
def test_a_number_out_of_range_picks_nothing(typed):
    assert match_option(typed, STATUS) is None


def test_one_option_by_number():
    assert match_option("1", SKIP) == "skip"
    assert match_option("2", SKIP) is None


# --- labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "data"),
    [
        ("Hoàn thành", "s:done"),
        ("hoan thanh", "s:done"),
        ("HOÀN THÀNH", "s:done"),
        ("hoàn thành.", "s:done"),
        ("  Hoàn   thành ", "s:done"),
        ("dang thuc hien", "s:in_progress"),
        ("Chua trien khai", "s:not_started"),
        ("gặp vướng mắc", "s:stuck"),
    ],
)
def test_the_label_folded_picks_the_option(typed, data):
    assert match_option(typed, STATUS) == data


@pytest.mark.parametrize(("typed", "data"), [("bo qua", "skip"), ("Bỏ qua", "skip"), ("BỎ QUA", "skip"), ("bỏ qa", "skip")])
def test_skip_typed(typed, data):
    assert match_option(typed, SKIP) == data


@pytest.mark.parametrize(
    ("typed", "data"),
    [
        ("hoan thnh", "s:done"),
        ("hoàn thàn", "s:done"),
        ("hoan thanhf", "s:done"),  # Telex leftover
        ("dang thuc hein", "s:in_progress"),
        ("dang thuc hienj", "s:in_progress"),
        ("đang thưc hiên", "s:in_progress"),
        ("chua trien kai", "s:not_started"),
        ("chưa triễn khai", "s:not_started"),
        ("gap vuong mat", "s:stuck"),
        ("gap vuong mac", "s:stuck"),
    ],
)
def test_a_typo_of_a_label_picks_the_option(typed, data):
    assert match_option(typed, STATUS) == data


@pytest.mark.parametrize(
    "typed",
    [
        "KH số 181/KH-VP",
        "KH số 181/KH-VP ngày 23/02/2026",
        "Quyết định số 12/QĐ-UBND",
        "thiếu kinh phí",
        "chờ ý kiến sở",
        "bổ sung sau",
        "ok",
        "không",
        "qua",
        "bỏ",
        "",
        "   ",
        ".",
    ],
)
def test_free_text_does_not_pick_skip(typed):
    assert match_option(typed, SKIP) is None


def test_no_options_no_match():
    assert match_option("1", []) is None
    assert match_option("Hoàn thành", []) is None


def test_two_equally_close_labels_pick_nothing():
    options = [Option("Phòng Kinh tế 1", "u:1"), Option("Phòng Kinh tế 2", "u:2")]
    typed = "phong kinh te"
    assert fuzz.ratio(typed, fold(options[0].label)) == fuzz.ratio(typed, fold(options[1].label)) >= OPTION_THRESHOLD
    assert match_option(typed, options) is None
    # a closer one still wins
    assert match_option("phong kinh te 2", options) == "u:2"
    assert match_option("phong kinh tê 1", options) == "u:1"


def test_the_closer_of_two_labels_over_the_threshold_wins():
    options = [Option("Hoàn thành", "a"), Option("Hoàn thành sớm", "b")]
    typed = "hoan thanh so"
    assert OPTION_THRESHOLD <= fuzz.ratio(typed, "hoan thanh") < fuzz.ratio(typed, "hoan thanh som")
    assert match_option(typed, options) == "b"


# --- the threshold, tested ------------------------------------------------------------------------

# Typos of each status label: each must reach the threshold against its own
# label and stay below it against every other label.
STATUS_TYPOS = [
    ("chua trien kai", "s:not_started"),
    ("chưa triễn khai", "s:not_started"),
    ("chua trienkhai", "s:not_started"),
    ("chưa trển khai", "s:not_started"),
    ("dang thuc hein", "s:in_progress"),
    ("dang thuc hienj", "s:in_progress"),
    ("dang thuchien", "s:in_progress"),
    ("đang thự hiện", "s:in_progress"),
    ("hoan thnh", "s:done"),
    ("hoàn thàn", "s:done"),
    ("hoan thanhf", "s:done"),
    ("hoanthanh", "s:done"),
    ("gap vuong mat", "s:stuck"),
    ("gặp vương mắc", "s:stuck"),
    ("gap vuongmac", "s:stuck"),
    ("gặp vướn mắc", "s:stuck"),
]

# Free text an officer types in the report form: none may reach the threshold
# against any status label (or "Bỏ qua").
FREE_TEXT = [
    "KH số 181/KH-VP ngày 23/02/2026",
    "Báo cáo số 45/BC-VP",
    "thiếu kinh phí",
    "chờ ý kiến sở",
    "đã trình lãnh đạo",
    "đã ban hành",
    "tháng sau",
    "không rõ",
    "60%",
    "ok",
]


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations([fold(o.label) for o in STATUS], 2)))
def test_status_labels_are_far_apart(a, b):
    assert fuzz.ratio(a, b) < OPTION_THRESHOLD


@pytest.mark.parametrize(("typed", "data"), STATUS_TYPOS)
def test_status_typos_reach_their_label_only(typed, data):
    scores = {o.data: fuzz.ratio(fold(typed), fold(o.label)) for o in STATUS}
    assert scores[data] >= OPTION_THRESHOLD
    assert all(score < OPTION_THRESHOLD for other, score in scores.items() if other != data), scores
    assert match_option(typed, STATUS) == data


@pytest.mark.parametrize("typed", FREE_TEXT)
def test_free_text_stays_below_every_label(typed):
    for option in STATUS + SKIP:
        assert fuzz.ratio(fold(typed), fold(option.label)) < OPTION_THRESHOLD
    assert match_option(typed, STATUS) is None
    assert match_option(typed, SKIP) is None


# Phrases with a meaning of their own that sit close to a label of another
# meaning: "chưa hoàn thành" (not yet done) is 80 from "Hoàn thành", "đang
# triển khai" (being rolled out) is 80 from "Chưa triển khai". parse_status
# reads both right; match_option runs first in the form and decides.
OPPOSITE_MEANING = [
    ("chưa hoàn thành", "s:in_progress"),
    ("chua hoan thanh", "s:in_progress"),
    ("đang triển khai", "s:in_progress"),
]


@pytest.mark.parametrize(("typed", "meant"), OPPOSITE_MEANING)
def test_a_phrase_of_opposite_meaning_does_not_pick_the_label(typed, meant):
    assert match_option(typed, STATUS) in (None, meant)


@pytest.mark.parametrize(("typed", "meant"), OPPOSITE_MEANING)
def test_opposite_meaning_scores_below_the_threshold(typed, meant):
    """Each phrase is as close as 80 to a label of another meaning; the
    threshold sits above that."""
    closest = max(STATUS, key=lambda o: fuzz.ratio(fold(typed), fold(o.label)))
    assert closest.data != meant
    assert fuzz.ratio(fold(typed), fold(closest.label)) < OPTION_THRESHOLD


# --- never raise ------------------------------------------------------------------------------------


@given(st.text().filter(lambda t: not any(ch.isdigit() and not ch.isdecimal() for ch in t)))
def test_match_option_returns_an_option_or_none(text):
    assert match_option(text, STATUS) in (None, *LABELS)
    assert match_option(text, SKIP) in (None, "skip")


@given(st.text())
@example("²")
@example("①")
def test_match_option_never_raises(text):
    match_option(text, STATUS)
