"""Every user-facing word comes from templates/: whole templates through
`render`, short messages through `t`, which calls the macro of that name in
templates/messages.j2 or another templates/messages_<feature>.j2 catalogue."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain import text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_zone = {"zone": ZoneInfo("Asia/Ho_Chi_Minh")}


def configure(zone: ZoneInfo) -> None:
    """The time zone in which dates and times are shown."""
    _zone["zone"] = zone


def _local(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(_zone["zone"])
    return value


@lru_cache(maxsize=1)
def environment() -> Environment:
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
        date=lambda value: text.format_date(_local(value)),
        datetime=lambda value: text.format_datetime(_local(value)),
    )
    return env


@lru_cache(maxsize=1)
def _catalogue() -> dict:
    macros = {}
    for path in sorted(TEMPLATES.glob("messages*.j2")):
        module = environment().get_template(path.name).module
        for name in dir(module):
            if not name.startswith("_"):
                if name in macros:
                    raise KeyError(f"message {name!r} is defined twice in templates/messages*.j2")
                macros[name] = getattr(module, name)
    return macros


def t(message: str, /, **params) -> str:
    macro = _catalogue().get(message)
    if macro is None:
        raise KeyError(f"no message {message!r} in templates/messages*.j2")
    return str(macro(**params)).strip()


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context).strip()
