"""The settings the conversation core and its dialogs read, named as a
Protocol: bot.settings.Settings satisfies it; tests may pass anything that does."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.workdays import CalendarSettings


class CoreSettings(CalendarSettings, Protocol):
    @property
    def zone(self) -> ZoneInfo: ...  # the organisation's time zone: "today" is a day there

    @property
    def dialog_ttl_hours(self) -> int: ...  # a form left this long expires

    @property
    def correction_window_hours(self) -> int: ...  # /sua corrects a report this recent

    @property
    def files_dir(self) -> Path: ...  # evidence files and written reports

    @property
    def file_parse_seconds(self) -> float: ...  # an uploaded spreadsheet is read for at most this long

    @property
    def period_mode(self) -> str: ...  # how report periods are cut (domain.periods)

    @property
    def digest_weekday(self) -> int: ...  # a group's digest day when it has not chosen one

    @property
    def digest_time(self) -> str: ...

    @property
    def digest_due_days(self) -> int: ...

    @property
    def reminder_platforms(self) -> list[str]: ...
