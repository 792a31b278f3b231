"""Delivery under faults (issue 11): a courier killed mid-batch, an API that
refuses connections or answers 5xx for a while, an HTML error page from a
proxy, two couriers on one database. A message the bot accepted to send is
sent; duplicates only where the policy in bot/delivery.py accepts them."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
from collections import Counter
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.delivery import Limits, RateKeeper
from bot.telegram.app import TelegramApp, make_bot
from domain.messages import Outbound
from storage.db import create_engine, migrate, session_factory
from storage.models import OutboxMessage
from storage.outbox import claim_pending, enqueue, mark_handed
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
FAST = Limits(overall_per_second=1000, private_interval=0.0, group_per_minute=1000)
NGINX_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
             "</center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n")


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def until(condition, timeout: float, what: str = "the bot") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def put(app_or_sessions, now, messages: list[tuple[str, str]], platform: str = "telegram") -> None:
    async with app_or_sessions() as session, session.begin():
        await enqueue(session, [Outbound(platform, chat, text) for chat, text in messages], now)


async def rows(sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def texts(fake: FakeTelegram, chat) -> list[str]:
    return [m["text"] for m in fake.sent_to(int(chat))]


class Courier:
    """The product's courier (TelegramApp) on its own aiogram bot, run in the background."""

    def __init__(self, app, fake: FakeTelegram, limits: Limits = FAST, timeout: float = 5, **options):
        self.bot = make_bot(fake.token, fake.base_url, timeout=timeout)
        self.courier = TelegramApp(app, self.bot, courier_options={"rate": RateKeeper(limits), **options}).courier
        self.task: asyncio.Task | None = None

    def start(self) -> Courier:
        self.task = asyncio.create_task(self.courier.run(idle=0.05))
        return self

    async def close(self) -> None:
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.bot.session.close()


# --------------------------------------------------------------------------- crash mid-batch


def bot_env(tmp_path: Path, fake: FakeTelegram, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "DELIVERY_"))}
    env.update(
        PYTHONPATH=str(ROOT), DATABASE_URL=database_url, FILES_DIR=str(tmp_path / "files"),
        TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE=fake.base_url,
        BOT_HTTP_HOST="127.0.0.1", BOT_HTTP_PORT="0", SCHEDULER_INTERVAL_SECONDS="3600",
        # Short leases so that the test takes seconds; a fast overall rate (as
        # with Telegram's paid broadcasts) so that 200 chats take 4 s, not 7.
        DELIVERY_LEASE_SECONDS="1", DELIVERY_HEARTBEAT_SECONDS="0.3", DELIVERY_OVERALL_PER_SECOND="50",
    )
    return env


async def start_bot(tmp_path: Path, env: dict, name: str):
    log = open(tmp_path / f"{name}.log", "wb")
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "serve", cwd=tmp_path, env=env,
                                                   stdout=log, stderr=log)
    log.close()
    return process


async def test_a_courier_killed_mid_batch_is_taken_over_and_every_message_arrives(tmp_path, fake):
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    engine = create_engine(url)
    await migrate(engine)
    sessions = session_factory(engine)
    chats = [str(800_000 + i) for i in range(200)]
    wanted = {chat: f"nhắc việc số {i:03d}" for i, chat in enumerate(chats)}
    from domain.clock import SystemClock

    await put(sessions, SystemClock().now(), list(wanted.items()))
    fake.delay_next("sendMessage", 0.05, times=10_000)  # slow answers: some are in flight at the kill
    env = bot_env(tmp_path, fake, url)

    def delivered() -> Counter:
        return Counter(m["text"] for m in fake.sent if str(m["chat_id"]) in wanted)

    first = await start_bot(tmp_path, env, "first")
    second = None
    try:
        await until(lambda: sum(delivered().values()) >= 40, 30, "40 messages")
        first.send_signal(signal.SIGKILL)
        await first.wait()
        at_kill = sum(delivered().values())
        assert at_kill < 200
        # What the dead courier had handed over with no answer recorded: only these may arrive twice.
        in_flight = {row.text for row in await rows(sessions) if row.status == "sending" and row.handed_at}
        second = await start_bot(tmp_path, env, "second")
        await until(lambda: set(delivered()) == set(wanted.values()), 30, "all 200 messages")
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 10) == 0
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
    counts = delivered()
    twice = {text for text, n in counts.items() if n > 1}
    # At least once: a message handed to the API when the process died is sent
    # again (its answer was never recorded), so only those may come twice. The
    # courier keeps at most a second's worth of sends (here 50) handed over and
    # not yet recorded; those answered in time are recorded, so usually far fewer.
    print(f"killed after {at_kill} sends; {len(in_flight)} in flight; {len(twice)} sent twice")
    assert twice <= in_flight and len(in_flight) <= 50
    assert max(counts.values()) <= 2
    assert {row.status for row in await rows(sessions) if row.chat_id in wanted} == {"sent"}
    await engine.dispose()


