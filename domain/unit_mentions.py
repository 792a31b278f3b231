"""Units named in a question: a full name, part of one, an abbreviation, with
typos. Full names go through domain.units.UnitIndex (exact, abbreviation,
one-typo fuzzy); this adds what people say but plans do not write: part of a
name ("trung tâm tin học", "phòng quản trị") and bare initials ("HCQT")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from domain.text import fold, key
from domain.units import TYPE_WORDS, KnownUnit, UnitIndex

# Type words that mean the same: what a question writes -> the unit name's.
_TYPE_SYNONYMS = {"tt": "trung tam", "vp": "van phong", "uy ban": "ubnd", "uy ban nhan dan": "ubnd"}
# Words that stand before a unit without saying its type: "bên HCQT", "đơn vị HCQT".
GENERIC_TYPES = ("don vi", "ben", "co quan")
_ALL_TYPES = sorted({*TYPE_WORDS, *_TYPE_SYNONYMS, *GENERIC_TYPES} - {"cac"}, key=lambda w: -len(w.split()))
_VOWELS = set("aeiouy")
_PLACE_WORDS = {"tinh", "phuong", "xa", "huyen", "thi", "tran", "thanh", "pho"}


def split_type(words: list[str]) -> tuple[str | None, list[str]]:
    """('trung tam', ['tin', 'hoc']) from folded words; the type is canonical,
    'generic' for "đơn vị"/"bên", None when the words do not start with one."""
    joined = " ".join(words)
    for word in _ALL_TYPES:
        if joined == word or joined.startswith(word + " "):
            kind = "generic" if word in GENERIC_TYPES else _TYPE_SYNONYMS.get(word, word)
            return kind, words[len(word.split()) :]
    return None, words


def is_acronym(token: str) -> bool:
    """'HCQT', 'pvhcc', 'ISO': initials or an acronym, not a Vietnamese word."""
    letters = re.sub(r"[^a-z]", "", fold(token))
    return len(letters) >= 2 and (not (set(letters) & _VOWELS) or (token.isupper() and token.isalpha()))


class _Name:
    """One way a unit is written, cut into its type and its content words."""

    def __init__(self, unit: KnownUnit, text: str) -> None:
        self.unit = unit
        words = [w for w in key(text).split() if w != "va"]
        while len(words) > 1 and words[-1] in _PLACE_WORDS:
            words.pop()
        self.type, self.content = split_type(words)
        self.initials = "".join(w[0] for w in self.content)
        tokens = re.split(r"[\s\-\u2013\u2014,./()&]+", text)
        self.acronyms = {fold(t) for t in tokens if is_acronym(t)} & set(self.content)


class UnitMentions:
    """Resolves the words of a question that may name a unit to the units they
    name: none, one, or several when they are ambiguous."""

    def __init__(self, units: list[KnownUnit]) -> None:
        self.index = UnitIndex(units)
        self.names = [_Name(u, text) for u in units for text in [u.name, *u.aliases]]
        self.vocabulary = {w for u in units for text in [u.name, *u.aliases] for w in key(text).split()}
        self._may_name: dict[str, bool] = {}

    def may_name(self, word: str) -> bool:
        """Whether a folded word may be part of a unit's name: one of their
        words, one slip from one, or initials."""
        if word not in self._may_name:
            if len(self._may_name) > 10_000:  # every word anyone typed: keep it bounded
                self._may_name.clear()
            self._may_name[word] = (
                word in self.vocabulary or is_acronym(word) or any(one_slip(word, known) for known in self.vocabulary)
            )
        return self._may_name[word]

    def resolve(self, phrase: str) -> tuple[KnownUnit, ...]:
        words = [w for w in key(phrase).split() if w != "va"]
        kind, content = split_type(words)
        if not content:
            return ()
        if kind != "generic":
            match = self.index.resolve(phrase)
            if match.unit is not None:
                return (match.unit,)
            if match.candidates:
                return match.candidates
        raw = [t for t in phrase.split() if fold(t) != "va"]
        if len(content) == 1 and is_acronym(raw[-1]):
            found = self._by_acronym(kind, content[0])
            if found:
                return found
        return self._by_part(kind, content)

    def _by_acronym(self, kind: str | None, letters: str) -> tuple[KnownUnit, ...]:
        return _distinct(
            n.unit for n in self.names
            if _type_fits(kind, n.type) and (n.initials == letters or letters in n.acronyms or n.content == [letters])
        )

    def _by_part(self, kind: str | None, content: list[str]) -> tuple[KnownUnit, ...]:
        """Content words that are the whole content of a unit's name, or a run
        of it: a run of two words or more anywhere, a single word only after a
        type word and at the start ("phòng kinh", not "sở hóa" for "Sở Văn hóa")."""
        typed = kind is not None and kind != "generic"
        whole, parts = [], []
        for name in self.names:
            if not _type_fits(kind, name.type):
                continue
            if _same(content, name.content):
                whole.append(name.unit)
                continue
            if len(content) == 1 and not typed:
                continue
            starts = [0] if len(content) == 1 else range(len(name.content) - len(content) + 1)
            if any(_same(content, name.content[i : i + len(content)]) for i in starts):
                parts.append(name.unit)
        return _distinct(whole) or _distinct(parts)


def _same(a: list[str], b: list[str]) -> bool:
    """The same words, or several words with one slip: a single word with a
    slip is too often another word ("phòng mình" is not "Phòng Kinh tế")."""
    return bool(a) and (a == b or (len(a) > 1 and one_slip(" ".join(a), " ".join(b))))


def _type_fits(asked: str | None, actual: str | None) -> bool:
    return asked in (None, "generic") or asked == actual


def _distinct(units: Iterable[KnownUnit]) -> tuple[KnownUnit, ...]:
    return tuple({id(u): u for u in units}.values())


def one_slip(typed: str, phrase: str) -> bool:
    """One word of a phrase mistyped by one slip, the rest as written. Short
    Vietnamese syllables are real words one letter apart ("sao"/"soat",
    "han"/"hang"), so a word of three letters may only have two letters
    swapped ("hna" for "han"), and words of two letters must be right."""
    a, b = typed.split(), phrase.split()
    if len(a) != len(b):
        return False
    differing = [(x, y) for x, y in zip(a, b) if x != y]
    if len(differing) != 1:
        return False
    x, y = differing[0]
    if any(ch.isdigit() for ch in x + y):
        return False
    if min(len(x), len(y)) >= 4:
        return OSA.distance(x, y) <= 1
    return len(x) == len(y) == 3 and sorted(x) == sorted(y) and OSA.distance(x, y) == 1
