"""The Telegram channel: updates in by polling or webhook, translated for the
core (bot/telegram/inbound.py), replies out through the courier
(bot/telegram/transport.py)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, ChatMemberUpdated, Message, Update, User
from aiohttp import web
from pydantic import ValidationError

from bot.channel import QueuedChannel, Scratch
from bot.delivery import TELEGRAM_LIMITS
from bot.guard import Origin
from bot.logs import describe
from bot.telegram.inbound import (
    ALLOWED_UPDATES,
    MAX_DOWNLOAD,
    attachment_of,
    file_name,
    message_fields,
    press_event,
    safe_suffix,
)
from bot.telegram.transport import TelegramTransport
from domain.messages import Inbound, IncomingFile, Outbound
from services.texts import render, t

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class PollFailed(Exception):
    pass


WEBHOOK_PATH = "/telegram/webhook"
MAX_START_WAIT = 60.0  # seconds between two tries of the start steps, at most


def make_bot(token: str, api_base: str, timeout: float = 60) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), timeout=timeout)
    # Every text is escaped before sending (TelegramTransport), so HTML mode is safe.
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def origin(raw: dict[str, Any]) -> Origin:
    """The update's id, chat and sender, read from the raw update (it may not validate)."""
    body: dict[str, Any] = next((raw[kind] for kind in ("message", "edited_message", "callback_query", "my_chat_member")
                 if isinstance(raw.get(kind), dict)), {})
    sender: dict[str, Any] = body["from"] if isinstance(body.get("from"), dict) else {}
    chat = body.get("chat") if isinstance(body.get("chat"), dict) else None
    if chat is None and isinstance(body.get("message"), dict):  # a button press
        chat = body["message"].get("chat")
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    user_id = sender.get("id")
    return Origin(str(raw.get("update_id")), None if chat_id is None else str(chat_id),
                  None if user_id is None else str(user_id))


def menu() -> list[BotCommand]:
    lines = [line.split("|", 1) for line in render("telegram_commands.j2").splitlines() if "|" in line]
    return [BotCommand(command=name.strip(), description=text.strip()) for name, text in lines]


