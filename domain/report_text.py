"""Small text helpers for the periodic report, with no I/O."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from domain.text import collapse, fold, format_percent, format_vnd

# Abbreviations kept in capitals when an all-capitals title is put in sentence case.
ABBREVIATIONS = {
    "cchc", "tthc", "ubnd", "hdnd", "vbqppl", "qppl", "cntt", "iso", "cbcc", "cbccvc", "ccvc", "nsnn",
    "pci", "papi", "sipas", "dti", "par", "tcvn", "kt-xh", "vp", "ttpvhcc",
}
_WORD = re.compile(r"\S+")


def sentence_case(title: str) -> str:
    """'CẢI CÁCH THỂ CHẾ' -> 'Cải cách thể chế'; a title already in mixed
    case is kept; known abbreviations (CCHC, TTHC…) stay in capitals."""
    title = collapse(title)
    letters = [ch for ch in title if ch.isalpha()]
    if not letters or any(ch.islower() for ch in letters):
        return title

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        bare = fold(token).strip(",.;:()«»\"'")
        return token if bare in ABBREVIATIONS else token.lower()

    lowered = _WORD.sub(word, title)
    return lowered[:1].upper() + lowered[1:]


def long_date(day: date) -> str:
    """The date line of an official document (Decree 30/2020/NĐ-CP): days
    below 10 and months below 3 take a leading zero: 'ngày 05 tháng 02 năm 2026'."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {d} tháng {m} năm {day.year}"


def one_line(text: str | None) -> str:
    """Cell and paragraph text on one line: wrapped lines joined."""
    return collapse(text or "")


def slug(text: str) -> str:
    """A file-name part: folded, hyphens for anything else."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "x"


def format_number(value: Decimal | float | int) -> str:
    """1234.5 -> '1.234,5'; 32.0 -> '32'."""
    text = f"{Decimal(str(value)):f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    negative = whole.startswith("-")
    whole = format_vnd(abs(int(whole)))
    return ("-" if negative else "") + whole + ("," + fraction if fraction else "")


def format_measure(value: Decimal | float | int, unit: str | None) -> str:
    """An indicator's value in its unit: '98,6%', '1.250 hồ sơ'."""
    if unit and unit.strip() == "%":
        return format_percent(value)
    return format_number(value) + (f" {unit.strip()}" if unit and unit.strip() else "")
