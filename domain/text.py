"""Vietnamese text normalisation and number/date formatting."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks; "đ" becomes "d"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def collapse(text: str) -> str:
    """Join wrapped lines and collapse runs of whitespace into one space."""
    return _SPACES.sub(" ", text or "").strip()


def fold(text: str) -> str:
    """Lower case, no diacritics, collapsed spaces; punctuation kept."""
    text = unicodedata.normalize("NFC", text or "")
    for dash in _DASHES:
        text = text.replace(dash, "-")
    return collapse(strip_diacritics(text).lower())


def key(text: str) -> str:
    """A matching key: folded, "&" read as "và", punctuation dropped."""
    folded = fold(text).replace("&", " va ")
    return collapse(_PUNCT.sub(" ", folded).replace("_", " "))


def format_vnd(amount: int) -> str:
    """14000000 -> "14.000.000"."""
    return f"{amount:,}".replace(",", ".")


def format_percent(value: float | Decimal) -> str:
    """66.666 -> "66,67%"; 50.0 -> "50%"."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def format_count(n: int) -> str:
    """Counts in reports take two digits: 4 -> "04"."""
    return f"{n:02d}"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%H:%M %d/%m/%Y")
