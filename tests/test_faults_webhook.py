"""Issue 11, webhooks: no webhook without a valid secret, a failing webhook
update is answered 500 (the platform sends it again) until it has failed
N times in all the processes serving the webhook, then it is a dead letter,
acknowledged, and its sender told; and a start while Telegram is
unreachable keeps the process serving until Telegram comes back."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.cli import main
from bot.http import make_http_app, serve
from bot.settings import Settings
from storage.models import DeadLetter
from tests import test_telegram as tg
from tests import test_zalo as zl
from tests.bot_process import BotProcess, free_port
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.test_zalo import people  # noqa: F401  (fixture)

NOTICE = "không xử lý được tin nhắn"
TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
SECRET = "s3cret-webhook-token"


@pytest.fixture
async def fake():
    server = FakeTelegram(TOKEN)
    await server.start()
    yield server
    await server.stop()


# --------------------------------------------------------------------------- no webhook without a secret


@pytest.mark.parametrize("secret", [None, "a weak secret!"])
async def test_serve_refuses_a_telegram_webhook_without_a_valid_secret(fake, tmp_path, secret):
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": fake.base_url,
           "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram/webhook"}
    if secret is not None:
        env["TELEGRAM_WEBHOOK_SECRET"] = secret
    bot = await BotProcess(tmp_path, env).start()
    try:
        assert await bot.wait(20) == 1
    finally:
        await bot.stop()
    [line] = bot.stderr.strip().splitlines()
    assert "TELEGRAM_WEBHOOK_SECRET" in line and "A-Z" in line
    assert not fake.calls("setMyCommands")


async def test_serve_refuses_a_zalo_webhook_without_a_valid_secret(tmp_path):
    async with FakeZalo() as zalo_fake:
        env = {"ZALO_BOT_TOKEN": zalo_fake.token, "ZALO_API_BASE": zalo_fake.base_url,
               "ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo/webhook", "ZALO_WEBHOOK_SECRET": "short"}
        bot = await BotProcess(tmp_path, env).start()
        try:
            assert await bot.wait(20) == 1
        finally:
            await bot.stop()
    [line] = bot.stderr.strip().splitlines()
    assert "ZALO_WEBHOOK_SECRET" in line


@pytest.mark.parametrize("secret, ok", [
    (None, False), ("", False), ("a weak secret!", False), ("x" * 257, False), ("mật-khẩu", False),
    ("x", True), ("A-z_09" * 40, True),
])
def test_telegram_webhook_secrets_follow_telegrams_rule(secret, ok):
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_webhook_url="https://bot.example.vn/telegram/webhook",
                        telegram_webhook_secret=secret)
    assert settings.webhook_problems() == ([] if ok else ["telegram_secret_invalid"])


def test_set_webhook_refuses_to_register_without_a_secret(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:9")  # never reached
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.vn/telegram/webhook")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert main(["telegram", "set-webhook"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "TELEGRAM_WEBHOOK_SECRET" in line


async def test_a_forged_update_without_a_secret_header_is_refused(org_app, fake):
    """Even when the settings check is bypassed, no secret configured means no update accepted."""
    harness = tg.Harness(org_app, fake)
    http = make_http_app()
    harness.tg.add_routes(http)
    runner = await serve(http, "127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        forged = fake.message_update(tg.OFFICER, tg.OFFICER, "I.2 đang thực hiện 90%")
        assert await tg.post(url, json.dumps(forged), None) == 401
        assert await tg.statuses(org_app) == []
    finally:
        await runner.cleanup()
        await harness.close()


# --------------------------------------------------------------------------- a failing webhook update


async def dead_letters(app) -> list[DeadLetter]:
    async with app.sessions() as session:
        return list(await session.scalars(select(DeadLetter)))


async def test_a_failing_webhook_update_is_retried_by_telegram_then_dead_lettered_once(org_app, fake):
    org_app.settings.telegram_webhook_secret = SecretStr(SECRET)
    fake.fail_next("getFile", status=400, times=1000)
    servers, urls, harnesses = [], [], []
    for _ in range(2):  # two processes serve the webhook; the count is in the database
        harness = tg.Harness(org_app, fake)
        http = make_http_app()
        harness.tg.add_routes(http)
        runner = await serve(http, "127.0.0.1", 0)
        servers.append(runner)
        harnesses.append(harness)
        urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}")
    harnesses[0].tasks.append(asyncio.create_task(harnesses[0].tg.courier.run(idle=0.05)))
    try:
        poison = json.dumps(fake.document_update(tg.OFFICER, tg.OFFICER, b"%PDF", file_name="kh.pdf"))
        assert await tg.post(urls[0], poison, SECRET) == 500
        assert await tg.post(urls[1], poison, SECRET) == 500
        assert await tg.post(urls[0], poison, SECRET) == 200  # the third failure: kept, acknowledged
        assert await tg.post(urls[1], poison, SECRET) == 200  # a late redelivery: acknowledged, nothing more
        await harnesses[0].until(lambda: any(NOTICE in m["rendered"] for m in fake.sent_to(tg.OFFICER)), timeout=5)
        await asyncio.sleep(0.2)
        assert sum(NOTICE in m["rendered"] for m in fake.sent_to(tg.OFFICER)) == 1
        [letter] = await dead_letters(org_app)
        assert letter.attempts == 3 and letter.dead_at is not None and letter.chat_id == str(tg.OFFICER)
        good = fake.message_update(tg.LEADER, tg.LEADER, "/help")
        assert await tg.post(urls[1], json.dumps(good), SECRET) == 200
        await harnesses[0].until(lambda: fake.sent_to(tg.LEADER), timeout=5)
    finally:
        for runner in servers:
            await runner.cleanup()
        for harness in harnesses:
            await harness.close()


async def test_a_failing_zalo_webhook_event_is_dead_lettered_after_three_deliveries(people, tmp_path):
    async with FakeZalo() as zalo_fake:
        people.settings.zalo_webhook_secret = SecretStr("zalo-webhook-secret")
        harness = zl.Harness(people, zalo_fake)
        http = make_http_app()
        harness.zalo.add_routes(http)
        runner = await serve(http, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{runner.addresses[0][1]}{zl.WEBHOOK_PATH}"
        harness.tasks.append(asyncio.create_task(harness.zalo.courier.run(idle=0.05)))
        try:
            for text in ("/baocao I.2", "3"):
                assert await zl.post(url, zalo_fake.text_event(zl.OFFICER, zl.OFFICER, text), "zalo-webhook-secret") == 200
            blocked = tmp_path / "not-a-folder"
            blocked.write_text("")
            people.settings.files_dir = blocked  # the disk fails from now on
            photo = zalo_fake.image_event(zl.OFFICER, zl.OFFICER, zalo_fake.host_file("a.jpg", b"\xff\xd8"))
            statuses = [await zl.post(url, photo, "zalo-webhook-secret") for _ in range(4)]
            assert statuses == [500, 500, 200, 200]
            await harness.until(lambda: any(NOTICE in text for text in zalo_fake.texts(zl.OFFICER)), timeout=5)
            await asyncio.sleep(0.2)
            assert sum(NOTICE in text for text in zalo_fake.texts(zl.OFFICER)) == 1
            [letter] = await dead_letters(people)
            assert (letter.platform, letter.update_key, letter.attempts) == ("zalo", photo["message"]["message_id"], 3)
        finally:
            await runner.cleanup()
            await harness.close()


# --------------------------------------------------------------------------- Telegram unreachable at start


async def test_a_start_while_telegram_refuses_connections_keeps_serving_and_answers_later(tmp_path):
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": f"http://127.0.0.1:{port}",
           "TELEGRAM_START_BACKOFF_SECONDS": "0.2"}
    bot = await BotProcess(tmp_path, env).start()
    server = FakeTelegram(TOKEN)
    try:
        await bot.healthy()  # up and serving while Telegram cannot be reached
        await asyncio.sleep(1.0)
        assert bot.process.returncode is None
        await server.start(port)  # Telegram is back
        server.push_update(server.message_update(tg.OFFICER, tg.OFFICER, "/help"))
        deadline = asyncio.get_running_loop().time() + 15
        while not any("/tiendo" in m["rendered"] for m in server.sent_to(tg.OFFICER)):  # the help
            assert asyncio.get_running_loop().time() < deadline, bot.output
            await asyncio.sleep(0.1)
        assert server.commands_for() and server.calls("getMe")  # the start steps were done after all
    finally:
        await bot.stop()
        await server.stop()
    assert TOKEN not in bot.output and TOKEN.split(":")[1] not in bot.output
