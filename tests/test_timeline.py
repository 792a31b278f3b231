from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.timeline import Milestone, Timeline, parse_timeline

PLAN_YEAR = 2026


# --- single dated pieces --------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # whole year
        ("Trong năm", date(2026, 12, 31)),
        ("trong nam", date(2026, 12, 31)),
        ("TRONG NĂM", date(2026, 12, 31)),
        ("Trong năm 2027", date(2027, 12, 31)),
        ("trong nam 2027", date(2027, 12, 31)),
        ("Năm 2025", date(2025, 12, 31)),
        ("năm 2025", date(2025, 12, 31)),
        ("nam 2025", date(2025, 12, 31)),
        ("Cuối năm", date(2026, 12, 31)),
        # quarters, Roman and Arabic
        ("Quý I/2026", date(2026, 3, 31)),
        ("Quý II/2026", date(2026, 6, 30)),
        ("Quý III/2026", date(2026, 9, 30)),
        ("Quý IV/2026", date(2026, 12, 31)),
        ("quy iv/2025", date(2025, 12, 31)),
        ("Quý 1/2026", date(2026, 3, 31)),
        ("quy 2/2027", date(2027, 6, 30)),
        ("Q1/2026", date(2026, 3, 31)),
        ("q3/2026", date(2026, 9, 30)),
        ("quý 1 năm 2026", date(2026, 3, 31)),
        ("quy 4 nam 2025", date(2025, 12, 31)),
        ("Quý I", date(2026, 3, 31)),
        ("quy iii", date(2026, 9, 30)),
        ("quý II - 2026", date(2026, 6, 30)),
        ("Quý II – 2026", date(2026, 6, 30)),
        ("Quý IV / 2025", date(2025, 12, 31)),
        ("Trong quý II/2026", date(2026, 6, 30)),
        # months
        ("Tháng 3/2026", date(2026, 3, 31)),
        ("thang 3/2026", date(2026, 3, 31)),
        ("tháng 03 năm 2026", date(2026, 3, 31)),
        ("T3/2026", date(2026, 3, 31)),
        ("t2/2024", date(2024, 2, 29)),
        ("Tháng 2", date(2026, 2, 28)),
        ("Tháng 11", date(2026, 11, 30)),
        ("Tháng III/2026", date(2026, 3, 31)),
        ("3/2027", date(2027, 3, 31)),
        # parts of the year
        ("6 tháng đầu năm", date(2026, 6, 30)),
        ("6 thang dau nam", date(2026, 6, 30)),
        ("6 tháng cuối năm", date(2026, 12, 31)),
        ("6 thang cuoi nam", date(2026, 12, 31)),
        ("6 tháng đầu năm 2027", date(2027, 6, 30)),
        ("9 tháng đầu năm", date(2026, 9, 30)),
        # exact days
        ("trước ngày 30/6/2026", date(2026, 6, 30)),
        ("truoc ngay 30/6/2026", date(2026, 6, 30)),
        ("30/6/2026", date(2026, 6, 30)),
        ("30/06/2026", date(2026, 6, 30)),
        ("30-6-2026", date(2026, 6, 30)),
        ("30.6.2026", date(2026, 6, 30)),
        ("ngày 15 tháng 3 năm 2026", date(2026, 3, 15)),
        ("ngay 15 thang 3 nam 2026", date(2026, 3, 15)),
        ("Ngày 15 tháng 3", date(2026, 3, 15)),
        ("trước ngày 30/6", date(2026, 6, 30)),
        ("Chậm nhất ngày 15/12/2026", date(2026, 12, 15)),
        ("29/2/2028", date(2028, 2, 29)),
        ("  Quý   IV/2026.  ", date(2026, 12, 31)),
    ],
)
def test_single_dated_piece(text, expected):
    timeline = parse_timeline(text, PLAN_YEAR)
    assert timeline.kind == "due"
    assert timeline.due_date == expected
    assert timeline.warning is None
    assert len(timeline.milestones) == 1
    assert timeline.milestones[0].due_date == expected
    assert not timeline.recurring and not timeline.conditional


def test_single_piece_milestone_keeps_the_text_as_written():
    timeline = parse_timeline("Quý \nIV/2026", PLAN_YEAR)
    assert timeline.text == "Quý IV/2026"
    assert timeline.milestones == (Milestone("Quý IV/2026", date(2026, 12, 31)),)