class TelegramApp(QueuedChannel):
    platform = "telegram"
    limits = TELEGRAM_LIMITS
    webhook_setting = "telegram_webhook_url"

    def __init__(self, app, bot: Bot, *, courier_options: dict | None = None):
        self.bot = bot
        self.me: User | None = None
        super().__init__(app, TelegramTransport(bot, app.settings.files_dir), bot.token,
                         courier_options=courier_options)

    def courier_hooks(self):
        return {"on_unreachable": self.records.unreachable, "on_moved": self.records.chat_moved}

    async def identity(self) -> User:
        if self.me is None:
            self.me = await self.bot.me()
        return self.me

    async def parse(self, update: Update, scratch: Scratch) -> Inbound | None:
        message, query = update.message, update.callback_query
        if message is not None and message.migrate_to_chat_id:
            await self.records.chat_moved(str(message.chat.id), str(message.migrate_to_chat_id))
        elif message is not None:
            return await self._message(message, update.update_id, scratch)
        elif query is not None:
            event = press_event(query, update.update_id, self.app.clock.now())
            if event is None:
                await self.bot.answer_callback_query(query.id, text=t("option_expired"))
            return event
        elif update.my_chat_member is not None:
            await self._membership(update.my_chat_member)
        return None

    async def _message(self, message: Message, update_id: int, scratch: Scratch) -> Inbound | None:
        sender = message.from_user
        if sender is None or sender.is_bot:
            return None
        fields = message_fields(message, sender, update_id, await self.identity(), self.app.clock.now())
        attachment = attachment_of(message)
        if attachment is None:
            return Inbound(**fields)
        if (attachment.file_size or 0) > MAX_DOWNLOAD:
            await self.records.notify(str(message.chat.id), t("file_too_large", limit_mb=20))
            return None
        name = file_name(attachment)
        path = scratch.path / f"tep{safe_suffix(name)}"  # never the sender's name: it may be "..", "/etc/x"
        await self.bot.download(attachment.file_id, destination=path)
        return Inbound(**fields, file=IncomingFile(path, name, path.stat().st_size))

    async def _membership(self, change: ChatMemberUpdated) -> None:
        if change.chat.type == "private":
            return
        chat = str(change.chat.id)
        joined = change.new_chat_member.status in ("member", "administrator")
        await self.records.membership(chat, joined)
        if joined:
            await self.records.notify(chat, t("group_welcome"))

    async def answer(self, event: Inbound) -> list[Outbound]:
        replies = await super().answer(event)
        if event.callback_id and not any(reply.callback_id for reply in replies):
            await self.bot.answer_callback_query(event.callback_id)  # stops the button's spinner
        return replies

    async def register_commands(self) -> None:
        await self.bot.set_my_commands(menu())

    async def set_webhook(self, url: str, secret: str | None) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                   drop_pending_updates=False)

    async def prepare(self, stop: asyncio.Event, polling: bool) -> bool:
        """The start steps: who the bot is, its menu, and for polling no
        webhook. While Telegram cannot be reached they are tried again, a
        little later each time, and the rest of the process (HTTP, the
        scheduler, Zalo, the couriers) goes on. False if stopped first."""
        wait = self.app.settings.telegram_start_backoff_seconds
        while not stop.is_set():
            try:
                self.me = await self.bot.get_me()
                await self.register_commands()
                if polling:
                    await self.bot.delete_webhook(drop_pending_updates=False)
                log.info("telegram bot @%s ready", self.me.username)
                return True
            except Exception as error:
                log.warning("telegram start steps failed (%s); trying again in %.1f s",
                            describe(error, self.secrets, limit=300), wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            wait = min(wait * 2, MAX_START_WAIT)
        return False

    async def serve(self, stop: asyncio.Event) -> None:
        if self.webhook:
            await self.prepare(stop, polling=False)
        else:
            await self.run(stop)

    async def close(self) -> None:
        await self.bot.session.close()

    async def run(self, stop: asyncio.Event) -> None:
        """Polling mode: the start steps, then the updates."""
        if await self.prepare(stop, polling=True):
            await self.poll(stop)

    async def poll(self, stop: asyncio.Event | None = None, timeout: int = 25, backoff: float = 1.0) -> None:
        """Long polling. Updates are handled one by one and an update is
        confirmed (the offset moves past it) only once handled or, after it
        failed UPDATE_MAX_ATTEMPTS times, kept as a dead letter (bot/guard.py);
        a crash mid-update gets it again; repeats are dropped by the core."""
        stop = stop or asyncio.Event()
        offset: int | None = None
        failures = 0
        while not stop.is_set():
            try:
                batch = await self._get_updates(offset, timeout)
                failures = 0
            except Exception as error:
                failures += 1
                log.warning("telegram getUpdates failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(min(backoff * 2 ** min(failures - 1, 6), MAX_START_WAIT))
                continue
            for raw in batch:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if not isinstance(update_id, int):
                    log.warning("ignored a telegram update without update_id")
                    continue
                try:
                    update = Update.model_validate(raw, context={"bot": self.bot})
                except ValidationError:
                    log.warning("ignored malformed telegram update %s", update_id)
                    offset = update_id + 1
                    continue
                await self.take(origin(raw), raw, update)
                offset = update_id + 1

    async def _get_updates(self, offset: int | None, timeout: int) -> list:
        """getUpdates, read raw so that one malformed update cannot block the rest."""
        session = self.bot.session
        assert isinstance(session, AiohttpSession)  # make_bot's
        client = await session.create_session()
        url = session.api.api_url(token=self.bot.token, method="getUpdates")
        payload = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            payload["offset"] = offset
        async with client.post(url, json=payload, timeout=aiohttp.ClientTimeout(total=timeout + 10)) as response:
            body = await response.json(content_type=None)
        if not isinstance(body, dict) or not body.get("ok"):
            raise PollFailed(str(body.get("description")) if isinstance(body, dict) else "not JSON")
        return body.get("result") or []

    async def handle_webhook(self, request: web.Request) -> web.Response:
        secret = self.app.settings.telegram_webhook_secret
        expected = secret.get_secret_value() if secret else ""
        given = request.headers.get(SECRET_HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return web.Response(status=401, text="unauthorized")
        try:
            raw = json.loads(await request.read())
            update = Update.model_validate(raw, context={"bot": self.bot})
        except (ValueError, ValidationError) as error:
            # Acknowledged: Telegram would otherwise send it again for 24 hours.
            log.warning("ignored a malformed telegram update: %s", type(error).__name__)
            return web.Response(text="ok")
        # 500: Telegram sends it again, until it failed UPDATE_MAX_ATTEMPTS
        # times in all the processes serving this webhook; then 200.
        if not await self.take_pushed(origin(raw), raw, update):
            return web.Response(status=500, text="failed")
        return web.Response(text="ok")

    def add_routes(self, web_app: web.Application) -> None:
        web_app.router.add_post(WEBHOOK_PATH, self.handle_webhook)
