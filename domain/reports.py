"""Reading what officers type: status words, percentages, one-line quick reports."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.text import collapse, fold

# Longest phrases first so "chua hoan thanh" is not read as "hoan thanh".
_STATUS_WORDS = sorted(
    [
        ("chua trien khai", "not_started"), ("chua thuc hien", "not_started"), ("chua lam", "not_started"),
        ("chua bat dau", "not_started"), ("chua hoan thanh", "in_progress"),
        ("dang thuc hien", "in_progress"), ("dang trien khai", "in_progress"), ("dang lam", "in_progress"),
        ("dang th", "in_progress"), ("dang xu ly", "in_progress"),
        ("da hoan thanh", "done"), ("hoan thanh", "done"), ("da xong", "done"), ("xong", "done"), ("ht", "done"),
        ("gap vuong mac", "stuck"), ("vuong mac", "stuck"), ("bi vuong", "stuck"), ("vuong", "stuck"),
        ("kho khan", "stuck"), ("gap kho khan", "stuck"),
    ],
    key=lambda pair: -len(pair[0]),
)
_CODE = re.compile(r"^\s*([IVXivx]{1,4})\s*[.\-]\s*(\d{1,3})\b")
_PERCENT = re.compile(r"(?<![0-9])([0-9]{1,3})\s*(?:%|phan tram)")
_SEPARATORS = " ,.:;-–—"


def task_code(text: str) -> str | None:
    """'iii.2 …' -> 'III.2'."""
    m = _CODE.match(text or "")
    return f"{m.group(1).upper()}.{int(m.group(2))}" if m else None


def _aligned(text: str) -> tuple[str, str]:
    """The text tidied (NFC, collapsed spaces) and its folded form, character
    for character, so that a position in one is the same in the other."""
    tidy = collapse(unicodedata.normalize("NFC", text or ""))
    folded = "".join((fold(ch) or " ")[:1] if not ch.isspace() else " " for ch in tidy)
    return tidy, folded


def parse_status(text: str) -> tuple[str | None, str]:
    """The status a phrase starts with, and the text after it as written."""
    tidy, folded = _aligned(text)
    stripped = folded.lstrip(_SEPARATORS)
    offset = len(folded) - len(stripped)
    for phrase, status in _STATUS_WORDS:
        if stripped == phrase or (stripped.startswith(phrase) and not stripped[len(phrase)].isalnum()):
            return status, tidy[offset + len(phrase) :].strip(_SEPARATORS)
    return None, text


def parse_percent(text: str) -> int | None:
    """'60', '60%', ' 60 % ' -> 60; anything else, or out of 0–100, -> None."""
    folded = fold(text).strip().rstrip("%").strip()
    if re.fullmatch(r"[0-9]{1,3}", folded) and int(folded) <= 100:
        return int(folded)
    return None


@dataclass(frozen=True)
class QuickReport:
    code: str
    status: str
    percent: int | None
    evidence: str | None
    note: str | None


def parse_quick_report(text: str) -> QuickReport | None:
    """'III.2 hoàn thành, KH số 181/KH-VP ngày 23/02/2026' or 'iii.2 dang thuc hien 60%'."""
    code = task_code(text)
    match = _CODE.match(text)
    if code is None or match is None:
        return None
    rest = text[match.end() :]
    status, tail = parse_status(rest)
    if status is None:
        return None
    percent = None
    tail, folded_tail = _aligned(tail)
    if status in ("in_progress", "done") and (m := _PERCENT.search(folded_tail)):
        value = int(m.group(1))
        if value > 100 or (status == "done" and value != 100):
            return None
        percent = value if status == "in_progress" else None
        tail = (tail[: m.start()] + tail[m.end() :]).strip(_SEPARATORS)
    rest_text = tail.strip() or None
    if status == "done":
        return QuickReport(code, status, None, rest_text, None)
    return QuickReport(code, status, percent, None, rest_text)