async def test_a_dead_couriers_rows_are_decided_one_by_one(org_app, fake):
    """Never handed over: sent. Handed over, no answer: sent again (at least
    once). A button's answer past Telegram's window: dropped as expired."""
    from datetime import datetime

    clock = org_app.clock
    async with org_app.sessions() as session, session.begin():
        toast, = await enqueue(session, [Outbound("telegram", "100001", "Đã ghi nhận", callback_id="cb1", toast=True)],
                               clock.now() - timedelta(seconds=20))
        waiting, handed = await enqueue(session, [Outbound("telegram", "100002", "chưa gửi"),
                                                  Outbound("telegram", "100003", "đã trao, chưa có trả lời")], clock.now())
        claimed = await claim_pending(session, "telegram", "dead:1:x", datetime.now(UTC), timedelta(seconds=0.3))
        assert len(claimed) == 3
        assert await mark_handed(session, handed.id, "dead:1:x", datetime.now(UTC))
    courier = Courier(org_app, fake, lease=0.3, heartbeat=0.1)
    try:
        assert await courier.courier.deliver_pending() == 0  # the lease is still the dead courier's
        await asyncio.sleep(0.35)
        assert await courier.courier.deliver_pending() == 3
    finally:
        await courier.close()
    assert texts(fake, 100002) == ["chưa gửi"] and texts(fake, 100003) == ["đã trao, chưa có trả lời"]
    assert fake.calls("answerCallbackQuery") == []
    by_id = {row.id: row for row in await rows(org_app.sessions)}
    assert by_id[toast.id].status == "expired"
    assert (by_id[waiting.id].status, by_id[waiting.id].unanswered) == ("sent", 0)
    assert (by_id[handed.id].status, by_id[handed.id].unanswered) == ("sent", 1)


# --------------------------------------------------------------------------- outage


async def test_an_api_outage_is_waited_out_and_every_message_is_delivered(org_app, fake):
    cap = 0.4
    courier = Courier(org_app, fake, backoff=0.05, backoff_cap=cap)
    port = fake.port
    try:
        await fake.stop()  # connection refused
        await put(org_app.sessions, org_app.clock.now(),
                  [(chat, f"tin {i}") for i in range(3) for chat in ("100001", "100002", "-5001")])
        courier.start()
        await asyncio.sleep(1.5)
        assert "failed" not in {row.status for row in await rows(org_app.sessions)}
        await fake.start(port=port)
        back = asyncio.get_running_loop().time()
        await until(lambda: len(fake.sent) == 9, 5, "the messages after the outage")
        # The waits are capped: a recovered API is used within the cap (and a little).
        assert asyncio.get_running_loop().time() - back < cap + 0.5
        # Then 5xx answers for a while: each message is retried with growing waits, none longer than the cap.
        fake.fail_next("sendMessage", status=502, times=10_000)
        await put(org_app.sessions, org_app.clock.now(), [("100004", "sau sự cố")])
        await asyncio.sleep(1.5)
        fake.clear_faults()
        await until(lambda: texts(fake, 100004) == ["sau sự cố"], 5, "the message after the 502s")
    finally:
        await courier.close()
    for chat in ("100001", "100002", "-5001"):
        assert texts(fake, chat) == ["tin 0", "tin 1", "tin 2"]
    assert fake.duplicates() == []
    assert {row.status for row in await rows(org_app.sessions)} == {"sent"}
    tries = [call.time for call in fake.calls("sendMessage") if call.params.get("chat_id") == 100004]
    gaps = [b - a for a, b in itertools.pairwise(tries)]
    assert 4 <= len(tries) <= 12  # retried, not spinning
    assert all(gap < cap + 0.3 for gap in gaps) and gaps[0] < gaps[2]