@pytest.mark.parametrize("plan_year", [2025, 2027])
def test_plan_year_fills_missing_year(plan_year):
    assert parse_timeline("Trong năm", plan_year).due_date == date(plan_year, 12, 31)
    assert parse_timeline("Quý II", plan_year).due_date == date(plan_year, 6, 30)
    assert parse_timeline("Tháng 3", plan_year).due_date == date(plan_year, 3, 31)
    assert parse_timeline("trước ngày 30/6", plan_year).due_date == date(plan_year, 6, 30)


def test_explicit_year_wins_over_plan_year():
    assert parse_timeline("Quý I/2025", 2030).due_date == date(2025, 3, 31)


# --- recurring and conditional ----------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Thường xuyên",
        "thuong xuyen",
        "THƯỜNG XUYÊN",
        "Thường \nxuyên",
        "Hằng năm",
        "Hàng năm",
        "hang nam",
        "Hàng tháng",
        "Hằng quý",
        "hang quy",
        "Định kỳ",
        "dinh ky hang quy",
        "Thực hiện thường xuyên",
    ],
)
def test_recurring(text):
    timeline = parse_timeline(text, PLAN_YEAR)
    assert timeline.kind == "recurring"
    assert timeline.recurring and not timeline.conditional
    assert timeline.due_date is None
    assert timeline.milestones == ()
    assert timeline.warning is None


@pytest.mark.parametrize(
    "text",
    [
        "Khi có văn bản quy định, hướng dẫn mới của trung ương, của tỉnh",
        "khi co van ban quy dinh, huong dan moi cua trung uong, cua tinh",
        "Khi có yêu cầu",
        "khi co yeu cau",
        "Theo yêu cầu",
        "theo yeu cau",
        "Khi có chỉ đạo",
        "Theo chỉ đạo",
        "theo chi dao cua UBND tinh",
        "Khi có văn bản quy định và hướng dẫn",
    ],
)
def test_conditional(text):
    timeline = parse_timeline(text, PLAN_YEAR)
    assert timeline.kind == "conditional"
    assert timeline.conditional and not timeline.recurring
    assert timeline.due_date is None
    assert timeline.milestones == ()
    assert timeline.warning is None


def test_conditional_without_plan_year():
    assert parse_timeline("Khi có yêu cầu", None).kind == "conditional"
    assert parse_timeline("Thường xuyên", None).kind == "recurring"


# --- several pieces -------------------------------------------------------------

def test_quarter_then_plan_year():
    timeline = parse_timeline("Quý IV/2025; Trong năm", PLAN_YEAR)
    assert timeline.kind == "due"
    assert timeline.due_date == date(2026, 12, 31)
    assert timeline.milestones == (
        Milestone("Quý IV/2025", date(2025, 12, 31)),
        Milestone("Trong năm", date(2026, 12, 31)),
    )
    assert timeline.warning is None


@pytest.mark.parametrize(
    "text",
    [
        "Quý I/2026; Quý III/2026",
        "Quý I/2026\nQuý III/2026",
        "Quý I/2026 và Quý III/2026",
        "quy 1/2026 va quy 3/2026",
        "Quý I/2026;\nQuý III/2026;",
    ],
)
def test_separators(text):
    timeline = parse_timeline(text, PLAN_YEAR)
    assert timeline.kind == "due"
    assert [m.due_date for m in timeline.milestones] == [date(2026, 3, 31), date(2026, 9, 30)]
    assert timeline.due_date == date(2026, 9, 30)


def test_due_date_is_the_latest_milestone():
    timeline = parse_timeline("Quý IV/2026; Quý I/2026", PLAN_YEAR)
    assert timeline.due_date == date(2026, 12, 31)
    assert [m.text for m in timeline.milestones] == ["Quý IV/2026", "Quý I/2026"]


def test_recurring_piece_beside_dated_piece():
    timeline = parse_timeline("Quý I/2026; Thường xuyên", PLAN_YEAR)
    assert timeline.kind == "due"
    assert timeline.due_date == date(2026, 3, 31)
    assert timeline.milestones == (
        Milestone("Quý I/2026", date(2026, 3, 31)),
        Milestone("Thường xuyên", None),
    )


