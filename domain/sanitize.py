"""Text from outside (a chat message, a command-line argument, a cell of an
imported file) cleaned before anything reads or stores it, and the lengths
free text may have.

Removed: control characters (C0 but newline and tab, DEL, C1), which nobody
types and PostgreSQL refuses in the case of NUL; lone surrogates, which cannot
be encoded as UTF-8; bidirectional embeddings, overrides and isolates, which
make a text display in another order than it reads; the byte-order mark.
A carriage return, alone or before a newline, becomes a newline."""

from __future__ import annotations

import re

# Caps on free text, the guided report form's since the start.
EVIDENCE_LIMIT = 1000  # a report's evidence ("Tài liệu kiểm chứng")
NOTE_LIMIT = 2000  # a report's note or blocker
MESSAGE_LIMIT = 4000  # a whole text message, refused before it is read
NAME_LIMIT = 200  # a person's display name (people.name is 200 characters)

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufeff]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029]")


def clean(text: str) -> str:
    """The text without the characters above."""
    if not text or text.isprintable():  # no control, format or surrogate character: most texts
        return text
    return _UNWANTED.sub("", _NEWLINES.sub("\n", text))


def clean_line(text: str, limit: int) -> str:
    """A one-line field (a name): cleaned, whitespace runs made one space, cut at `limit`."""
    return " ".join(clean(text).split())[:limit]
