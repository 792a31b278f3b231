"""Issue 11, secrets on every path out: when the platform (or a proxy in front
of it) answers with a page that echoes the request URL, which carries the bot
token, neither `serve` nor `telegram set-webhook` nor `zalo set-webhook`
prints the token: not in log lines, tracebacks, chained causes or the CLI's
error line. The real process against the fake servers."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from pydantic import SecretStr

from tests import test_telegram as tg
from tests.bot_process import BotProcess
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
ZALO_TOKEN = "3405637589214732155:QyUbzRMnWfDcEoKsIaTHvXjPLgZNuBhA"
SECRET = "s3cret-webhook-token"


def echo_page(base: str, token: str) -> str:
    """What an nginx in front of the API may answer: the request URL echoed back."""
    return (f"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
            f"<p>upstream failed for {base}/bot{token}/method (also {quote(token, safe='')})</p></body></html>")


def assert_no_secret(output: str, token: str) -> None:
    assert token not in output
    assert token.split(":")[1] not in output


async def test_serve_never_prints_the_telegram_token(tmp_path):
    async with FakeTelegram(TOKEN) as fake:
        page = echo_page(fake.base_url, TOKEN)
        fake.fail_next("*", status=502, raw_body=page, times=4)  # the start steps fail a few times
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base_url,
               "TELEGRAM_START_BACKOFF_SECONDS": "0.1", "UPDATE_RETRY_BACKOFF_SECONDS": "0.05"}
        bot = await BotProcess(tmp_path, env).start()
        try:
            await bot.healthy()
            fake.push_update(fake.message_update(tg.OFFICER, tg.OFFICER, "/help"))
            await until(lambda: fake.sent_to(tg.OFFICER), bot)
            fake.fail_next("getFile", status=502, raw_body=page, times=3)  # a poison update echoing it too
            fake.push_update(fake.document_update(tg.LEADER, tg.LEADER, b"%PDF", file_name="kh.pdf"))
            await until(lambda: fake.sent_to(tg.LEADER), bot)
        finally:
            assert await bot.stop() == 0
    output = bot.output
    assert "ClientDecodeError" in output  # the failures were logged, only without the token
    assert_no_secret(output, TOKEN)


async def until(condition, bot: BotProcess, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert bot.process.returncode is None, bot.output
        assert asyncio.get_running_loop().time() < deadline, bot.output
        await asyncio.sleep(0.1)


async def test_telegram_set_webhook_prints_one_line_without_the_token(tmp_path):
    async with FakeTelegram(TOKEN) as fake:
        fake.fail_next("setWebhook", status=502, raw_body=echo_page(fake.base_url, TOKEN))
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base_url,
               "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": SECRET}
        bot = await BotProcess(tmp_path, env, "telegram", "set-webhook").start()
        assert await bot.wait(30) == 1
    [line] = bot.stderr.strip().splitlines()
    assert "Telegram" in line and "***" in line
    assert_no_secret(bot.output, TOKEN)
    assert SECRET not in bot.output


@pytest.mark.parametrize("html", [True, False])
async def test_zalo_set_webhook_prints_one_line_without_the_token(tmp_path, html):
    async with FakeZalo(ZALO_TOKEN) as fake:
        page = echo_page(fake.base_url, ZALO_TOKEN)
        if html:
            fake.fail_next("setWebhook", status=502, raw_body=page)
        else:
            fake.fail_next("setWebhook", status=400, description=f"invalid url for {fake.base_url}/bot{ZALO_TOKEN}")
        env = {"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE": fake.base_url,
               "ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo/webhook", "ZALO_WEBHOOK_SECRET": SECRET}
        bot = await BotProcess(tmp_path, env, "zalo", "set-webhook").start()
        assert await bot.wait(30) == 1
    [line] = bot.stderr.strip().splitlines()
    assert "Zalo" in line
    assert_no_secret(bot.output, ZALO_TOKEN)


async def test_zalo_serve_never_prints_the_token(tmp_path):
    async with FakeZalo(ZALO_TOKEN) as fake:
        fake.fail_next("getUpdates", status=502, raw_body=echo_page(fake.base_url, ZALO_TOKEN), times=2)
        fake.fail_next("getUpdates", status=500, description=f"upstream {fake.base_url}/bot{ZALO_TOKEN}/getUpdates")
        env = {"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE": fake.base_url}
        bot = await BotProcess(tmp_path, env).start()
        try:
            await bot.healthy()
            fake.push(fake.text_event("zu-moi", "zu-moi", "/help"))
            await until(lambda: fake.texts("zu-moi"), bot)
        finally:
            assert await bot.stop() == 0
    assert "getUpdates failed" in bot.output
    assert_no_secret(bot.output, ZALO_TOKEN)


def test_logs_and_uncaught_errors_are_redacted_with_their_causes(monkeypatch):
    from bot.logs import protect, setup_logging

    settings = SimpleNamespace(telegram_bot_token=SecretStr(TOKEN), zalo_bot_token=None,
                               telegram_webhook_secret=SecretStr(SECRET), zalo_webhook_secret=None)
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.excepthook
    stream = io.StringIO()
    try:
        setup_logging(settings)
        root.handlers[0].setStream(stream)
        try:
            try:
                raise ValueError(f"GET /bot{quote(TOKEN, safe='')}/getMe")
            except ValueError as cause:
                raise RuntimeError(f"secret {SECRET}") from cause
        except RuntimeError:
            logging.getLogger("tiendo.test").exception("failed for %s", TOKEN, stack_info=True)
            error = sys.exc_info()
        protect(settings)
        monkeypatch.setattr(sys, "stderr", stream)
        sys.excepthook(*error)
    finally:
        root.handlers[:], root.level, sys.excepthook = saved[0], saved[1], saved[2]
    text = stream.getvalue()
    assert "ValueError" in text and "RuntimeError" in text and "***" in text
    assert_no_secret(text, TOKEN)
    assert SECRET not in text