async def test_retries_stop_after_the_window_and_the_message_fails(org_app, fake):
    courier = Courier(org_app, fake, backoff=0.05, backoff_cap=0.1, retry_for=0.5)
    try:
        fake.fail_next("sendMessage", status=503, times=10_000)
        await put(org_app.sessions, org_app.clock.now(), [("100001", "mãi không được")])
        courier.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while (await rows(org_app.sessions))[-1].status != "failed":
            assert loop.time() < deadline, "the message was never given up"
            await asyncio.sleep(0.05)
    finally:
        await courier.close()
    [row] = await rows(org_app.sessions)
    assert "retried for" in row.error and row.attempts >= 3


# --------------------------------------------------------------------------- unreadable answers


async def test_an_html_error_page_is_a_failed_send_and_the_chat_goes_on_in_order(org_app, fake):
    courier = Courier(org_app, fake, backoff=0.01)
    try:
        fake.fail_next("sendMessage", status=502, raw_body=NGINX_502)
        await put(org_app.sessions, org_app.clock.now(), [("100001", f"tin {i}") for i in range(3)])
        await courier.courier.deliver_pending()
    finally:
        await courier.close()
    assert texts(fake, 100001) == ["tin 0", "tin 1", "tin 2"]
    assert {row.status for row in await rows(org_app.sessions)} == {"sent"}


async def test_an_unreadable_zalo_answer_is_a_failed_send_and_the_chat_goes_on(org_app):
    from bot.zalo.app import ZaloApp
    from bot.zalo.client import ZaloClient
    from tests.fakes.zalo_api import FakeZalo

    fake = FakeZalo()
    await fake.start()
    client = ZaloClient(fake.token, fake.base_url, timeout=5)
    courier = ZaloApp(org_app, client, courier_options={"rate": RateKeeper(FAST), "backoff": 0.01}).courier
    try:
        fake.fail_next("sendMessage", status=200, raw_body=NGINX_502)  # a proxy that answers 200 with a page
        fake.fail_next("sendMessage", status=502, raw_body=NGINX_502)
        await put(org_app.sessions, org_app.clock.now(), [("zchat", f"tin {i}") for i in range(3)], platform="zalo")
        # As the running courier does (Courier.run): rounds until the chat is served, here at most ~10 s.
        for _ in range(50):
            await courier.deliver_pending()
            if len(fake.texts("zchat")) >= 3:
                break
            await asyncio.sleep(0.2)
    finally:
        await client.close()
        await fake.stop()
    assert fake.texts("zchat") == ["tin 0", "tin 1", "tin 2"]
    assert {row.status for row in await rows(org_app.sessions)} == {"sent"}


async def test_refusals_fail_at_once(org_app, fake):
    courier = Courier(org_app, fake, backoff=0.01)
    try:
        fake.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
        fake.block_chat(100002)
        await put(org_app.sessions, org_app.clock.now(), [("100001", "lỗi 400"), ("100002", "bị chặn")])
        await courier.courier.deliver_pending()
    finally:
        await courier.close()
    assert [(row.status, row.attempts) for row in await rows(org_app.sessions)] == [("failed", 1), ("failed", 1)]
    assert len(fake.calls("sendMessage")) == 2


# --------------------------------------------------------------------------- two couriers


async def test_two_couriers_on_one_database_never_send_a_row_twice(org_app, fake):
    # Each chat's queue takes 1.5 s, longer than the 0.8 s lease: the holder's
    # heartbeat must keep the other courier off its rows.
    paced = Limits(overall_per_second=1000, private_interval=0.1, group_per_minute=1000)
    first = Courier(org_app, fake, paced, lease=0.8, heartbeat=0.15).start()
    second = Courier(org_app, fake, paced, lease=0.8, heartbeat=0.15).start()
    chats = ["100001", "100002", "100003", "100004", "100005", "100006"]
    try:
        fake.delay_next("sendMessage", 0.08, times=10_000)  # a send is in flight most of the time
        for batch in range(3):
            await put(org_app.sessions, org_app.clock.now(),
                      [(chat, f"tin {batch * 5 + i}") for i in range(5) for chat in chats])
            await asyncio.sleep(0.3)
        await until(lambda: len(fake.sent) == 90, 10, "90 messages")
        await asyncio.sleep(0.9)  # past a lease: nothing taken over late
    finally:
        await first.close()
        await second.close()
    assert fake.duplicates() == []
    for chat in chats:
        assert texts(fake, chat) == [f"tin {i}" for i in range(15)]
    assert {row.status for row in await rows(org_app.sessions)} == {"sent"}
