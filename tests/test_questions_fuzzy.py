"""Fuzzy matching in questions: what counts as a typo of a known phrase, of
a unit's name, of a word of a task's content. A match needs fuzz.ratio on
folded text at PHRASE_THRESHOLD or more AND one_slip (one word differs, by one
edit; three-letter words only by two letters swapped; two-letter words never),
because Vietnamese syllables one letter apart are other words."""

from __future__ import annotations

import csv
import itertools
from datetime import date
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from domain.questions import _LEXICON, PHRASE_THRESHOLD, QuestionParser, find_words
from domain.text import fold
from domain.unit_mentions import UnitMentions, one_slip
from domain.units import KnownUnit

TODAY = date(2026, 4, 15)
SAMPLE_UNITS = Path(__file__).resolve().parents[1] / "sample" / "units.csv"

# Typos seen on phones (a letter swapped, dropped, doubled, next key), each with the phrase meant.
TYPOS = [
    ("qua hna", "qua han"),
    ("tre hna", "tre han"),
    ("sap dne han", "sap den han"),
    ("sap den hna", "sap den han"),
    ("hoan thnah", "hoan thanh"),
    ("hoan thanhh", "hoan thanh"),
    ("chua hoan thnah", "chua hoan thanh"),
    ("hoan thanh qau han", "hoan thanh qua han"),
    ("dang thuc hein", "dang thuc hien"),
    ("dang thuc hine", "dang thuc hien"),
    ("dang thuc hie", None),  # a letter dropped leaves three: could be another word
    ("vuogn mac", "vuong mac"),
    ("kho kahn", "kho khan"),
    ("bao nheiu", "bao nhieu"),
    ("bao nhieeu", "bao nhieu"),
    ("chua trein khai", "chua trien khai"),
    ("chau xong", "chua xong"),
    ("linh vcu", "linh vuc"),
    ("lihn vuc", "linh vuc"),
    ("tinh hinh thuc hein", "tinh hinh thuc hien"),
    ("chua bao coa", "chua bao cao"),
    ("thuong xuyne", "thuong xuyen"),
    ("tien dp", None),  # two-letter words must be typed right
    ("tien od", None),
]
# Words of questions and of tasks' content one slip or a few letters from a
# known phrase, which must stay what they are.
NEAR_MISSES = [
    ("ra soat", "ra sao"),  # rà soát (review) is not ra sao (how)
    ("dung han", "den han"),  # đúng hạn (on time) is not đến hạn (due)
    ("qua hang", "qua han"),
    ("trong nam", "trong han"),
    ("hop dong", "hoat dong"),
    ("bao gom", "bao gio"),
    ("danh muc", "danh sach"),
    ("cong bo", "cong vu"),
    ("dang ky", "dang lam"),
    ("chua co", "chua xong"),
    ("xay dung", "xong dung han"),
]


def score(a: str, b: str) -> float:
    return fuzz.ratio(fold(a), fold(b))


@pytest.mark.parametrize(("typed", "phrase"), [t for t in TYPOS if t[1]])
def test_typos_reach_the_threshold_and_are_one_slip(typed, phrase):
    assert phrase in _LEXICON
    assert score(typed, phrase) >= PHRASE_THRESHOLD
    assert one_slip(typed, phrase)


def test_the_threshold_is_what_the_least_recorded_typo_scores():
    least = min(score(typed, phrase) for typed, phrase in TYPOS if phrase)
    print(f"\nleast typo score {least:.1f}, threshold {PHRASE_THRESHOLD}")
    assert PHRASE_THRESHOLD <= least < PHRASE_THRESHOLD + 1


@pytest.mark.parametrize(("typed", "phrase"), TYPOS)
def test_a_typo_is_read_as_the_phrase_meant(parser, typed, phrase):
    read, _ = parser._read(f"việc nào {typed}", TODAY)
    claimed = [t.kind for t in read.tokens[2:]]
    if phrase is None:
        assert None in claimed
    else:
        assert claimed == [_LEXICON[phrase][0]] * len(phrase.split())


