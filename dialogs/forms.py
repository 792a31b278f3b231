"""Multi-step conversations as forms: required slots asked in order, each with
its own validator. The state lives in the database (DialogState), never here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from domain.messages import IncomingFile, Option
from domain.text import fold

# A typed answer picks an option when it is this close to the option's label
# (fuzz.ratio on folded text); tested in tests/test_forms.py.
OPTION_THRESHOLD = 85


@dataclass
class Reply:
    text: str
    options: list[Option] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    toast: bool = False  # a short notice about the press itself ("this has expired")


@dataclass(frozen=True)
class Answer:
    text: str
    option: str | None  # data of the chosen option, pressed or typed
    file: IncomingFile | None = None


class Invalid(Exception):
    """The answer does not fit; `hint` says why (None: just ask again)."""

    def __init__(self, hint: str | None = None):
        super().__init__(hint or "")
        self.hint = hint


class Restart(Exception):
    """Go back to the first slot, keeping only the given slots' answers."""

    def __init__(self, keep: tuple[str, ...] = ()):
        super().__init__()
        self.keep = keep


class Slot:
    name: str = ""

    def applies(self, data: dict) -> bool:
        return True

    async def ask(self, ctx, data: dict) -> Reply:
        raise NotImplementedError

    async def accept(self, ctx, data: dict, answer: Answer):
        raise NotImplementedError


class Form:
    name: str = ""
    slots: list[Slot] = []
    # A form that only offers something (more of a list, a choice of unit)
    # ends silently when it expires: the next message is handled afresh.
    quiet_expiry: bool = False

    async def submit(self, ctx, data: dict) -> list[Reply]:
        raise NotImplementedError

    def next_slot(self, data: dict) -> Slot | None:
        for slot in self.slots:
            if slot.name not in data and slot.applies(data):
                return slot
        return None


def match_option(text: str, options: list[Option]) -> str | None:
    """The option a typed answer means: its number, its label, or close to it."""
    typed = fold(text).strip(" .)")
    if not typed or not options:
        return None
    if re.fullmatch(r"[0-9]+", typed):
        index = int(typed) - 1
        return options[index].data if 0 <= index < len(options) else None
    labels = {i: fold(o.label) for i, o in enumerate(options)}
    for i, label in labels.items():
        if label == typed:
            return options[i].data
    found = process.extract(typed, labels, scorer=fuzz.ratio, score_cutoff=OPTION_THRESHOLD, limit=2)
    if len(found) == 1 or (len(found) == 2 and found[0][1] > found[1][1]):
        return options[found[0][2]].data
    return None