def test_recurring_and_conditional_pieces_only():
    timeline = parse_timeline("Thường xuyên; khi có yêu cầu", PLAN_YEAR)
    assert timeline.kind == "recurring"
    assert timeline.due_date is None
    assert [m.due_date for m in timeline.milestones] == [None, None]


def test_wrapped_line_is_not_a_separator():
    timeline = parse_timeline("Quý \nI/2026 và \nQuý \nIII/2026", PLAN_YEAR)
    assert [m.text for m in timeline.milestones] == ["Quý I/2026", "Quý III/2026"]
    assert timeline.due_date == date(2026, 9, 30)


# --- real cells from the seed plan ------------------------------------------------

@pytest.mark.parametrize(
    ("cell", "kind", "due", "milestones"),
    [
        (
            "Quý \nIV/2025; \nTrong năm",
            "due",
            date(2026, 12, 31),
            (Milestone("Quý IV/2025", date(2025, 12, 31)), Milestone("Trong năm", date(2026, 12, 31))),
        ),
        (
            "Khi có văn \nbản quy \nđịnh, \nhướng dẫn \nmới của \ntrung \nương, của \ntỉnh",
            "conditional",
            None,
            (),
        ),
        ("Thường \nxuyên", "recurring", None, ()),
        ("Thường \n\nxuyên \n  ", "recurring", None, ()),
        ("Quý \nI/2025", "due", date(2025, 3, 31), (Milestone("Quý I/2025", date(2025, 3, 31)),)),
        ("Quý \n\nIII/2025", "due", date(2025, 9, 30), (Milestone("Quý III/2025", date(2025, 9, 30)),)),
        ("Quý \n\nIV/2026", "due", date(2026, 12, 31), (Milestone("Quý IV/2026", date(2026, 12, 31)),)),
        ("Trong năm   ", "due", date(2026, 12, 31), (Milestone("Trong năm", date(2026, 12, 31)),)),
        ("Quý \n\nIV/2025; \n\nTrong năm \n\n  ", "due", date(2026, 12, 31),
         (Milestone("Quý IV/2025", date(2025, 12, 31)), Milestone("Trong năm", date(2026, 12, 31)))),
    ],
)
def test_seed_cells(cell, kind, due, milestones):
    timeline = parse_timeline(cell, PLAN_YEAR)
    assert timeline.kind == kind
    assert timeline.due_date == due
    assert timeline.milestones == milestones
    assert timeline.warning is None


def test_seed_cell_text_is_collapsed():
    cell = "Khi có văn \nbản quy \nđịnh, \nhướng dẫn \nmới của \ntrung \nương, của \ntỉnh"
    assert parse_timeline(cell, PLAN_YEAR).text == (
        "Khi có văn bản quy định, hướng dẫn mới của trung ương, của tỉnh"
    )


def test_decomposed_unicode_is_read():
    import unicodedata

    cell = unicodedata.normalize("NFD", "Quý I/2026 và Thường xuyên")
    timeline = parse_timeline(cell, PLAN_YEAR)
    assert timeline.kind == "due"
    assert [m.due_date for m in timeline.milestones] == [date(2026, 3, 31), None]


# --- unknown ------------------------------------------------------------------

@pytest.mark.parametrize("text", [None, "", "   ", "\n \n", ";", " ; \n ; "])
def test_empty(text):
    timeline = parse_timeline(text, PLAN_YEAR)
    assert timeline.kind == "unknown"
    assert timeline.due_date is None
    assert timeline.milestones == ()
    assert timeline.warning == "Chưa có thời hạn"


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("31/2/2026", "Ngày không hợp lệ: «31/2/2026»"),
        ("29/2/2026", "Ngày không hợp lệ: «29/2/2026»"),
        ("32/1/2026", "Ngày không hợp lệ: «32/1/2026»"),
        ("15/13/2026", "Ngày không hợp lệ: «15/13/2026»"),
        ("ngày 31 tháng 4 năm 2026", "Ngày không hợp lệ: «ngày 31 tháng 4 năm 2026»"),
        ("Tháng 13/2026", "Ngày không hợp lệ: «Tháng 13/2026»"),
        ("Tháng 0", "Ngày không hợp lệ: «Tháng 0»"),
        ("13 tháng đầu năm", "Ngày không hợp lệ: «13 tháng đầu năm»"),
        ("Quý I/0000", "Ngày không hợp lệ: «Quý I/0000»"),
    ],
)
def test_invalid_dates(text, warning):
    timeline = parse_timeline(text, PLAN_YEAR)
    assert timeline.kind == "unknown"
    assert timeline.due_date is None
    assert timeline.warning == warning


