"""Every user-facing word comes from templates/: whole templates through
`render`, short messages through `t`, which calls the macro of that name in
templates/messages.j2 or another templates/messages_<feature>.j2 catalogue,
and Notices from lower layers through `say`.

Dates and times are shown in one time zone, fixed when a `Texts` is built:
`texts_in(zone)` for a given zone; the module's `t`, `render` and `say` show
them in the product's zone, Vietnam's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain import text
from domain.notices import Notice

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Texts:
    """The message catalogue, showing dates and times in `zone`."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def _local(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(self.zone)
        return value

    @cached_property
    def environment(self) -> Environment:
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            autoescape=False,
        )
        env.filters.update(
            vnd=text.format_vnd,
            percent=text.format_percent,
            count2=text.format_count,
            date=lambda value: text.format_date(self._local(value)),
            datetime=lambda value: text.format_datetime(self._local(value)),
        )
        return env

    @cached_property
    def _catalogue(self) -> dict[str, Callable[..., Any]]:
        macros: dict[str, Callable[..., Any]] = {}
        for path in sorted(TEMPLATES.glob("messages*.j2")):
            module = self.environment.get_template(path.name).module
            for name in dir(module):
                if not name.startswith("_"):
                    if name in macros:
                        raise KeyError(f"message {name!r} is defined twice in templates/messages*.j2")
                    macros[name] = getattr(module, name)
        return macros

    def t(self, message: str, /, **params: Any) -> str:
        macro = self._catalogue.get(message)
        if macro is None:
            raise KeyError(f"no message {message!r} in templates/messages*.j2")
        return str(macro(**params)).strip()

    def render(self, template: str, **context: Any) -> str:
        return self.environment.get_template(template).render(**context).strip()

    def say(self, notice: Notice) -> str:
        """A Notice in words; Notices among its parameters are worded first."""
        params = {name: self.say(v) if isinstance(v, Notice) else v for name, v in notice.params.items()}
        return self.t(notice.key, **params)


@lru_cache(maxsize=4)
def texts_in(zone: tzinfo) -> Texts:
    """The catalogue for a time zone, built once per zone."""
    return Texts(zone)


_vietnam = texts_in(VIETNAM)
t = _vietnam.t
render = _vietnam.render
say = _vietnam.say
