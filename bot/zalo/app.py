"""The Zalo channel: events in (long polling or webhook), translated for the
core, replies to the outbox and out through the courier
(bot/zalo/transport.py). Text only: options are numbered lists, answered with
the number or the label."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from bot.channel import QueuedChannel, Scratch
from bot.guard import Origin
from bot.media import add_media_route
from bot.zalo.client import ZaloClient
from bot.zalo.transport import ZALO_LIMITS, ZaloTransport
from domain.messages import Inbound, IncomingFile
from services.texts import t

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"
MAX_DOWNLOAD = 20 * 1024 * 1024
TEXT_EVENTS = {"message.text.received", "message.image.received", "message.sticker.received",
               "message.unsupported.received"}


def media_secret(token: str) -> bytes:
    """A per-bot secret for media URLs, stable across processes and restarts."""
    return hmac.new(token.encode(), b"tiendo-media", hashlib.sha256).digest()


def origin(event) -> Origin:
    """The event's message id, chat and sender, read defensively; an event
    without a message id is known by a digest of its content."""
    message = event.get("message") if isinstance(event, dict) else None
    message = message if isinstance(message, dict) else {}
    chat: dict[str, Any] = message["chat"] if isinstance(message.get("chat"), dict) else {}
    sender: dict[str, Any] = message["from"] if isinstance(message.get("from"), dict) else {}
    key = message.get("message_id")
    if not isinstance(key, (str, int)):
        key = "sha1:" + hashlib.sha1(json.dumps(event, sort_keys=True, default=str).encode()).hexdigest()
    chat_id, user_id = chat.get("id"), sender.get("id")
    return Origin(str(key), None if chat_id is None else str(chat_id), None if user_id is None else str(user_id))


def unwrap(body) -> dict | None:
    """A webhook body arrives flat or wrapped in {"ok": true, "result": …}."""
    if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
        body = body["result"]
    return body if isinstance(body, dict) else None


class ZaloApp(QueuedChannel):
    platform = "zalo"
    limits = ZALO_LIMITS
    webhook_setting = "zalo_webhook_url"

    def __init__(self, app, client: ZaloClient, *, courier_options: dict | None = None, public_base: str | None = None):
        self.client = client
        transport = ZaloTransport(client, app.settings.files_dir, public_base, media_secret(client._token))
        super().__init__(app, transport, client._token, courier_options=courier_options)
        self.public_base = public_base

    def mount(self, web_app: web.Application) -> None:
        super().mount(web_app)
        if self.public_base:  # Zalo takes photos only as public URLs
            add_media_route(web_app, media_secret(self.client._token), self.app.settings.files_dir)

    async def serve(self, stop: asyncio.Event) -> None:
        if not self.webhook:
            await self.poll(stop)

    async def close(self) -> None:
        await self.client.close()

    def courier_hooks(self):
        return {"after_round": self.records.watch_quota}

    async def poll(self, stop: asyncio.Event | None = None, timeout: int = 30, backoff: float = 1.0) -> None:
        """getUpdates has no offset: the same message may come again, and the
        core drops it by its message_id. An event whose handling fails is
        tried again here (bot/guard.py)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                events = await self.client.get_updates(timeout)
            except Exception as error:  # whatever it is, polling goes on
                log.warning("zalo getUpdates failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(backoff)
                continue
            for event in events:
                # Zalo has no offset: the event is ours alone now, tried again here
                # until handled or, failed UPDATE_MAX_ATTEMPTS times, a dead letter.
                await self.take(origin(unwrap(event)), event, event)

    async def parse(self, body, scratch: Scratch) -> Inbound | None:
        event = unwrap(body)
        if event is None or event.get("event_name") not in TEXT_EVENTS or not isinstance(event.get("message"), dict):
            log.warning("ignored a zalo event: %s", (event or {}).get("event_name", "malformed"))
            return None
        message = event["message"]
        try:
            chat, sender = message["chat"], message["from"]
            chat_id, user_id = str(chat["id"]), str(sender["id"])
            message_id = str(message["message_id"])
        except (KeyError, TypeError):
            log.warning("ignored a zalo message without chat, sender or id")
            return None
        base = dict(
            platform="zalo", chat_id=chat_id, user_id=user_id, at=self.app.clock.now(),
            chat_type="group" if str(chat.get("chat_type", "")).upper() == "GROUP" else "private",
            display_name=sender.get("display_name"), message_id=message_id,
            addressed=True,  # in groups Zalo shows the bot only mentions of it and replies to it
        )
        name = event["event_name"]
        if name == "message.text.received":
            return Inbound(**base, text=str(message.get("text") or ""))
        if name == "message.image.received" and message.get("photo_url"):
            return await self._photo(base, str(message["photo_url"]), str(message.get("caption") or ""), scratch)
        if base["chat_type"] == "private":
            await self.records.notify(chat_id, t("zalo_text_only"))
        return None

    async def _photo(self, base: dict, url: str, caption: str, scratch: Scratch) -> Inbound | None:
        path = scratch.path / "anh.jpg"
        try:
            size = await self._download(url, path)
        except (httpx.HTTPError, ValueError) as error:
            log.warning("could not fetch a zalo photo (%s)", type(error).__name__)
            await self.records.notify(base["chat_id"], t("photo_unavailable"))
            return None
        name = f"anh-zalo-{base['message_id']}.jpg"
        return Inbound(**base, text=caption, file=IncomingFile(path, name, size))

    async def _download(self, url: str, path: Path) -> int:
        size = 0
        async with self.client.http.stream("GET", url) as response:
            response.raise_for_status()
            with path.open("wb") as handle:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_DOWNLOAD:
                        raise ValueError("photo over 20 MB")
                    handle.write(chunk)
        return size

    async def handle_webhook(self, request: web.Request) -> web.Response:
        secret = self.app.settings.zalo_webhook_secret
        expected = secret.get_secret_value() if secret else ""
        if not expected or not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), expected.encode()):
            return web.Response(status=401, text="unauthorized")
        try:
            body = json.loads(await request.read())
        except ValueError:
            log.warning("ignored a malformed zalo webhook body")
            return web.json_response({"ok": True})
        if not await self.take_pushed(origin(unwrap(body)), body, body):
            return web.json_response({"ok": False}, status=500)
        return web.json_response({"ok": True})

    def add_routes(self, web_app: web.Application) -> None:
        web_app.router.add_post(WEBHOOK_PATH, self.handle_webhook)
