"""Telegram updates in, through the platform-free core, replies to the outbox.

The bridge only translates: a message, a button press or a file becomes an
Inbound event; everything the bot says comes from the core."""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update
from sqlalchemy import select, update

from domain.messages import Inbound, IncomingFile, Outbound
from services.texts import t
from storage.models import ChatIdentity, DialogState, GroupLink, OutboxMessage
from storage.outbox import enqueue

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile serves files up to 20 MB
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
MAX_NAME = 200


def file_name(attachment) -> str:
    """The sender's file name as a name only: no folders, no control
    characters, never "." or ".."; a made-up one when nothing is left."""
    given = (getattr(attachment, "file_name", None) or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in given if ch.isprintable()).strip()[-MAX_NAME:]
    if name.strip("."):
        return name
    return f"tep-{attachment.file_unique_id}" if hasattr(attachment, "file_name") else f"anh-{attachment.file_unique_id}.jpg"


def safe_suffix(name: str) -> str:
    suffix = Path(name).suffix
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ""


def chat_type(message: Message) -> str:
    return "private" if message.chat.type == "private" else "group"


class TelegramBridge:
    def __init__(self, core, bot: Bot, sessions, clock, wake=lambda: None):
        self.core = core
        self.bot = bot
        self.sessions = sessions
        self.clock = clock
        self.wake = wake  # tells the courier there is something to send
        self.me = None

    def router(self) -> Router:
        router = Router(name="tiendo")
        router.message(F.migrate_to_chat_id)(self.on_migrate)
        router.message()(self.on_message)
        router.callback_query()(self.on_press)
        router.my_chat_member()(self.on_membership)
        return router

    async def identity(self):
        if self.me is None:
            self.me = await self.bot.me()
        return self.me

    async def on_message(self, message: Message, event_update: Update) -> None:
        if message.from_user is None or message.from_user.is_bot:
            return
        me = await self.identity()
        text = message.text or message.caption or ""
        mention = f"@{me.username}".lower() if me.username else None
        replying_to_bot = message.reply_to_message is not None and message.reply_to_message.from_user is not None \
            and message.reply_to_message.from_user.id == me.id
        event = dict(
            platform="telegram", chat_id=str(message.chat.id), user_id=str(message.from_user.id),
            at=self.clock.now(), text=text, chat_type=chat_type(message),
            display_name=message.from_user.full_name, message_id=f"u{event_update.update_id}",
            addressed=bool(mention and mention in text.lower()) or replying_to_bot,
        )
        attachment = message.document or (message.photo[-1] if message.photo else None)
        if attachment is None:
            await self._handle(Inbound(**event))
            return
        if (attachment.file_size or 0) > MAX_DOWNLOAD:
            await self._say(str(message.chat.id), t("file_too_large", limit_mb=20))
            return
        name = file_name(attachment)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"tep{safe_suffix(name)}"  # never the sender's name: it may be "..", "/etc/x"
            await self.bot.download(attachment.file_id, destination=path)
            incoming = IncomingFile(path, name, path.stat().st_size)
            await self._handle(Inbound(**event, file=incoming))

    async def on_press(self, query: CallbackQuery, event_update: Update) -> None:
        message = query.message
        if message is None or query.data is None:
            await self.bot.answer_callback_query(query.id, text=t("option_expired"))
            return
        event = Inbound(
            platform="telegram", chat_id=str(message.chat.id), user_id=str(query.from_user.id), at=self.clock.now(),
            option=query.data, chat_type="private" if message.chat.type == "private" else "group",
            display_name=query.from_user.full_name, message_id=f"u{event_update.update_id}", addressed=True,
            option_message_id=str(message.message_id), callback_id=query.id,
        )
        replies = await self._handle(event)
        if not any(reply.callback_id for reply in replies):
            await self.bot.answer_callback_query(query.id)

    async def on_migrate(self, message: Message) -> None:
        await self.move_chat(str(message.chat.id), str(message.migrate_to_chat_id))

    async def move_chat(self, old: str, new: str) -> None:
        """A group became a supergroup: everything kept under the old id follows."""
        async with self.sessions() as session, session.begin():
            for model in (GroupLink, DialogState):
                await session.execute(
                    update(model).where(model.platform == "telegram", model.chat_id == old).values(chat_id=new)
                )
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.platform == "telegram", OutboxMessage.chat_id == old, OutboxMessage.status == "pending")
                .values(chat_id=new)
            )
        log.info("telegram group moved to a supergroup: %s -> %s", old, new)

    async def mark_unreachable(self, chat_id: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(ChatIdentity)
                .where(ChatIdentity.platform == "telegram", ChatIdentity.external_id == chat_id)
                .values(unreachable_at=self.clock.now())
            )

    async def on_membership(self, change: ChatMemberUpdated) -> None:
        if change.chat.type == "private":
            return
        chat = str(change.chat.id)
        joined = change.new_chat_member.status in ("member", "administrator")
        async with self.sessions() as session, session.begin():
            link = await session.scalar(
                select(GroupLink).where(GroupLink.platform == "telegram", GroupLink.chat_id == chat)
            )
            if link is not None:
                link.active = joined
        if joined:
            await self._say(chat, t("group_welcome"))

    async def _handle(self, event: Inbound) -> list[Outbound]:
        replies = await self.core.handle(event, outbox=True)
        if replies:
            self.wake()
        return replies

    async def _say(self, chat_id: str, text: str) -> None:
        async with self.sessions() as session, session.begin():
            await enqueue(session, [Outbound("telegram", chat_id, text)], self.clock.now())
        self.wake()
