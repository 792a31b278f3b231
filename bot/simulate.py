"""`python -m bot simulate`: a scripted chat, JSON Lines in and out.

Each input line is one event; for each, every outgoing message is printed as
{"chat", "text", "options", "files"} and then {"done": N}, flushed at once so
another program can drive the bot line by line."""

from __future__ import annotations

import json
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from bot.channel import Channel, Scratch
from domain.clock import FixedClock
from domain.messages import PLATFORMS, Inbound, IncomingFile, Option, Outbound
from domain.text import fold
from handlers.core import Core
from services.scheduler import Scheduler
from services.texts import t


class ScriptError(Exception):
    pass


class Simulator(Channel):
    """A script as a channel: a JSON line in, the replies collected. A line
    may play any platform ("platform"), with that platform's capabilities."""

    platform = "console"

    def __init__(self, core: Core, clock: FixedClock, zone: tzinfo) -> None:
        super().__init__(core)
        self.clock = clock
        self.zone = zone
        self.last_options: dict[tuple[str, str], list[Option]] = {}

    async def parse(self, update: dict[str, Any], scratch: Scratch) -> Inbound | None:
        return self._event(update)

    async def deliver(self, message: Outbound) -> str | None:
        """Nothing is shown; the options are kept for a later line's "choose"."""
        if message.options:
            self.last_options[(message.platform, message.chat_id)] = message.options
        return None

    def _event(self, line: dict[str, Any]) -> Inbound:
        if "at" in line:
            try:
                at = datetime.fromisoformat(line["at"])
            except (TypeError, ValueError):
                raise ScriptError(t("datetime_invalid", value=line["at"])) from None
            self.clock.set(at if at.tzinfo else at.replace(tzinfo=self.zone))
        platform = line.get("platform", "console")
        if platform not in PLATFORMS:
            raise ScriptError(t("platform_unknown", platform=platform))
        if "user" not in line:
            raise ScriptError(t("script_needs_user"))
        user = str(line["user"])
        chat = str(line.get("chat", user))
        chat_type = line.get("chat_type", "private" if chat == user else "group")
        text, option, file = str(line.get("text", "")), None, None
        if "choose" in line:
            options = self.last_options.get((platform, chat), [])
            wanted = fold(str(line["choose"]))
            index = next((i for i, o in enumerate(options) if wanted in fold(o.label) or wanted in fold(o.data)), None)
            if index is None:
                raise ScriptError(t("script_no_such_option", choose=line["choose"]))
            if PLATFORMS[platform].buttons:
                option = options[index].data
            else:
                text = str(index + 1)
        if "file" in line:
            path = Path(line["file"])
            if not path.is_file():
                raise ScriptError(t("file_missing", path=str(path)))
            file = IncomingFile(path, path.name, path.stat().st_size)
        return Inbound(
            platform=platform, chat_id=chat, user_id=user, at=self.clock.now(), text=text, option=option,
            chat_type=chat_type, display_name=line.get("name"), file=file,
            message_id=str(line["message_id"]) if "message_id" in line else None,
            addressed=bool(line.get("mention", False)),
        )

    async def step(self, line: dict[str, Any]) -> list[Outbound]:
        if line.get("tick"):
            if "at" in line:
                self._event({**line, "user": "-"})
            return await self.tick()
        return await self.receive(line)

    async def tick(self) -> list[Outbound]:
        """One scheduler tick at the script's time; what it sent, on every platform."""
        result = await Scheduler(self.core.sessions, self.clock, self.core.settings).tick()
        for message in result.messages:
            await self.deliver(message)
        return result.messages


def dump(message: Outbound) -> str:
    shown = {"chat": message.chat_id, "text": message.text, "options": [o.label for o in message.options],
             "files": message.files}
    return json.dumps(shown, ensure_ascii=False)


async def run_script(simulator: Simulator, lines: IO[str], out: IO[str]) -> None:
    for number, raw in enumerate(lines, start=1):
        raw = raw.strip()
        if raw:
            try:
                line = json.loads(raw)
                if not isinstance(line, dict):
                    raise ScriptError(t("script_line_not_object"))
                for message in await simulator.step(line):
                    out.write(dump(message) + "\n")
            except json.JSONDecodeError:
                out.write(json.dumps({"error": t("script_bad_json")}, ensure_ascii=False) + "\n")
            except ScriptError as error:
                out.write(json.dumps({"error": str(error)}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"done": number}) + "\n")
        out.flush()


def open_input(name: str) -> IO[str]:
    return sys.stdin if name == "-" else open(name, encoding="utf-8")
