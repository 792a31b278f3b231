"""Unit names as plans write them: split a cell into names, tell collective
phrases from units, and resolve variants and abbreviations to one unit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from domain.text import collapse, fold, key

# Words that start a unit's name; a comma-separated piece that starts with one
# of these is a new unit, otherwise it continues the previous name.
TYPE_WORDS = (
    "phong", "ban", "trung tam", "van phong", "so", "chi cuc", "cuc", "ubnd",
    "uy ban", "hoi dong", "hdnd", "doi", "to", "bo phan", "tt", "vp", "cong an",
    "quan doi", "bchqs", "mat tran", "doan", "hoi", "truong", "tram", "thanh tra",
    "cac", "kho bac", "chi nhanh", "don vi", "co quan",
)
# Collective phrases that name every unit, not some of them.
_COLLECTIVE_FILLER = {
    "cac", "phong", "ban", "trung", "tam", "don", "vi", "co", "quan", "so", "nganh",
    "truc", "thuoc", "chuyen", "mon", "va", "doan", "the", "lien", "tat", "ca",
}
# Trailing place words dropped when comparing abbreviations.
_PLACE_WORDS = {"tinh", "phuong", "xa", "huyen", "quan", "thi", "tran", "thanh", "pho"}
_KNOWN_ABBREVIATIONS = {"ubnd", "hdnd", "tthc", "cchc", "qppl", "vbqppl", "bchqs", "mttq"}
_VOWELS = set("aeiouy")

# Typos and small spelling variants of one unit score above this (fuzz.ratio on
# keys). Similar but distinct names ("Sở Nội vụ" / "Sở Ngoại vụ", "số 1" /
# "số 17") can score above it too, so a match must also be one typo apart:
# see one_typo_apart. Tested in tests/test_units.py.
FUZZY_THRESHOLD = 90
_TYPO_MIN_LENGTH = 3


def one_typo_apart(a: str, b: str) -> bool:
    """Keys that differ in one word (of three letters or more), by one edit
    (a transposition counts as one); numbers must be equal."""
    left, right = [w for w in a.split() if w != "va"], [w for w in b.split() if w != "va"]
    if "".join(left) == "".join(right):  # spacing, "và" dropped or added
        return True
    if len(left) != len(right):
        return False
    differing = [(x, y) for x, y in zip(left, right) if x != y]
    if len(differing) != 1:
        return len(differing) == 0
    x, y = differing[0]
    if any(ch.isdigit() for ch in x + y) or max(len(x), len(y)) < _TYPO_MIN_LENGTH:
        return False
    return OSA.distance(x, y) <= 1


def split_names(cell: str | None) -> list[str]:
    """'Phòng A, Phòng B; Các phòng, ban' -> ['Phòng A', 'Phòng B', 'Các phòng, ban']."""
    names: list[str] = []
    for part in re.split(r"[;\n+]+", cell or ""):
        part = collapse(part).strip(" ,.-")
        if not part:
            continue
        if key(part).startswith("cac "):
            names.append(part)
            continue
        pieces: list[str] = []
        for piece in part.split(","):
            piece = piece.strip(" .")
            if not piece:
                continue
            if pieces and not _starts_with_type_word(piece):
                pieces[-1] = f"{pieces[-1]}, {piece}"
            else:
                pieces.append(piece)
        names.extend(pieces)
    return names


def _starts_with_type_word(name: str) -> bool:
    k = key(name)
    return any(k == w or k.startswith(w + " ") for w in TYPE_WORDS)


def is_collective(name: str) -> bool:
    return key(name).startswith("cac ")


def collective_means_all(name: str) -> bool:
    """'Các phòng, ban, trung tâm' names every unit; 'Các phòng thuộc khối X' does not."""
    return is_collective(name) and set(key(name).split()) <= _COLLECTIVE_FILLER


def _is_abbreviation(token: str, folded: str, all_caps_name: bool) -> bool:
    letters = re.sub(r"[^a-z]", "", folded)
    if len(letters) < 2:
        return False
    if letters in _KNOWN_ABBREVIATIONS or not (set(letters) & _VOWELS):
        return True
    # In a name written all in capitals, capitals say nothing.
    return not all_caps_name and token.isupper()


@dataclass(frozen=True)
class Signature:
    """Initials of a name, its abbreviations spelled out letter by letter:
    'Phòng HCQT' and 'Phòng Hành chính – Quản trị' both give 'phcqt'."""

    initials: str
    without_place: str  # the same without a trailing place word ("phường", "tỉnh")
    has_abbreviation: bool  # holds a non-standard abbreviation ("HCQT", "PVHCC")
    abbreviated: bool  # nothing but a unit type and abbreviations: "Phòng HCQT", "TT PVHCC"

    @property
    def keys(self) -> set[str]:
        return {k for k in (self.initials, self.without_place) if k}


def signature(name: str) -> Signature:
    raw = name.replace("&", " và ")
    tokens = [t for t in re.split(r"[\s\-\u2013\u2014,./()]+", raw) if t]
    folded_tokens = [fold(t) for t in tokens]
    # A name written all in capitals ("PHÒNG HÀNH CHÍNH") is not a row of
    # abbreviations; "BCĐ ISO" or "TT PVHCC" are.
    words = [f for f in folded_tokens if len(f) >= 2 and set(f) & _VOWELS and f not in _KNOWN_ABBREVIATIONS]
    all_caps = raw.upper() == raw and len(words) >= 2
    letters: list[str] = []
    place_from = len(tokens)
    while place_from > 1 and folded_tokens[place_from - 1] in _PLACE_WORDS:
        place_from -= 1
    abbreviations = content_words = 0
    type_prefix = _type_prefix_length(folded_tokens)
    without_place = ""
    for position, (token, folded) in enumerate(zip(tokens, folded_tokens)):
        if position == place_from:
            without_place = "".join(letters)
        if folded in ("va", "&"):
            continue
        if _is_abbreviation(token, folded, all_caps):
            compact = re.sub(r"[^a-z]", "", folded)
            letters.append(compact)
            abbreviations += compact not in _KNOWN_ABBREVIATIONS
        elif folded.isdigit():
            letters.append(f"#{folded}#")  # numbers are names: "số 1" is not "số 17"
        elif folded[:1].isalnum():
            letters.append(folded[0])
            content_words += type_prefix <= position < place_from
    initials = "".join(letters)
    return Signature(initials, without_place or initials, abbreviations > 0, abbreviations > 0 and content_words == 0)


def _without_place(k: str) -> str:
    words = k.split()
    while len(words) > 1 and words[-1] in _PLACE_WORDS:
        words.pop()
    return " ".join(words)


def _type_prefix_length(folded_tokens: list[str]) -> int:
    joined = " ".join(folded_tokens)
    for word in sorted(TYPE_WORDS, key=len, reverse=True):
        if joined == word or joined.startswith(word + " "):
            return len(word.split())
    return 0


@dataclass
class KnownUnit:
    ref: object  # what the caller resolves to (a stored Unit, an id...)
    name: str
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    unit: KnownUnit | None
    how: str  # "exact" | "abbreviation" | "fuzzy" | "none" | "ambiguous"
    candidates: tuple[KnownUnit, ...] = ()


class UnitIndex:
    """Looks names up among known units by key, abbreviation and typo."""

    def __init__(self, units: list[KnownUnit] | None = None) -> None:
        self.units: list[KnownUnit] = []
        self._by_key: dict[str, KnownUnit] = {}
        self._by_short_key: dict[str, list[KnownUnit]] = {}
        self._by_signature: dict[str, list[KnownUnit]] = {}
        for unit in units or []:
            self.add(unit)

    def add(self, unit: KnownUnit) -> None:
        self.units.append(unit)
        self.add_alias(unit, unit.name)
        for alias in unit.aliases:
            self.add_alias(unit, alias)

    def add_alias(self, unit: KnownUnit, alias: str) -> None:
        k = key(alias)
        self._by_key.setdefault(k, unit)
        self._by_short_key.setdefault(_without_place(k), []).append(unit)
        for sig in signature(alias).keys:
            bucket = self._by_signature.setdefault(sig, [])
            if unit not in bucket:
                bucket.append(unit)

    def resolve(self, name: str) -> Match:
        k = key(name)
        if k in self._by_key:
            return Match(self._by_key[k], "exact")
        short = self._unique(self._by_short_key.get(_without_place(k), []))
        if short is not None:
            return Match(short, "exact")
        sig = signature(name)
        if sig.has_abbreviation:
            found: list[KnownUnit] = []
            for candidate in sig.keys:
                found += [u for u in self._by_signature.get(candidate, []) if u not in found]
            if len(found) == 1:
                return Match(found[0], "abbreviation")
            if len(found) > 1:
                return Match(None, "ambiguous", tuple(found))
        best = process.extract(k, self._by_key.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=3)
        units = {
            id(self._by_key[choice]): self._by_key[choice] for choice, _score, _ in best if one_typo_apart(k, choice)
        }
        if len(units) == 1:
            return Match(next(iter(units.values())), "fuzzy")
        if len(units) > 1:
            return Match(None, "ambiguous", tuple(units.values()))
        return Match(None, "none")

    @staticmethod
    def _unique(units: list[KnownUnit]) -> KnownUnit | None:
        distinct = {id(u): u for u in units}
        return next(iter(distinct.values())) if len(distinct) == 1 else None
