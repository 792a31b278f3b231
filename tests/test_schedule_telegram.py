"""Scheduled messages through Telegram (the fake Bot API server): a digest
is one photo with its text as caption; a send that fails is retried by the
courier and nothing is sent twice, whether the scheduler ticks again, or a
new process ticks and delivers after a crash."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.delivery import Limits, RateKeeper
from bot.telegram.app import TelegramApp, make_bot
from services.scheduler import Scheduler
from storage.conversations import link_group
from storage.models import OutboxMessage
from storage.units import find_unit
from tests.conftest import VN
from tests.fakes.telegram_api import FakeTelegram

FAST = Limits(overall_per_second=1000, private_interval=0.0, group_per_minute=1000)
GROUPS = {-7001: None, -7002: "Trung tâm Phục vụ Hành chính công", -7003: "Phòng Hành chính – Quản trị"}
FRIDAY = datetime(2026, 5, 22, 16, 0, tzinfo=VN)


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def link_groups(app):
    async with app.sessions() as session, session.begin():
        for chat, unit in GROUPS.items():
            scope = (await find_unit(session, unit)).id if unit else None
            await link_group(session, "telegram", str(chat), scope, None, datetime(2026, 5, 20, tzinfo=VN))


def courier(app, fake):
    bot = make_bot(fake.token, fake.base_url, timeout=5)
    return bot, TelegramApp(app, bot, courier_options={"rate": RateKeeper(FAST), "backoff": 0.01}).courier


async def outbox(app, **where):
    async with app.sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(await session.scalars(query))


async def test_digests_go_as_photos_with_captions_once_despite_failures(org_app, fake):
    await link_groups(org_app)
    result = await Scheduler(org_app.sessions, org_app.clock, org_app.settings).tick(FRIDAY)
    digests = [m for m in result.messages if m.chat_id.startswith("-")]
    assert sorted(m.chat_id for m in digests) == sorted(str(c) for c in GROUPS)
    assert all(len(m.files) == 1 and m.files[0].endswith(".png") for m in digests)
    fake.fail_next("sendPhoto", status=502, times=2)  # two photo sends fail on the way
    bot, telegram = courier(org_app, fake)
    try:
        await telegram.deliver_pending()
        # A second tick (as another process would) finds everything claimed.
        again = await Scheduler(org_app.sessions, org_app.clock, org_app.settings).tick(FRIDAY.replace(minute=1))
        assert again.messages == []
        assert await telegram.deliver_pending() == 0
    finally:
        await bot.session.close()
    for chat in GROUPS:
        [photo] = fake.sent_to(chat)
        assert photo["method"].lower() == "sendphoto"
        assert photo["rendered"].startswith("📊 Bản tin tiến độ CCHC") and photo["rendered"].endswith("Chi tiết: /tiendo")
        assert len(photo["caption"]) <= 1024
    assert "— Trung tâm Phục vụ Hành chính công" in fake.sent_to(-7002)[0]["rendered"].splitlines()[0]
    assert fake.duplicates() == []
    assert {row.status for row in await outbox(org_app, platform="telegram")} == {"sent"}
    assert len(fake.calls("sendPhoto")) == len(GROUPS) + 2


async def test_a_crash_between_claiming_and_sending_loses_nothing_and_doubles_nothing(org_app, fake):
    await link_groups(org_app)
    first = await Scheduler(org_app.sessions, org_app.clock, org_app.settings).tick(FRIDAY)
    assert first.messages  # claimed and in the outbox; the process dies before any courier ran
    # A new process: it ticks, then its courier delivers what the dead one left.
    second = await Scheduler(org_app.sessions, org_app.clock, org_app.settings).tick(FRIDAY.replace(minute=5))
    assert second.messages == []
    bot, telegram = courier(org_app, fake)
    try:
        assert await telegram.deliver_pending() == len(first.messages)
    finally:
        await bot.session.close()
    for chat in GROUPS:
        assert len(fake.sent_to(chat)) == 1
    reminded = {m.chat_id for m in first.messages if not m.chat_id.startswith("-")}
    assert reminded and all(len(fake.sent_to(int(chat))) == 1 for chat in reminded)
    assert fake.duplicates() == []


async def test_reminders_on_telegram_carry_buttons_within_64_bytes(org_app, fake):
    result = await Scheduler(org_app.sessions, org_app.clock, org_app.settings).tick(FRIDAY)
    bot, telegram = courier(org_app, fake)
    try:
        await telegram.deliver_pending()
    finally:
        await bot.session.close()
    pressed = [m for m in fake.sent if m.get("reply_markup")]
    assert pressed and len(pressed) == len([m for m in result.messages if m.options])
    buttons = [b for m in pressed for row in m["reply_markup"]["inline_keyboard"] for b in row]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert {b["callback_data"][:4] for b in buttons} >= {"r:II", "snz:"}