@pytest.mark.parametrize(("words", "phrase"), NEAR_MISSES)
def test_near_misses_are_not_read_as_the_phrase(words, phrase):
    assert not (score(words, phrase) >= PHRASE_THRESHOLD and one_slip(words, phrase))


def test_no_two_known_phrases_of_different_meaning_are_one_slip_apart():
    clashes = [
        (a, b) for a, b in itertools.combinations(_LEXICON, 2)
        if _LEXICON[a] != _LEXICON[b] and score(a, b) >= PHRASE_THRESHOLD and one_slip(a, b)
    ]
    assert clashes == []


@pytest.mark.parametrize(
    ("a", "b", "slip"),
    [
        ("qua han", "qua han", False),  # the same is no slip
        ("qua hna", "qua han", True),
        ("qua hang", "qua han", False),  # three letters: only a swap
        ("ra soat", "ra sao", False),
        ("vuong mac", "vuogn mac", True),
        ("vuong mac", "vuong mat", False),  # "mac" and "mat" are both words
        ("hoan thanh", "hoan thang", True),
        ("hoan thanh", "hoang thanh", True),
        ("tien do", "tien od", False),
        ("quy 2", "quy 3", False),  # numbers are never typos
        ("sap den han", "sap den", False),
        ("chua hoan thanh", "chua hoan tahnh", True),
        ("chua hoan thanh", "chau hoan tahnh", False),  # two words
    ],
)
def test_one_slip(a, b, slip):
    assert one_slip(a, b) is slip


# --- units named in part, with a typo -----------------------------------------------------


@pytest.fixture(scope="module")
def units() -> UnitMentions:
    with SAMPLE_UNITS.open(encoding="utf-8") as f:
        return UnitMentions(
            [KnownUnit(r["unit"], r["unit"], [a for a in r["aliases"].split("|") if a]) for r in csv.DictReader(f)]
        )


@pytest.fixture(scope="module")
def parser(units) -> QuestionParser:
    return QuestionParser(units, {"III": "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"})


@pytest.mark.parametrize(
    ("phrase", "names"),
    [
        ("trung tâm tin hco", ["Trung tâm Tin học và Công báo"]),
        ("trung tam tin hoc cogn bao", ["Trung tâm Tin học và Công báo"]),
        ("phòng quản trjị", []),  # two slips in one word
        ("phòng quảnn trị", ["Phòng Hành chính – Quản trị", "Phòng Quản trị - Tài vụ"]),
        ("trung tâm hành chíhn công", ["Trung tâm Phục vụ Hành chính công"]),
        ("phòng khoa gaio", ["Phòng Khoa giáo – Văn xã"]),
        ("bên tin học còn", []),  # "còn" is a word, not a typo of "công"
        ("phòng kinh tê", ["Phòng Kinh tế"]),
        ("sở hóa", []),  # a single word must start the name
        ("phòng tổng hớp", ["Phòng Tổng hợp"]),
        ("phòng tổng hợp lý", []),
    ],
)
def test_parts_of_unit_names_with_a_typo(units, phrase, names):
    assert [u.name for u in units.resolve(phrase)] == names


# --- words of a task's content ------------------------------------------------------------

CONTENTS = {
    1: "Tập huấn nghiệp vụ kiểm soát TTHC",
    2: "Rà soát văn bản quy phạm pháp luật",
    3: "Rà soát quy trình nội bộ",
    4: "Xây dựng Kế hoạch chuyển đổi số năm 2026",
}


@pytest.mark.parametrize(
    ("keywords", "ids"),
    [
        (("tập huấn",), [1]),
        (("tap huan",), [1]),
        (("rà soát",), [2, 3]),
        (("rà soát văn bản",), [2]),
        (("văn bản rà soát",), [2]),  # the phrase nowhere, its words in one task
        (("chuyen doi so",), [4]),
        (("tập huán",), [1]),  # one slip
        (("soat",), [1, 2, 3]),
        (("sao",), []),  # "sao" is not "soát": short words must be right
        (("tập", "kiểm soát"), [1]),
        (("đấu thầu",), []),
    ],
)
def test_finding_tasks_by_their_words(keywords, ids):
    assert find_words(keywords, CONTENTS) == ids
