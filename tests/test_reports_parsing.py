"""domain.reports: what officers type — task codes, status words, percentages,
and one-line quick reports such as "III.2 hoàn thành, KH số 181/KH-VP ngày
23/02/2026"."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.reports import QuickReport, parse_percent, parse_quick_report, parse_status, task_code
from domain.text import fold

# --- task_code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("iii.2", "III.2"),
        ("III.2", "III.2"),
        ("III-2", "III.2"),
        ("III. 2", "III.2"),
        ("III .2", "III.2"),
        ("III.02", "III.2"),
        ("  vii.5 xong", "VII.5"),
        ("I.1", "I.1"),
        ("IV.12", "IV.12"),
        ("VI.3 hoàn thành", "VI.3"),
        ("vii.5, đang thực hiện", "VII.5"),
        # Areas run I…VII in the seeds, but the code is read by its shape; whether
        # area X exists is for the plan to say ("X.1 is not your task").
        ("X.1", "X.1"),
        ("VIII.1", "VIII.1"),
    ],
)
def test_task_code(text, code):
    assert task_code(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "hello",
        "3.2",  # an Arabic area number is not a code
        "III",
        "III.",
        "III 2",  # no separator
        "iii.2a",
        "III.1000",
        "ll.2",  # two lower-case L, not a Roman numeral
        "Hoạt động 2",
        "KH số 181/KH-VP",
        "báo cáo III.2",  # the code must come first
    ],
)
def test_not_a_task_code(text):
    assert task_code(text) is None


# --- parse_status ---------------------------------------------------------------------

STATUS_PHRASES = [
    ("Chưa triển khai", "chua trien khai", "not_started"),
    ("Chưa thực hiện", "chua thuc hien", "not_started"),
    ("Chưa làm", "chua lam", "not_started"),
    ("Chưa bắt đầu", "chua bat dau", "not_started"),
    ("Chưa hoàn thành", "chua hoan thanh", "in_progress"),
    ("Đang thực hiện", "dang thuc hien", "in_progress"),
    ("Đang triển khai", "dang trien khai", "in_progress"),
    ("Đang làm", "dang lam", "in_progress"),
    ("Đang TH", "dang th", "in_progress"),
    ("Đang xử lý", "dang xu ly", "in_progress"),
    ("Đã hoàn thành", "da hoan thanh", "done"),
    ("Hoàn thành", "hoan thanh", "done"),
    ("Đã xong", "da xong", "done"),
    ("Xong", "xong", "done"),
    ("HT", "ht", "done"),
    ("Gặp vướng mắc", "gap vuong mac", "stuck"),
    ("Vướng mắc", "vuong mac", "stuck"),
    ("Bị vướng", "bi vuong", "stuck"),
    ("Vướng", "vuong", "stuck"),
    ("Khó khăn", "kho khan", "stuck"),
    ("Gặp khó khăn", "gap kho khan", "stuck"),
]


@pytest.mark.parametrize(("with_marks", "without_marks", "status"), STATUS_PHRASES)
def test_every_status_phrase_with_and_without_diacritics(with_marks, without_marks, status):
    assert fold(with_marks) == without_marks
    for text in (with_marks, without_marks, with_marks.upper(), with_marks.lower(), f"  {with_marks}  "):
        assert parse_status(text) == (status, "")


@pytest.mark.parametrize(("with_marks", "without_marks", "status"), STATUS_PHRASES)
def test_the_text_after_the_status_is_kept_as_written(with_marks, without_marks, status):
    assert parse_status(f"{with_marks}: thiếu kinh phí") == (status, "thiếu kinh phí")
    assert parse_status(f"{without_marks}, KH số 181/KH-VP") == (status, "KH số 181/KH-VP")
    assert parse_status(f"{with_marks} - Đã trình Sở") == (status, "Đã trình Sở")


def test_not_yet_done_is_in_progress_not_done():
    assert parse_status("chưa hoàn thành") == ("in_progress", "")
    assert parse_status("Chưa hoàn thành, còn thiếu số liệu") == ("in_progress", "còn thiếu số liệu")
    assert parse_status("chua hoan thanh")[0] == "in_progress"
    assert parse_status("CHƯA HOÀN THÀNH")[0] == "in_progress"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "chưa",
        "hoàn",
        "không hoàn thành",  # not a phrase the product knows: better ask than guess
        "chưa xong",  # "xong" must start the text
        "hoàn thànhx",  # a status word must end at a word boundary
        "htx",
        "xongxuôi",
        "vuongmac",
        "KH số 181/KH-VP",
        "60%",
    ],
)
def test_no_status(text):
    assert parse_status(text) == (None, text)


def test_the_longest_phrase_wins():
    assert parse_status("đã hoàn thành") == ("done", "")
    assert parse_status("gặp khó khăn do thiếu người") == ("stuck", "do thiếu người")
    assert parse_status("vướng mắc về thủ tục") == ("stuck", "về thủ tục")


@pytest.mark.parametrize(
    "text",
    [
        "vướng  mắc: thiếu kinh phí",
        unicodedata.normalize("NFD", "vướng mắc: thiếu kinh phí"),
    ],
)
def test_the_tail_survives_spacing_and_decomposed_letters(text):
    status, tail = parse_status(text)
    assert status == "stuck"
    assert unicodedata.normalize("NFC", tail) == "thiếu kinh phí"


# --- parse_percent -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("60", 60),
        ("60%", 60),
        (" 60 % ", 60),
        ("0", 0),
        ("0%", 0),
        ("100", 100),
        ("100%", 100),
        ("5", 5),
        ("060", 60),
    ],
)
def test_parse_percent(text, value):
    assert parse_percent(text) == value


@pytest.mark.parametrize(
    "text",
    ["150", "101", "150%", "abc", "-5", "+5", "6O", "60.5", "60,5", "", " ", "%", "sáu mươi", "1e2", "60 70"],
)
def test_not_a_percent(text):
    assert parse_percent(text) is None


@pytest.mark.parametrize("text", ["²", "5²", "①"])
def test_parse_percent_never_raises_on_digit_like_characters(text):
    assert parse_percent(text) is None


def _no_digit_like_symbols(text: str) -> bool:
    return not any(ch.isdigit() and not ch.isdecimal() for ch in text)


@given(st.text().filter(_no_digit_like_symbols))
def test_parse_percent_is_none_or_in_range(text):
    value = parse_percent(text)
    assert value is None or 0 <= value <= 100


@given(st.text())
@example("²")
def test_parse_percent_never_raises(text):
    value = parse_percent(text)
    assert value is None or 0 <= value <= 100


# --- parse_quick_report ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "III.2 hoàn thành, KH số 181/KH-VP ngày 23/02/2026",
            QuickReport("III.2", "done", None, "KH số 181/KH-VP ngày 23/02/2026", None),
        ),
        (
            "iii.2 hoan thanh: Kế hoạch số 181/KH-VP",
            QuickReport("III.2", "done", None, "Kế hoạch số 181/KH-VP", None),
        ),
        ("III.2 hoàn thành", QuickReport("III.2", "done", None, None, None)),
        ("III.2 xong", QuickReport("III.2", "done", None, None, None)),
        ("iii.2 dang thuc hien 60%", QuickReport("III.2", "in_progress", 60, None, None)),
        ("III.2 đang thực hiện 60 %", QuickReport("III.2", "in_progress", 60, None, None)),
        ("III.2 đang thực hiện 60 phần trăm", QuickReport("III.2", "in_progress", 60, None, None)),
        (
            "III.2 đang thực hiện 60%, chờ ý kiến sở",
            QuickReport("III.2", "in_progress", 60, None, "chờ ý kiến sở"),
        ),
        ("III.2 đang thực hiện", QuickReport("III.2", "in_progress", None, None, None)),
        ("III.2 chưa hoàn thành 30%", QuickReport("III.2", "in_progress", 30, None, None)),
        (
            "III.2 vướng mắc: thiếu kinh phí",
            QuickReport("III.2", "stuck", None, None, "thiếu kinh phí"),
        ),
        (
            "III.2 gặp khó khăn do thiếu người",
            QuickReport("III.2", "stuck", None, None, "do thiếu người"),
        ),
        ("III.2 vướng mắc", QuickReport("III.2", "stuck", None, None, None)),
        ("III.2 chưa triển khai", QuickReport("III.2", "not_started", None, None, None)),
        ("III.2: hoàn thành - KH 181", QuickReport("III.2", "done", None, "KH 181", None)),
        ("  vii.5 xong", QuickReport("VII.5", "done", None, None, None)),
    ],
)
def test_parse_quick_report(text, expected):
    assert parse_quick_report(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "III.2",  # a code alone is not a report
        "III.2 ",
        "III.2 150%",  # no status
        "III.2 60%",
        "III.2 đã gửi báo cáo",  # no known status phrase
        "báo cáo III.2 hoàn thành",
        "3.2 hoàn thành",
        "",
    ],
)
def test_not_a_quick_report(text):
    assert parse_quick_report(text) is None


@pytest.mark.parametrize("text", ["III.2 đang thực hiện 150%", "III.2 đang thực hiện 1000%", "III.2 dang thuc hien 101 %"])
def test_a_percent_over_100_is_never_recorded(text):
    report = parse_quick_report(text)
    # None (the text is not understood) or a report that asks for the percent again
    assert report is None or (report.status == "in_progress" and report.percent is None)


def test_the_percent_is_read_only_for_work_in_progress():
    report = parse_quick_report("III.2 chưa triển khai 20%")
    assert report.status == "not_started" and report.percent is None


def test_done_at_100_percent_is_not_evidence():
    report = parse_quick_report("III.2 hoàn thành 100%")
    assert report.status == "done"
    assert report.evidence is None


def test_quick_report_typed_with_decomposed_letters():
    text = unicodedata.normalize("NFD", "III.2 hoàn thành, KH số 181/KH-VP ngày 23/02/2026")
    report = parse_quick_report(text)
    assert unicodedata.normalize("NFC", report.evidence) == "KH số 181/KH-VP ngày 23/02/2026"


# --- never raise -----------------------------------------------------------------------------

_words = st.sampled_from(
    ["III.2", "iii.2", "VII-5", "X.1", "hoàn thành", "hoan thanh", "đang thực hiện", "chưa hoàn thành",
     "vướng mắc", "gặp khó khăn", "ht", "xong", "60%", "150%", "60 phần trăm", ",", ":", " - ", "  ", "\n",
     "KH số 181/KH-VP ngày 23/02/2026", "²", "①", "İ", "ß", "\u0301", "đ", "Đ"]
)
_vietnamese_ish = st.lists(st.one_of(_words, st.text(max_size=8)), max_size=8).map("".join)


@given(st.one_of(st.text(), _vietnamese_ish))
@example("III.2 hoàn thành İİİ")
@example("III.2 đang thực hiện ²%")
def test_parsers_never_raise(text):
    code = task_code(text)
    assert code is None or code == code.upper()
    status, rest = parse_status(text)
    assert status in (None, "not_started", "in_progress", "done", "stuck")
    assert isinstance(rest, str)
    report = parse_quick_report(text)
    if report is not None:
        assert report.code == code
        assert report.status in ("not_started", "in_progress", "done", "stuck")
        assert report.percent is None or 0 <= report.percent <= 100
        assert report.percent is None or report.status == "in_progress"
        assert report.evidence is None or report.status == "done"
        assert report.note is None or report.status != "done"
