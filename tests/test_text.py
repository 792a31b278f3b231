"""domain.text: folding Vietnamese text for matching, and the number/date
formats the seed reports use ("14.000.000", "66,67%", "04/08", "23/02/2026")."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.text import (
    collapse,
    fold,
    format_count,
    format_date,
    format_datetime,
    format_percent,
    format_vnd,
    key,
    strip_diacritics,
)

# --- fold / key ---------------------------------------------------------------


def test_fold_and_key_of_a_unit_name_with_an_en_dash():
    name = "Phòng Hành chính – Quản trị"
    assert fold(name) == "phong hanh chinh - quan tri"
    assert key(name) == "phong hanh chinh quan tri"


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"])
def test_every_dash_style_folds_to_a_hyphen(dash):
    assert fold(f"Phòng Hành chính {dash} Quản trị") == "phong hanh chinh - quan tri"
    assert key(f"Phòng Hành chính{dash}Quản trị") == "phong hanh chinh quan tri"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đ", "d"),
        ("đ", "d"),
        ("Đ/đ", "d/d"),
        ("Đảng ủy phường", "dang uy phuong"),
        ("HĐND", "hdnd"),
        ("Phục vụ Hành chính công", "phuc vu hanh chinh cong"),
        ("Ủy ban nhân dân tỉnh", "uy ban nhan dan tinh"),
        ("Tiếng Việt: ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự", "tieng viet: aaaaa aaaaa eeeee ooooo ooooo uuuuu"),
    ],
)
def test_fold_drops_marks_and_reads_d_bar_as_d(text, folded):
    assert fold(text) == folded


def test_strip_diacritics_keeps_case():
    assert strip_diacritics("Đà Nẵng") == "Da Nang"


def test_key_drops_punctuation_and_reads_ampersand_as_va():
    assert key("Đ/đ") == "d d"
    assert key("Trung tâm Tin học & Công báo") == "trung tam tin hoc va cong bao"
    assert key("Trung tâm Tin học&Công báo") == "trung tam tin hoc va cong bao"
    assert key("Trung tâm Tin học & Công báo") == key("Trung tâm Tin học và công báo")
    assert key("KH số 181/KH-VP") == "kh so 181 kh vp"
    assert key("snake_case") == "snake case"


def test_fold_collapses_wrapped_lines_and_spaces():
    # Cells extracted from the Word table arrive wrapped (seed 004).
    assert fold("Trung tâm Phục \n\nvụ Hành chính \n\ncông ") == "trung tam phuc vu hanh chinh cong"
    assert collapse("  a \t b\n") == "a b"


@pytest.mark.parametrize("empty", ["", None, "   ", "\n"])
def test_fold_and_key_of_nothing(empty):
    assert fold(empty) == ""
    assert key(empty) == ""


def test_decomposed_input_folds_like_composed():
    # Some Vietnamese keyboards ("Unicode tổ hợp") type decomposed letters.
    text = "Phòng Hành chính – Quản trị"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)
    assert key(unicodedata.normalize("NFD", text)) == key(text)


@given(st.text())
def test_fold_and_key_are_idempotent(text):
    assert fold(fold(text)) == fold(text)
    assert key(key(text)) == key(text)


@given(st.text())
def test_key_is_a_function_of_fold(text):
    assert key(fold(text)) == key(text)


# --- numbers and dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (14000000, "14.000.000"),
        (130000000, "130.000.000"),
        (3500000, "3.500.000"),
        (1000, "1.000"),
        (999, "999"),
        (0, "0"),
    ],
)
def test_format_vnd_uses_dots_for_thousands(amount, text):
    assert format_vnd(amount) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (200 / 3, "66,67%"),
        (66.666666, "66,67%"),
        (Decimal("66.6667"), "66,67%"),
        (50, "50%"),
        (50.0, "50%"),
        (100, "100%"),
        (0, "0%"),
        (81.84, "81,84%"),
        (12.5, "12,5%"),
        (10, "10%"),
    ],
)
def test_format_percent_uses_a_comma_and_drops_trailing_zeros(value, text):
    assert format_percent(value) == text


@pytest.mark.parametrize(("n", "text"), [(4, "04"), (8, "08"), (0, "00"), (14, "14"), (34, "34"), (100, "100")])
def test_format_count_takes_two_digits(n, text):
    assert format_count(n) == text


def test_count_phrase_as_in_the_seed_report():
    assert f"{format_count(4)}/{format_count(8)} nhiệm vụ" == "04/08 nhiệm vụ"


def test_format_date():
    assert format_date(date(2026, 2, 23)) == "23/02/2026"
    assert format_date(date(2026, 12, 1)) == "01/12/2026"
    assert format_date(datetime(2026, 3, 14, 17, 30)) == "14/03/2026"
    assert format_date(None) == ""


def test_format_datetime():
    assert format_datetime(datetime(2026, 4, 15, 9, 5)) == "09:05 15/04/2026"
    assert format_datetime(None) == ""
