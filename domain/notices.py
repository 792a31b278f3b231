"""A message for a person, not yet worded: the key of a macro in
templates/messages*.j2 and its parameters. Lower layers return or raise
Notices; services/texts.py turns them into words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Notice:
    key: str
    params: Mapping[str, object] = field(default_factory=dict)  # values may be Notices themselves


def notice(key: str, /, **params: object) -> Notice:
    return Notice(key, params)


Wording = Callable[[Notice], str]
"""What turns a Notice into text (services.texts.say), for code below services that must store words."""


class NoticeError(Exception):
    """An error whose message is for a person: render `notice`, never str(error)."""

    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.key)
        self.notice = notice
