"""domain.units: unit names as plans write them (seed 004's lead/coordinating
cells), collective phrases, and resolving variants, abbreviations and typos
to one unit of a realistic organisation."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from domain.text import key
from domain.units import (
    FUZZY_THRESHOLD,
    KnownUnit,
    UnitIndex,
    collective_means_all,
    is_collective,
    signature,
    split_names,
)

SAMPLE_UNITS = Path(__file__).resolve().parents[1] / "sample" / "units.csv"

# Units of a ward (phường) after the 2025 reorganisation, as seed 002 names them.
WARD_UNITS = [
    "Văn phòng HĐND và UBND phường",
    "Phòng Văn hóa – Xã hội",
    "Phòng Kinh tế",  # also in sample/units.csv: one unit, not two
    "Phòng Kế hoạch - Tài chính",
]


def sample_units() -> list[KnownUnit]:
    with SAMPLE_UNITS.open(encoding="utf-8") as f:
        return [
            KnownUnit(row["unit"], row["unit"], [a for a in (row["aliases"] or "").split("|") if a])
            for row in csv.DictReader(f)
        ]


def organisation() -> list[KnownUnit]:
    units = sample_units()
    names = {u.name for u in units}
    return units + [KnownUnit(name, name) for name in WARD_UNITS if name not in names]


@pytest.fixture(scope="module")
def index() -> UnitIndex:
    return UnitIndex(organisation())


def test_the_sample_organisation_is_what_these_tests_assume():
    units = sample_units()
    assert len(units) == 10
    assert {u.name for u in units} >= {
        "Văn phòng UBND tỉnh",
        "Phòng Hành chính – Quản trị",
        "Phòng Quản trị - Tài vụ",
        "Trung tâm Tin học và Công báo",
        "Trung tâm Phục vụ Hành chính công",
        "Ban Chỉ đạo ISO",
        "Phòng Kinh tế",
        "Phòng Nội chính",
    }
    aliases = {u.name: u.aliases for u in units}
    assert aliases["Trung tâm Phục vụ Hành chính công"] == ["TT PVHCC"]
    assert aliases["Văn phòng UBND tỉnh"] == ["VP UBND tỉnh"]
    assert len(organisation()) == 13


# --- split_names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        # seed 004's cells
        ("Các phòng, ban, trung tâm", ["Các phòng, ban, trung tâm"]),
        ("Các phòng, \n\nban, trung \n\ntâm ", ["Các phòng, ban, trung tâm"]),
        ("Phòng HCQT", ["Phòng HCQT"]),
        ("Phòng HCQT ", ["Phòng HCQT"]),
        ("Trung tâm phục vụ hành chính công", ["Trung tâm phục vụ hành chính công"]),
        ("Trung tâm Phục \n\nvụ Hành chính \n\ncông ", ["Trung tâm Phục vụ Hành chính công"]),
        ("Các phòng thuộc \n\nkhối nghiên cứu ", ["Các phòng thuộc khối nghiên cứu"]),
        # several units
        ("Phòng A, Phòng B; Trung tâm C", ["Phòng A", "Phòng B", "Trung tâm C"]),
        ("Phòng A\nPhòng B", ["Phòng A", "Phòng B"]),
        ("Phòng A + Phòng B", ["Phòng A", "Phòng B"]),
        ("Các phòng, ban, trung tâm; Phòng HCQT", ["Các phòng, ban, trung tâm", "Phòng HCQT"]),
        ("Phòng HCQT; Các phòng, ban, trung tâm", ["Phòng HCQT", "Các phòng, ban, trung tâm"]),
        (
            "Văn phòng HĐND và UBND phường, Phòng Kinh tế, Trung tâm Phục vụ HCC phường",
            ["Văn phòng HĐND và UBND phường", "Phòng Kinh tế", "Trung tâm Phục vụ HCC phường"],
        ),
        # a comma inside one unit's name does not split it
        ("Phòng Kinh tế, Hạ tầng và Đô thị", ["Phòng Kinh tế, Hạ tầng và Đô thị"]),
        ("Phòng Kinh tế, Hạ tầng và Đô thị; Phòng Văn hóa – Xã hội", ["Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Văn hóa – Xã hội"]),
        # empty pieces and stray separators
        ("Phòng A;; ; Phòng B.", ["Phòng A", "Phòng B"]),
        ("", []),
        (None, []),
        ("  ", []),
        (" ; , ", []),
    ],
)
def test_split_names(cell, names):
    assert split_names(cell) == names


# --- collective phrases -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Các phòng, ban, trung tâm",
        "Các phòng, ban, trung tâm trực thuộc",
        "Các đơn vị",
        "các cơ quan, đơn vị trực thuộc",
        "Các cơ quan chuyên môn",
        "Các phòng, ban, ngành, đoàn thể",
        "CÁC PHÒNG, BAN, TRUNG TÂM",
    ],
)
def test_collective_means_all(name):
    assert is_collective(name)
    assert collective_means_all(name)


@pytest.mark.parametrize(
    "name",
    [
        "Các phòng thuộc khối nghiên cứu – tổng hợp",
        "Các phòng thuộc khối nghiên cứu",
        "Các phòng chuyên môn thuộc Sở Nội vụ",
    ],
)
def test_a_collective_that_names_some_units_is_not_all(name):
    assert is_collective(name)
    assert not collective_means_all(name)


@pytest.mark.parametrize("name", ["Phòng HCQT", "Phòng Hành chính – Quản trị", "Trung tâm Phục vụ Hành chính công", "Ban Chỉ đạo ISO", ""])
def test_a_unit_is_not_collective(name):
    assert not is_collective(name)
    assert not collective_means_all(name)


# --- signatures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Phòng HCQT", ("phcqt", True)),
        ("Phòng Hành chính – Quản trị", ("phcqt", False)),
        ("Phòng Hành chính - Quản trị", ("phcqt", False)),
        ("Phòng QTTV", ("pqttv", True)),
        ("Phòng Quản trị - Tài vụ", ("pqttv", False)),
        ("TT PVHCC", ("ttpvhcc", True)),
        ("Trung tâm Phục vụ Hành chính công", ("ttpvhcc", False)),
        ("Trung tâm Tin học & Công báo", ("ttthcb", False)),
        ("Trung tâm Tin học và Công báo", ("ttthcb", False)),
        ("VP HĐND và UBND", ("vphdndubnd", True)),
        ("Văn phòng HĐND và UBND phường", ("vphdndubnd", False)),
        ("Phòng VH-XH", ("pvhxh", True)),
        ("Phòng Văn hóa – Xã hội", ("pvhxh", False)),
        # full names that merely hold an acronym (the docstring's examples)
        ("Ban Chỉ đạo ISO", ("bcdiso", False)),
        ("Văn phòng UBND tỉnh", ("vpubnd", False)),
        ("VP UBND tỉnh", ("vpubnd", True)),
    ],
)
def test_signature(name, expected):
    assert signature(name) == expected


@pytest.mark.xfail(
    strict=True,
    reason="BUG: signature() drops a trailing 'xã' as a place word (xã = commune), so "
    "'Phòng Khoa giáo – Văn xã' signs as 'pkgv' and its initials 'Phòng KGVX' do not resolve",
)
def test_signature_keeps_a_trailing_word_that_is_part_of_the_name():
    assert signature("Phòng Khoa giáo – Văn xã") == ("pkgvx", False)


@pytest.mark.xfail(
    strict=True,
    reason="BUG: signature() takes every all-caps word for an abbreviation, so a unit written "
    "in capitals (as seed 003's headings are: 'VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH') signs as "
    "'phonghanhchinhquantri', is 'abbreviated', and its initials no longer find it",
)
def test_signature_of_a_name_in_capitals_is_its_initials():
    assert signature("PHÒNG HÀNH CHÍNH – QUẢN TRỊ") == ("phcqt", False)


# --- resolving names over a realistic organisation ---------------------------------------


@pytest.mark.parametrize(
    ("name", "unit", "how"),
    [
        # the name itself and its aliases
        ("Phòng Hành chính – Quản trị", "Phòng Hành chính – Quản trị", "exact"),
        ("TT PVHCC", "Trung tâm Phục vụ Hành chính công", "exact"),  # an alias in units.csv
        ("VP UBND tỉnh", "Văn phòng UBND tỉnh", "exact"),
        # abbreviations by initials
        ("Phòng HCQT", "Phòng Hành chính – Quản trị", "abbreviation"),
        ("Phòng HC-QT", "Phòng Hành chính – Quản trị", "abbreviation"),
        ("Phòng QTTV", "Phòng Quản trị - Tài vụ", "abbreviation"),
        ("TT TH&CB", "Trung tâm Tin học và Công báo", "abbreviation"),
        ("Trung tâm PVHCC", "Trung tâm Phục vụ Hành chính công", "abbreviation"),
        ("VP HĐND và UBND", "Văn phòng HĐND và UBND phường", "abbreviation"),
        ("VP HĐND - UBND phường", "Văn phòng HĐND và UBND phường", "abbreviation"),
        ("VP UBND", "Văn phòng UBND tỉnh", "abbreviation"),
        ("Phòng VHXH", "Phòng Văn hóa – Xã hội", "abbreviation"),
        ("Phòng VH-XH", "Phòng Văn hóa – Xã hội", "abbreviation"),
        ("Phòng KHTC", "Phòng Kế hoạch - Tài chính", "abbreviation"),
        ("Phòng KH-TC", "Phòng Kế hoạch - Tài chính", "abbreviation"),
        ("Phòng NC", "Phòng Nội chính", "abbreviation"),
        ("BCĐ ISO", "Ban Chỉ đạo ISO", "abbreviation"),
        # case, diacritics, "&", dash style and spacing
        ("trung tâm tin học & công báo", "Trung tâm Tin học và Công báo", "exact"),
        ("Trung tâm Tin học và công báo", "Trung tâm Tin học và Công báo", "exact"),
        ("PHÒNG HÀNH CHÍNH - QUẢN TRỊ", "Phòng Hành chính – Quản trị", "exact"),
        ("Phòng Hành chính—Quản trị", "Phòng Hành chính – Quản trị", "exact"),
        ("Phòng  Hành chính -Quản trị ", "Phòng Hành chính – Quản trị", "exact"),
        ("Phòng Hành \n\nchính – Quản trị", "Phòng Hành chính – Quản trị", "exact"),
        ("Trung tâm Phuc vu Hanh chinh cong", "Trung tâm Phục vụ Hành chính công", "exact"),
        ("phong van hoa - xa hoi", "Phòng Văn hóa – Xã hội", "exact"),
        ("Phòng Văn hoá – Xã hội", "Phòng Văn hóa – Xã hội", "exact"),  # old-style tone placement
        ("Văn phòng HĐND & UBND phường", "Văn phòng HĐND và UBND phường", "exact"),
        ("Phòng Kế hoạch Tài chính", "Phòng Kế hoạch - Tài chính", "exact"),
        # typos
        ("Phòng Hành chánh - Quản trị", "Phòng Hành chính – Quản trị", "fuzzy"),
        ("Trung tâm Phục vụ Hành chánh công", "Trung tâm Phục vụ Hành chính công", "fuzzy"),
        ("Trung tâm tin học công báo", "Trung tâm Tin học và Công báo", "fuzzy"),
        ("Phòng Nội chín", "Phòng Nội chính", "fuzzy"),
        ("Phòng Kinhtế", "Phòng Kinh tế", "fuzzy"),
        ("PHÒNG HÀNH CHÁNH - QUẢN TRỊ", "Phòng Hành chính – Quản trị", "fuzzy"),
        ("Văn phòng HĐND - UBND phường", "Văn phòng HĐND và UBND phường", "fuzzy"),
    ],
)
def test_resolve(index, name, unit, how):
    match = index.resolve(name)
    assert (match.how, match.unit and match.unit.name) == (how, unit)
    assert match.unit.ref == unit


@pytest.mark.parametrize(
    "name",
    [
        "Phòng Tư pháp",
        "Phòng Nội vụ",
        "Phòng Y tế",  # 78 against "Phòng Kinh tế": a different unit, not a typo
        "Phòng Tài chính - Kế hoạch",  # see test_word_order_swap_is_a_different_name
        "Phòng TCKH",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
        "Phòng Kinh tế - Hạ tầng",
        "Phòng Văn hóa và Thông tin",
        "Sở Nội vụ",
        "Phòng HCTH",
        "HCQT",  # bare initials without the type word
        "Các phòng, ban, trung tâm",
        "",
    ],
)
def test_names_of_other_units_resolve_to_none(index, name):
    match = index.resolve(name)
    assert (match.how, match.unit, match.candidates) == ("none", None, ())


def test_a_unit_absent_from_the_organisation_resolves_to_none():
    units = [u for u in organisation() if u.name != "Ban Chỉ đạo ISO"]
    index = UnitIndex(units)
    assert index.resolve("Ban Chỉ đạo ISO").how == "none"
    assert index.resolve("BCĐ ISO").how == "none"
    assert index.resolve("Ban chỉ đạo I.S.O").how == "none"


def test_an_abbreviation_shared_by_two_units_is_ambiguous():
    index = UnitIndex(organisation() + [KnownUnit("Phòng Kiểm tra", "Phòng Kiểm tra")])
    match = index.resolve("Phòng KT")
    assert match.how == "ambiguous"
    assert match.unit is None
    assert {u.name for u in match.candidates} == {"Phòng Kinh tế", "Phòng Kiểm tra"}
    # the full names still resolve on their own
    assert index.resolve("Phòng Kinh tế").how == "exact"
    assert index.resolve("Phòng Kiểm tra").unit.name == "Phòng Kiểm tra"


def test_an_unambiguous_abbreviation_without_the_alias(index):
    # Without the alias in units.csv the initials still find the centre.
    units = [KnownUnit(u.ref, u.name) for u in organisation()]
    match = UnitIndex(units).resolve("TT PVHCC")
    assert (match.how, match.unit.name) == ("abbreviation", "Trung tâm Phục vụ Hành chính công")


def test_a_typo_close_to_two_units_is_ambiguous():
    index = UnitIndex([KnownUnit(1, "Phòng Kinh tế 1"), KnownUnit(2, "Phòng Kinh tế 2")])
    match = index.resolve("Phòng Kinh tế")
    assert match.how == "ambiguous"
    assert {u.ref for u in match.candidates} == {1, 2}


def test_an_alias_added_later_resolves_exactly(index):
    units = organisation()
    index = UnitIndex(units)
    hcqt = next(u for u in units if u.name == "Phòng Hành chính – Quản trị")
    index.add_alias(hcqt, "Phòng HC")
    assert index.resolve("phòng hc").how == "exact"
    assert index.resolve("phòng hc").unit is hcqt


@pytest.mark.xfail(strict=True, reason="BUG: 'Phòng KGVX' (initials of 'Phòng Khoa giáo – Văn xã' in sample/units.csv) resolves to none: signature() strips 'xã' as a place word")
def test_initials_of_khoa_giao_van_xa(index):
    match = index.resolve("Phòng KGVX")
    assert (match.how, match.unit and match.unit.name) == ("abbreviation", "Phòng Khoa giáo – Văn xã")


@pytest.mark.xfail(strict=True, reason="BUG: a unit stored in capitals is not found by its initials ('Phòng HCQT' -> none)")
def test_initials_find_a_unit_stored_in_capitals():
    index = UnitIndex([KnownUnit(1, "PHÒNG HÀNH CHÍNH – QUẢN TRỊ"), KnownUnit(2, "PHÒNG KINH TẾ")])
    assert index.resolve("Phòng HCQT").unit.ref == 1


@pytest.mark.xfail(
    strict=True,
    reason="BUG: 'Trung tâm Phục vụ HCC phường' (seed 002, line 156) has the centre's signature "
    "'ttpvhcc' but, being half spelled out, skips the signature lookup and scores far below the "
    "fuzzy threshold: resolves to none",
)
def test_a_half_abbreviated_name_from_the_ward_plan(index):
    match = index.resolve("Trung tâm Phục vụ HCC phường")
    assert match.unit is not None and match.unit.name == "Trung tâm Phục vụ Hành chính công"


@pytest.mark.xfail(
    strict=True,
    reason="BUG: dropping the trailing place word of a full name loses the unit: "
    "'Văn phòng HĐND và UBND' (86 vs '... phường') and 'Văn phòng UBND' (85 vs '... tỉnh') resolve to none, "
    "though signature() drops place words for exactly this; yet 'Trung tâm Phục vụ Hành chính công phường' "
    "(90.4) does resolve",
)
@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("Văn phòng HĐND và UBND", "Văn phòng HĐND và UBND phường"),
        ("Văn phòng UBND", "Văn phòng UBND tỉnh"),
    ],
)
def test_a_full_name_without_its_place_word(index, name, unit):
    match = index.resolve(name)
    assert match.unit is not None and match.unit.name == unit


# --- the fuzzy threshold, tested ------------------------------------------------------


def score(a: str, b: str) -> float:
    return fuzz.ratio(key(a), key(b))


# Typos and spelling variants of ONE unit that exact keys do not already catch.
SAME_UNIT = [
    ("Phòng Hành chánh - Quản trị", "Phòng Hành chính – Quản trị"),  # southern "chánh"
    ("Phòng Hanh chinh Quan tri", "Phòng Hành chính – Quản trị"),
    ("Phòng Hành chính - Quản tri", "Phòng Hành chính – Quản trị"),
    ("Phòng Hành chín - Quản trị", "Phòng Hành chính – Quản trị"),
    ("Trung tâm Phục vụ Hành chánh công", "Trung tâm Phục vụ Hành chính công"),
    ("Trung tâm Phục vụ Hành chinh cộng", "Trung tâm Phục vụ Hành chính công"),
    ("Trung tâm PV Hành chính công", "Trung tâm Phục vụ Hành chính công"),
    ("Trung tâm Phục vụ Hành chính công phường", "Trung tâm Phục vụ Hành chính công"),
    ("Trung tâm tin học công báo", "Trung tâm Tin học và Công báo"),
    ("Trung tâm Tin hoc va Cong bao", "Trung tâm Tin học và Công báo"),
    ("Trung tâm Tin học và Công bao", "Trung tâm Tin học và Công báo"),
    ("Phòng Nội chín", "Phòng Nội chính"),
    ("Phong Noi chin", "Phòng Nội chính"),
    ("Phòng Kinhtế", "Phòng Kinh tế"),
    ("Phòng Kinh tes", "Phòng Kinh tế"),
    ("Phòng Quản trị Tài vu", "Phòng Quản trị - Tài vụ"),
    ("Phòng Quản trị - Tài vũ", "Phòng Quản trị - Tài vụ"),
    ("Phòng Khoa giáo Văn xả", "Phòng Khoa giáo – Văn xã"),
    ("Phòng Tổng hớp", "Phòng Tổng hợp"),
    ("Phòng Văn hóa - Xả hội", "Phòng Văn hóa – Xã hội"),
    ("Phòng Kế hoạch - Tài chánh", "Phòng Kế hoạch - Tài chính"),
    ("Văn phòng HĐND - UBND phường", "Văn phòng HĐND và UBND phường"),
    ("Văn phòng UBND tinh", "Văn phòng UBND tỉnh"),
]

# Pairs of DIFFERENT real units, from this organisation and from units that sit
# beside them in real wards and offices.
DIFFERENT_UNITS = [
    ("Phòng Kinh tế", "Phòng Nội chính"),
    ("Phòng Quản trị - Tài vụ", "Phòng Hành chính – Quản trị"),
    ("Phòng Kế hoạch - Tài chính", "Phòng Tài chính - Kế hoạch"),
    ("Trung tâm Tin học và Công báo", "Trung tâm Phục vụ Hành chính công"),
    ("Phòng Kinh tế", "Phòng Y tế"),
    ("Phòng Kinh tế", "Phòng Kinh tế - Hạ tầng"),
    ("Phòng Kinh tế", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    ("Phòng Nội chính", "Phòng Nội vụ"),
    ("Phòng Tổng hợp", "Phòng Tư pháp"),
    ("Phòng Văn hóa – Xã hội", "Phòng Văn hóa và Thông tin"),
    ("Phòng Văn hóa – Xã hội", "Phòng Lao động - Thương binh và Xã hội"),
    ("Văn phòng UBND tỉnh", "Văn phòng HĐND và UBND phường"),
    ("Văn phòng UBND tỉnh", "Văn phòng HĐND và UBND"),
    ("Phòng Khoa giáo – Văn xã", "Phòng Giáo dục và Đào tạo"),
    ("Ban Chỉ đạo ISO", "Ban Chỉ đạo 389"),
    ("Phòng Hành chính – Quản trị", "Phòng Hành chính - Tổng hợp"),
]


@pytest.mark.parametrize(("typed", "unit"), SAME_UNIT)
def test_variants_of_one_unit_reach_the_threshold(typed, unit):
    assert key(typed) != key(unit)  # otherwise the exact lookup, not the threshold, decides
    assert score(typed, unit) >= FUZZY_THRESHOLD


@pytest.mark.parametrize(("a", "b"), DIFFERENT_UNITS)
def test_different_units_stay_below_the_threshold(a, b):
    assert score(a, b) < FUZZY_THRESHOLD


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations([u.name for u in organisation()], 2)))
def test_every_pair_of_units_of_the_organisation_stays_below_the_threshold(a, b):
    assert score(a, b) < FUZZY_THRESHOLD


@pytest.mark.parametrize(("typed", "unit"), SAME_UNIT)
def test_variants_resolve_to_their_unit(index, typed, unit):
    match = index.resolve(typed)
    assert match.how in ("fuzzy", "abbreviation")
    assert match.unit.name == unit


def test_word_order_swap_is_a_different_name(index):
    """'Phòng Kế hoạch - Tài chính' vs 'Phòng Tài chính - Kế hoạch' scores 62.5.

    Decision: this is right. A swapped name is not a typo: the two are distinct
    units in the Vietnamese system (the district's finance office is "Tài
    chính – Kế hoạch"; a department's planning office is "Kế hoạch – Tài
    chính"), their initials differ (TCKH / KHTC), and a silent merge would put
    tasks on the wrong unit, whereas "none" only makes the importer ask or an
    admin add an alias."""
    assert score("Phòng Kế hoạch - Tài chính", "Phòng Tài chính - Kế hoạch") < FUZZY_THRESHOLD
    assert index.resolve("Phòng Tài chính - Kế hoạch").how == "none"


def test_the_threshold_cannot_tell_a_trailing_place_word():
    """Recorded, not a failure: the ratio sees a trailing place word as a small
    difference for long names and a large one for short names, so one unit with
    and without "phường" falls on either side of the threshold."""
    assert score("Trung tâm Phục vụ Hành chính công phường", "Trung tâm Phục vụ Hành chính công") >= FUZZY_THRESHOLD
    assert score("Văn phòng HĐND và UBND", "Văn phòng HĐND và UBND phường") < FUZZY_THRESHOLD
