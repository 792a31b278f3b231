"""A chat with the bot in the terminal, as a person of the organisation."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.wiring import build_core
from domain.messages import Inbound
from services.texts import t
from storage.models import ChatIdentity
from storage.people import person_by_identity


async def chat(app, user_id: str, read=input, write=print) -> int:
    core = build_core(app)
    async with app.sessions() as session:
        person = await person_by_identity(session, "console", user_id)
        if person is None:
            known = (await session.scalars(select(ChatIdentity.external_id).where(ChatIdentity.platform == "console"))).all()
            write(t("console_user_unknown", user=user_id, known=known))
            return 1
        write(t("console_intro", name=person.name, unit=person.unit.name if person.unit else None))
    while True:
        try:
            line = await asyncio.to_thread(read, "> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return 0
        if not line.strip():
            continue
        event = Inbound(platform="console", chat_id=user_id, user_id=user_id, at=app.clock.now(), text=line)
        for message in await core.handle(event):
            prefix = "" if message.chat_id == user_id else f"[→ {message.chat_id}] "
            write(prefix + message.text)
            for number, option in enumerate(message.options, start=1):
                write(f"  {number}. {option.label}")
            for path in message.files:
                write(f"  [tệp] {path}")
