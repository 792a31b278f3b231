"""Every channel has the one shape (bot/channel.py): a platform update parsed
into the core's Inbound, an Outbound delivered, its capabilities declared."""

from __future__ import annotations

import json
from types import SimpleNamespace

import httpx
import pytest
from aiogram.types import Update, User

from bot.channel import Channel, Scratch
from bot.console import Console
from bot.simulate import Simulator
from bot.telegram.app import TelegramApp, make_bot
from bot.wiring import build_core
from bot.zalo.app import ZaloApp
from bot.zalo.client import ZaloClient
from domain.messages import PLATFORMS, Capabilities, Option, Outbound
from tests.conftest import VN

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"


async def telegram(app):
    channel = TelegramApp(app, make_bot(TOKEN, "http://127.0.0.1:9"))
    channel.me = User(id=1, is_bot=True, first_name="tiendo", username="tiendo_bot")
    sent: list = []

    async def send_message(chat, text, reply_markup=None):
        sent.append((chat, text, reply_markup is not None))
        return SimpleNamespace(message_id=7)

    channel.transport.bot = SimpleNamespace(send_message=send_message)  # type: ignore[attr-defined]
    raw = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"},
                                       "from": {"id": 42, "is_bot": False, "first_name": "Mai"}, "text": "xin chào"}}

    async def close():
        await channel.bot.session.close()

    return channel, Update.model_validate(raw, context={"bot": channel.bot}), sent, close


async def zalo(app):
    sent: list = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append((body["chat_id"], body["text"], False))
        return httpx.Response(200, json={"ok": True, "result": {"message_id": "z7"}})

    client = ZaloClient(TOKEN, "http://zalo.test", transport=httpx.MockTransport(answer))
    channel = ZaloApp(app, client)
    update = {"event_name": "message.text.received",
              "message": {"message_id": "m1", "chat": {"id": "42", "chat_type": "PRIVATE"},
                          "from": {"id": "42", "display_name": "Mai"}, "text": "xin chào"}}
    return channel, update, sent, client.close


async def console(app):
    lines: list[str] = []
    channel = Console(build_core(app), app.clock, "42", lines.append)

    async def nothing():
        pass

    return channel, "xin chào", lines, nothing


async def simulate(app):
    channel = Simulator(build_core(app), app.clock, VN)

    async def nothing():
        pass

    return channel, {"user": "42", "text": "xin chào"}, channel.last_options, nothing


@pytest.mark.parametrize("make", [telegram, zalo, console, simulate])
async def test_each_channel_has_the_shape(app, make):
    channel, update, delivered, close = await make(app)
    try:
        assert isinstance(channel, Channel)
        assert channel.capabilities is PLATFORMS[channel.platform]
        assert isinstance(channel.capabilities, Capabilities)

        with Scratch() as scratch:
            event = await channel.parse(update, scratch)
        assert event is not None
        assert (event.platform, event.chat_id, event.user_id, event.text) == (channel.platform, "42", "42", "xin chào")

        message = Outbound(channel.platform, "42", "a < b", [Option("Có", "yes")])
        await channel.deliver(message)
        assert delivered
    finally:
        await close()


async def test_what_each_channel_shows(app):
    """Telegram escapes for its HTML mode and puts options on buttons; the
    console numbers them; a script keeps them for a later "choose"."""
    message = Outbound("telegram", "42", "a < b", [Option("Có", "yes")])
    channel, _, sent, close = await telegram(app)
    try:
        assert await channel.deliver(message) == "7"
        assert sent == [("42", "a &lt; b", True)]
    finally:
        await close()
    channel, _, lines, _ = await console(app)
    await channel.deliver(Outbound("console", "42", "a < b", [Option("Có", "yes")]))
    await channel.deliver(Outbound("console", "7", "khác"))
    assert lines == ["a < b", "  1. Có", "[→ 7] khác"]
    simulator, _, options, _ = await simulate(app)
    await simulator.deliver(Outbound("zalo", "42", "a", [Option("Có", "yes")]))
    assert options == {("zalo", "42"): [Option("Có", "yes")]}


async def test_the_console_chat_prints_each_reply(org_app):
    from bot.console import chat

    typed = iter(["", "/help"])

    def read(prompt: str) -> str:
        line = next(typed, None)
        if line is None:
            raise EOFError
        return line

    shown: list[str] = []
    assert await chat(org_app, "canbo", read, shown.append) == 0
    assert len(shown) == 3 and "/help" in shown[0] and shown[-1] == ""  # the intro, the help, the goodbye line
    unknown: list[str] = []
    assert await chat(org_app, "ai-do", read, unknown.append) == 1
    assert unknown[0].startswith("Không có người dùng console «ai-do». Có thể dùng: ") and "canbo" in unknown[0]
