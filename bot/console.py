"""A chat with the bot in the terminal, as a person of the organisation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.channel import Channel, Scratch
from bot.wiring import build_core
from domain.clock import Clock
from domain.messages import Inbound, Outbound
from handlers.core import Core
from services.texts import t
from storage.chats import known_users
from storage.people import person_by_identity


class Console(Channel):
    """The terminal as a channel: a typed line in, the replies printed."""

    platform = "console"

    def __init__(self, core: Core, clock: Clock, user_id: str, write: Callable[[str], Any] = print) -> None:
        super().__init__(core)
        self.clock = clock
        self.user_id = user_id
        self.write = write

    async def parse(self, update: str, scratch: Scratch) -> Inbound | None:
        if not update.strip():
            return None
        return Inbound(platform="console", chat_id=self.user_id, user_id=self.user_id, at=self.clock.now(), text=update)

    async def deliver(self, message: Outbound) -> str | None:
        prefix = "" if message.chat_id == self.user_id else f"[→ {message.chat_id}] "
        self.write(prefix + message.text)
        for number, option in enumerate(message.options, start=1):
            self.write(f"  {number}. {option.label}")
        for path in message.files:
            self.write(f"  [tệp] {path}")
        return None


async def chat(app: Any, user_id: str, read: Callable[[str], str] = input, write: Callable[[str], Any] = print) -> int:
    console = Console(build_core(app), app.clock, user_id, write)
    async with app.sessions() as session:
        person = await person_by_identity(session, "console", user_id)
        if person is None:
            write(t("console_user_unknown", user=user_id, known=await known_users(session, "console")))
            return 1
        write(t("console_intro", name=person.name, unit=person.unit.name if person.unit else None))
    while True:
        try:
            line = await asyncio.to_thread(read, "> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return 0
        await console.receive(line)