@pytest.mark.parametrize("text", ["Trong năm", "Quý I", "Tháng 3", "trước ngày 30/6", "6 tháng đầu năm"])
def test_missing_plan_year(text):
    timeline = parse_timeline(text, None)
    assert timeline.kind == "unknown"
    assert timeline.due_date is None
    assert timeline.warning == f"Chưa biết năm kế hoạch để hiểu thời hạn «{text}»"


def test_missing_plan_year_does_not_matter_when_year_is_written():
    assert parse_timeline("Quý I/2026", None).due_date == date(2026, 3, 31)


@pytest.mark.parametrize(
    "text",
    ["abc", "Sớm", "Quý V/2026", "Quý", "2026", "Tháng", "Trong", "Xem phụ lục", "Quý I/26", "TV/2026"],
)
def test_unknown_text(text):
    timeline = parse_timeline(text, PLAN_YEAR)
    assert timeline.kind == "unknown"
    assert timeline.due_date is None
    assert timeline.milestones == ()
    assert timeline.warning == f"Không hiểu thời hạn: «{text}»"


def test_unknown_piece_makes_whole_timeline_unknown():
    timeline = parse_timeline("Quý I/2026; sớm nhất có thể", PLAN_YEAR)
    assert timeline.kind == "unknown"
    assert timeline.due_date is None
    assert timeline.warning == "Không hiểu thời hạn: «sớm nhất có thể»"
    assert timeline.milestones == (
        Milestone("Quý I/2026", date(2026, 3, 31)),
        Milestone("sớm nhất có thể", None),
    )


def test_long_unknown_text_is_shortened_in_warning():
    timeline = parse_timeline("x" * 500, PLAN_YEAR)
    assert timeline.kind == "unknown"
    assert timeline.text == "x" * 500
    assert len(timeline.warning) < 120
    assert timeline.warning.endswith("…»")


def test_timeline_is_frozen():
    timeline = parse_timeline("Trong năm", PLAN_YEAR)
    assert isinstance(timeline, Timeline)
    with pytest.raises(AttributeError):
        timeline.kind = "unknown"  # type: ignore[misc]


# --- properties -----------------------------------------------------------------

_VOCABULARY = [
    "Quý", "quy", "Q", "I", "II", "III", "IV", "V", "1", "4", "/", "-", "–", ";", "\n", " và ",
    "Trong năm", "năm", "2026", "0000", "9999", "Tháng", "T", "ngày", "30/6", "31/2", "6 tháng",
    "đầu năm", "cuối năm", "Thường xuyên", "Khi có yêu cầu", "trước", " ", "13", "00",
]
_cells = st.one_of(
    st.none(),
    st.text(),
    st.lists(st.sampled_from(_VOCABULARY), max_size=12).map("".join),
)
_plan_years = st.one_of(st.none(), st.integers(min_value=1, max_value=9999), st.integers())


@settings(max_examples=500)
@given(text=_cells, plan_year=_plan_years)
def test_never_raises_and_is_consistent(text, plan_year):
    timeline = parse_timeline(text, plan_year)
    assert isinstance(timeline, Timeline)
    assert timeline.kind in {"due", "recurring", "conditional", "unknown"}
    assert timeline.recurring == (timeline.kind == "recurring")
    assert timeline.conditional == (timeline.kind == "conditional")
    if timeline.kind == "due":
        assert timeline.due_date is not None
        assert timeline.warning is None
        dates = [m.due_date for m in timeline.milestones if m.due_date is not None]
        assert timeline.due_date == max(dates)
    else:
        assert timeline.due_date is None
    if timeline.kind == "unknown":
        assert timeline.warning
    else:
        assert timeline.warning is None
    for milestone in timeline.milestones:
        assert isinstance(milestone, Milestone)
        assert milestone.text == milestone.text.strip()
