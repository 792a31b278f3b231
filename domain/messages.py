"""What goes in and out of the core, whatever the platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from domain.sanitize import NAME_LIMIT, clean, clean_line


@dataclass(frozen=True)
class Capabilities:
    buttons: bool
    text_limit: int
    images: bool
    files: bool


PLATFORMS = {
    # Telegram allows 4096 characters after HTML escaping, which can lengthen a text.
    "telegram": Capabilities(buttons=True, text_limit=3500, images=True, files=True),
    "zalo": Capabilities(buttons=False, text_limit=2000, images=True, files=False),
    "console": Capabilities(buttons=True, text_limit=100_000, images=True, files=True),
}


@dataclass(frozen=True)
class IncomingFile:
    """A file or photo the person sent, already fetched to a local path."""

    path: Path
    name: str
    size: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_line(self.name, NAME_LIMIT))


_TEXT_FIELDS = ("chat_id", "user_id", "text", "option", "message_id", "option_message_id", "callback_id")


@dataclass(frozen=True)
class Inbound:
    platform: str
    chat_id: str
    user_id: str
    at: datetime
    text: str = ""
    option: str | None = None  # data of a pressed option
    chat_type: str = "private"  # "private" | "group"
    display_name: str | None = None
    file: IncomingFile | None = None
    message_id: str | None = None  # drops repeats when set
    addressed: bool = False  # in a group: mentions the bot or replies to it
    option_message_id: str | None = None  # the message whose option was pressed
    callback_id: str | None = None  # the press to answer, where the platform wants an answer

    def __post_init__(self) -> None:
        """Every adapter makes its events here: what the person sent is cleaned
        (domain/sanitize.py) before the core reads or stores any of it."""
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, clean(value))
        if self.display_name:
            object.__setattr__(self, "display_name", clean_line(self.display_name, NAME_LIMIT))

    @property
    def in_group(self) -> bool:
        return self.chat_type == "group"


@dataclass(frozen=True)
class Option:
    label: str
    data: str


@dataclass
class Outbound:
    platform: str
    chat_id: str
    text: str
    options: list[Option] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    replace_message_id: str | None = None  # the prompt this reply replaces, where edits exist
    callback_id: str | None = None
    toast: bool = False  # a short notice: shown on the pressed button where the platform can
