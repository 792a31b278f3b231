"""Parse the "Thời gian thực hiện / Thời hạn" cell of a plan task into a deadline.

Pure functions, no I/O. ``parse_timeline`` never raises: text it cannot read
becomes an "unknown" timeline carrying a Vietnamese warning for the user.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.text import collapse, fold

KINDS = ("due", "recurring", "conditional", "unknown")

_WARNING_EMPTY = "Chưa có thời hạn"
_WARNING_UNKNOWN = "Không hiểu thời hạn: «{}»"
_WARNING_INVALID = "Ngày không hợp lệ: «{}»"
_WARNING_NO_YEAR = "Chưa biết năm kế hoạch để hiểu thời hạn «{}»"
_MAX_QUOTE = 80


@dataclass(frozen=True)
class Milestone:
    text: str
    due_date: date | None


@dataclass(frozen=True)
class Timeline:
    text: str
    kind: str
    due_date: date | None
    milestones: tuple[Milestone, ...]
    warning: str | None

    @property
    def recurring(self) -> bool:
        return self.kind == "recurring"

    @property
    def conditional(self) -> bool:
        return self.kind == "conditional"


# --- patterns (matched against folded text: lower case, no diacritics) -------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7,
          "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12}
_ROMAN_ALT = "xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i"

# "/2026", " - 2026", " nam 2026", " 2026"
_YEAR = r"(?:\s*(?:/|-|nam)\s*|\s+)(?P<year>[0-9]{4})"

# Words that may precede a deadline without changing it: "trước", "chậm nhất",
# "trong", "đến hết", "hạn", "hoàn thành".
_LEAD_IN = re.compile(r"^(?:(?:truoc|cham nhat(?: la)?|trong|den(?: het)?|het|han|hoan thanh)\s*:?\s+)+")

_YEAR_ONLY = re.compile(rf"(?:cuoi )?nam(?:{_YEAR})?")
_QUARTER = re.compile(rf"(?:quy|q)\s*(?P<quarter>iv|iii|ii|i|[1-4])(?:{_YEAR})?")
_MONTH = re.compile(rf"(?:thang\s*|t\s*(?=[0-9]))(?P<month>[0-9]{{1,2}}|{_ROMAN_ALT})(?:{_YEAR})?")
_MONTH_SLASH_YEAR = re.compile(r"(?P<month>[0-9]{1,2})\s*/\s*(?P<year>[0-9]{4})")
_FIRST_MONTHS = re.compile(rf"(?P<count>[0-9]{{1,2}}) thang (?P<part>dau|cuoi) nam(?:{_YEAR})?")
_NUMERIC_DATE = re.compile(
    r"(?:ngay\s*)?(?P<day>[0-9]{1,2})\s*(?P<sep>[/.-])\s*(?P<month>[0-9]{1,2})"
    r"(?:\s*(?P=sep)\s*(?P<year>[0-9]{4}))?"
)
_WORDY_DATE = re.compile(
    r"ngay (?P<day>[0-9]{1,2}) thang (?P<month>[0-9]{1,2})(?:(?:,)? nam (?P<year>[0-9]{4}))?"
)
_RECURRING = re.compile(r"\b(?:thuong xuyen|hang (?:ngay|tuan|thang|quy|nam)|dinh ky|lien tuc)\b")
_CONDITIONAL = re.compile(r"^(?:khi|theo (?:yeu cau|chi dao|de nghi|huong dan))\b")

_HARD_SEPARATOR = re.compile(r";")
_AND = re.compile(r"\s+và\s+|\s+va\s+", re.IGNORECASE)


class _Unreadable(Exception):
    """A piece that looks like a date but cannot be one; carries the warning."""


@dataclass(frozen=True)
class _Piece:
    text: str
    kind: str
    due_date: date | None = None
    warning: str | None = None
    recognised: bool = True  # False: not a timeline form at all (vs. a bad date)


# --- public API ---------------------------------------------------------------

def parse_timeline(text: str | None, plan_year: int | None) -> Timeline:
    """Read a timeline cell; never raises."""
    raw = unicodedata.normalize("NFC", text) if isinstance(text, str) else ""
    whole = collapse(raw)
    raw_pieces = _split(raw)
    if not raw_pieces:
        return Timeline(whole, "unknown", None, (), _WARNING_EMPTY)

    pieces = [_classify(p, plan_year) for p in raw_pieces]
    unknown = next((p for p in pieces if p.kind == "unknown"), None)
    dated = [p.due_date for p in pieces if p.due_date is not None]
    if len(pieces) > 1 or dated:
        milestones = tuple(Milestone(p.text, p.due_date) for p in pieces)
    else:
        milestones = ()

    if unknown is not None:
        return Timeline(whole, "unknown", None, milestones, unknown.warning)
    if dated:
        return Timeline(whole, "due", max(dated), milestones, None)
    kind = "recurring" if any(p.kind == "recurring" for p in pieces) else "conditional"
    return Timeline(whole, kind, None, milestones, None)


# --- splitting ----------------------------------------------------------------

def _split(text: str) -> list[str]:
    """Cut a cell into pieces.

    ";" always separates. A newline or "và" separates only when every part it
    yields is readable on its own: cells wrap lines mid-phrase ("Quý \\nI/2025")
    and conditions may contain "và".
    """
    pieces: list[str] = []
    for chunk in _HARD_SEPARATOR.split(text):
        lines = [collapse(line) for line in chunk.splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 1 and all(_readable(line) for line in lines):
            candidates = lines
        else:
            candidates = [collapse(chunk)]
        for candidate in candidates:
            pieces.extend(_split_and(candidate))
    return [p for p in pieces if p]


def _split_and(piece: str) -> list[str]:
    parts = [p.strip() for p in _AND.split(piece)]
    if len(parts) > 1 and all(_readable(p) for p in parts):
        return parts
    return [piece]


def _readable(piece: str) -> bool:
    # The plan year does not change whether a piece is recognised.
    return _classify(piece, 2000).recognised


# --- one piece ----------------------------------------------------------------

def _classify(piece: str, plan_year: int | None) -> _Piece:
    piece = collapse(piece).strip(" .,:")
    folded = _LEAD_IN.sub("", fold(piece).strip(" .,:"))
    try:
        due = _due_date(folded, plan_year)
    except _Unreadable as exc:
        return _Piece(piece, "unknown", None, str(exc).format(_quote(piece)))
    if due is not None:
        return _Piece(piece, "due", due)
    if _RECURRING.search(folded):
        return _Piece(piece, "recurring")
    if _CONDITIONAL.search(folded):
        return _Piece(piece, "conditional")
    return _Piece(piece, "unknown", None, _WARNING_UNKNOWN.format(_quote(piece)), recognised=False)


def _due_date(folded: str, plan_year: int | None) -> date | None:
    """The date a dated piece names, None if the piece is not dated.

    Raises _Unreadable (with a warning template) when the piece is dated but
    the date cannot exist or the plan year is needed and missing.
    """
    if m := _YEAR_ONLY.fullmatch(folded):
        return _make(_year(m, plan_year), 12, 31)
    if m := _QUARTER.fullmatch(folded):
        quarter = _number(m["quarter"])
        return _month_end(_year(m, plan_year), quarter * 3)
    if m := _MONTH.fullmatch(folded) or _MONTH_SLASH_YEAR.fullmatch(folded):
        return _month_end(_year(m, plan_year), _number(m["month"]))
    if m := _FIRST_MONTHS.fullmatch(folded):
        year = _year(m, plan_year)
        return _make(year, 12, 31) if m["part"] == "cuoi" else _month_end(year, int(m["count"]))
    if m := _NUMERIC_DATE.fullmatch(folded) or _WORDY_DATE.fullmatch(folded):
        return _make(_year(m, plan_year), int(m["month"]), int(m["day"]))
    return None


def _year(match: re.Match[str], plan_year: int | None) -> int:
    if match["year"]:
        return int(match["year"])
    if plan_year is None:
        raise _Unreadable(_WARNING_NO_YEAR)
    return plan_year


def _number(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else _ROMAN[numeral]


def _month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise _Unreadable(_WARNING_INVALID)
    try:
        last_day = calendar.monthrange(year, month)[1]
    except (ValueError, OverflowError, TypeError):
        raise _Unreadable(_WARNING_INVALID) from None
    return _make(year, month, last_day)


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError, TypeError):
        raise _Unreadable(_WARNING_INVALID) from None


def _quote(piece: str) -> str:
    return piece if len(piece) <= _MAX_QUOTE else piece[: _MAX_QUOTE - 1] + "…"
