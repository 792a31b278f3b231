"""The Zalo bot end to end against a fake Zalo Bot Platform on loopback, in
polling and webhook modes: the same conversations as text only."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.delivery import Limits, RateKeeper
from bot.http import make_http_app, serve
from bot.zalo.app import WEBHOOK_PATH, ZaloApp
from bot.zalo.client import ZaloClient, ZaloError
from storage.conversations import create_invite
from storage.models import OutboxMessage, StatusUpdate
from tests.conftest import add_identity
from tests.fakes.zalo_api import SECRET_HEADER, FakeZalo

FAST = Limits(overall_per_second=1000, private_interval=0.0, group_per_minute=1000)
OFFICER, TOP, ADMIN = "zu-canbo", "zu-lanhdao", "zu-quantri"


@pytest.fixture
async def fake():
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def people(org_app):
    await add_identity(org_app.sessions, "zalo", OFFICER, like="canbo")
    await add_identity(org_app.sessions, "zalo", TOP, like="lanhdao")
    await add_identity(org_app.sessions, "zalo", ADMIN, like="quantri")
    return org_app


class Harness:
    def __init__(self, app, fake: FakeZalo, public_base=None):
        self.app, self.fake = app, fake
        self.client = ZaloClient(fake.token, fake.base_url, timeout=5)
        self.zalo = ZaloApp(app, self.client, public_base=public_base,
                            courier_options={"rate": RateKeeper(FAST), "backoff": 0.01})
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    def start_polling(self):
        self.tasks.append(asyncio.create_task(self.zalo.poll(self.stop, timeout=1, backoff=0.05)))
        self.tasks.append(asyncio.create_task(self.zalo.courier.run(idle=0.05)))

    async def close(self):
        self.stop.set()
        await self.fake.stop()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.close()

    async def until(self, condition, timeout=10.0):
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting for the bot")
            await asyncio.sleep(0.02)

    async def say(self, user, text, chat=None, count=1, **extra):
        chat = chat or user
        before = len(self.fake.texts(chat))
        self.fake.push(self.fake.text_event(chat, user, text, **extra))
        await self.until(lambda: len(self.fake.texts(chat)) >= before + count)
        return self.fake.texts(chat)[-1]


@pytest.fixture
async def zalo(people, fake):
    harness = Harness(people, fake)
    harness.start_polling()
    yield harness
    await harness.close()


async def statuses(app):
    async with app.sessions() as session:
        return list(await session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)))


async def test_report_with_numbered_choices(zalo, people):
    text = await zalo.say(OFFICER, "/baocao I.2")
    assert "1. Chưa triển khai\n2. Đang thực hiện\n3. Hoàn thành\n4. Gặp vướng mắc" in text
    assert "Trả lời bằng số thứ tự" in text
    text = await zalo.say(OFFICER, "2")
    assert "bao nhiêu phần trăm" in text
    await zalo.say(OFFICER, "45")
    await zalo.say(OFFICER, "bo qua")  # the label, typed loosely
    text = await zalo.say(OFFICER, "1")  # note: "Bỏ qua"
    assert "Kiểm tra lại báo cáo" in text and "1. Xác nhận" in text
    text = await zalo.say(OFFICER, "xac nhan")
    assert text.startswith("Đã ghi báo cáo")
    [update] = await statuses(people)
    assert (update.status, update.percent, update.source) == ("in_progress", 45, "zalo")


async def test_a_stuck_report_reaches_the_leader_on_zalo(zalo, people):
    await zalo.say(OFFICER, "I.3 vướng mắc: thiếu kinh phí")
    await zalo.until(lambda: zalo.fake.texts(TOP))
    assert "thiếu kinh phí" in zalo.fake.texts(TOP)[-1] and "I.3" in zalo.fake.texts(TOP)[-1]


async def test_register_with_an_invite_code(zalo, people):
    async with people.sessions() as session, session.begin():
        invite = await create_invite(session, unit_id=None, role="officer", uses=1, expires_at=None,
                                     created_by=None, now=people.clock.now())
    text = await zalo.say("zu-new", f"/start {invite.code}", display_name="Võ Văn Mới")
    assert "Xin chào Võ Văn Mới" in text


async def test_a_repeated_message_is_handled_once(zalo, people):
    await zalo.say(OFFICER, "I.2 đang thực hiện 20%")
    zalo.fake.repeat_next()
    await zalo.until(lambda: zalo.fake.delivered and zalo.fake.delivered[-1] == zalo.fake.delivered[-2]
                     if len(zalo.fake.delivered) > 1 else False)
    await asyncio.sleep(0.3)
    assert len(await statuses(people)) == 1
    assert sum("Đã ghi báo cáo" in text for text in zalo.fake.texts(OFFICER)) == 1


async def test_idle_polls_are_not_errors(zalo, people, caplog):
    with caplog.at_level(logging.WARNING):
        await asyncio.sleep(2.5)  # two idle long polls of 1 s
    assert len(zalo.fake.calls("getUpdates")) >= 2
    assert "getUpdates failed" not in caplog.text
    assert "Đã ghi" in await zalo.say(OFFICER, "I.2 đang thực hiện 10%")


async def test_unknown_events_and_stickers_are_skipped_or_answered(zalo, people):
    zalo.fake.push(FakeZalo.raw_event({"event_name": "user.follow", "message": {}}))
    zalo.fake.push(zalo.fake.sticker_event(OFFICER, OFFICER))
    await zalo.until(lambda: zalo.fake.texts(OFFICER))
    assert "chỉ hiểu tin nhắn chữ" in zalo.fake.texts(OFFICER)[-1]


async def test_a_photo_is_accepted_as_evidence(zalo, people):
    url = zalo.fake.host_file("scan.jpg", b"\xff\xd8\xff jpeg bytes")
    await zalo.say(OFFICER, "/baocao I.2")
    await zalo.say(OFFICER, "3")  # Hoàn thành
    before = len(zalo.fake.texts(OFFICER))
    zalo.fake.push(zalo.fake.image_event(OFFICER, OFFICER, url, caption="Văn bản chỉ đạo số 5"))
    await zalo.until(lambda: len(zalo.fake.texts(OFFICER)) > before)
    await zalo.say(OFFICER, "1")  # Bỏ qua
    await zalo.say(OFFICER, "1")  # Xác nhận
    [update] = await statuses(people)
    assert update.evidence == "Văn bản chỉ đạo số 5"
    assert (people.settings.files_dir / update.file_ref).read_bytes() == b"\xff\xd8\xff jpeg bytes"


async def test_messages_over_2000_characters_are_split(people, fake):
    from domain.messages import Outbound
    from services.outbound import finish
    from storage.outbox import enqueue

    harness = Harness(people, fake)
    try:
        text = "\n".join(f"dòng {i}: " + "nội dung " * 10 for i in range(60))
        async with people.sessions() as session, session.begin():
            await enqueue(session, finish(Outbound("zalo", OFFICER, text)), people.clock.now())
        await harness.zalo.courier.deliver_pending()
        parts = fake.texts(OFFICER)
        assert len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
        assert "\n".join(parts) == text
    finally:
        await harness.close()


async def test_photos_go_by_signed_url_only_with_a_public_address(people, fake, tmp_path):
    from domain.messages import Outbound
    from storage.outbox import enqueue

    chart = people.settings.files_dir / "charts" / "tuan.png"
    chart.parent.mkdir(parents=True)
    chart.write_bytes(b"\x89PNG chart")
    http = make_http_app()
    harness = Harness(people, fake)
    from bot.media import add_media_route
    from bot.zalo.app import media_secret

    add_media_route(http, media_secret(fake.token), people.settings.files_dir)
    runner = await serve(http, "127.0.0.1", 0)
    public = f"http://127.0.0.1:{runner.addresses[0][1]}"
    with_url = Harness(people, fake, public_base=public)
    try:
        async with people.sessions() as session, session.begin():
            await enqueue(session, [Outbound("zalo", OFFICER, "bản tin", files=[str(chart)])], people.clock.now())
        await harness.zalo.courier.deliver_pending()
        assert [m["method"] for m in fake.sent_to(OFFICER)] == ["sendMessage"]  # no public address: text alone
        async with people.sessions() as session, session.begin():
            await enqueue(session, [Outbound("zalo", OFFICER, "bản tin", files=[str(chart)])], people.clock.now())
        await with_url.zalo.courier.deliver_pending()
        photo = fake.sent_to(OFFICER)[-1]
        assert photo["method"] == "sendPhoto" and photo["photo"].startswith(public + "/media/")
        async with aiohttp.ClientSession() as client:
            async with client.get(photo["photo"]) as response:
                assert response.status == 200 and await response.read() == b"\x89PNG chart"
            async with client.get(photo["photo"].replace("/media/", "/media/0")) as response:
                assert response.status == 404
    finally:
        await runner.cleanup()
        await with_url.client.close()
        await harness.close()


async def test_admins_are_warned_at_80_and_95_percent_of_the_monthly_quota(people, fake):
    from domain.messages import Outbound
    from storage.outbox import enqueue

    people.settings.zalo_monthly_quota = 10
    harness = Harness(people, fake)
    try:
        for batch in (8, 2):
            async with people.sessions() as session, session.begin():
                await enqueue(session, [Outbound("zalo", OFFICER, f"tin {i}") for i in range(batch)], people.clock.now())
            await harness.zalo.courier.deliver_pending()
        async with people.sessions() as session:
            warnings = [row for row in await session.scalars(select(OutboxMessage)) if "hạn mức" in row.text]
        # Two thresholds, each once, to the admin on another platform than Zalo.
        assert sorted(row.text.split("(từ ")[1][:3] for row in warnings) == ["80%", "95%"]
        assert {row.platform for row in warnings} == {"console"}
    finally:
        await harness.close()


@pytest.fixture
async def webhook(people, fake):
    people.settings.zalo_webhook_secret = SecretStr("zalo-webhook-secret")
    harness = Harness(people, fake)
    await harness.client.set_webhook("http://127.0.0.1:1/unused", "zalo-webhook-secret")
    http = make_http_app()
    harness.zalo.add_routes(http)
    runner = await serve(http, "127.0.0.1", 0)
    harness.url = f"http://127.0.0.1:{runner.addresses[0][1]}{WEBHOOK_PATH}"
    harness.tasks.append(asyncio.create_task(harness.zalo.courier.run(idle=0.05)))
    yield harness
    await runner.cleanup()
    await harness.close()


async def post(url, body, secret):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as client:
        async with client.post(url, json=body, headers=headers) as response:
            return response.status


async def test_webhook_takes_both_shapes_and_checks_the_secret(webhook, people):
    fake = webhook.fake
    flat = fake.text_event(OFFICER, OFFICER, "I.2 đang thực hiện 30%")
    wrapped = {"ok": True, "result": fake.text_event(OFFICER, OFFICER, "I.3 đang thực hiện 40%")}
    assert await post(webhook.url, flat, None) == 401
    assert await post(webhook.url, flat, "wrong-secret") == 401
    assert await post(webhook.url, flat, "zalo-webhook-secret") == 200
    assert await post(webhook.url, wrapped, "zalo-webhook-secret") == 200
    assert await post(webhook.url, flat, "zalo-webhook-secret") == 200  # a repeat
    assert await post(webhook.url, {"event_name": "message.text.received"}, "zalo-webhook-secret") == 200
    await webhook.until(lambda: len(fake.texts(OFFICER)) >= 2)
    assert [(u.percent) for u in await statuses(people)] == [30, 40]


async def test_the_token_is_not_logged(people, fake, caplog):
    from bot.logs import RedactSecrets

    caplog.handler.addFilter(RedactSecrets([fake.token]))
    harness = Harness(people, fake)
    try:
        with caplog.at_level(logging.DEBUG):
            await harness.client.get_me()
            fake.fail_next("getMe", status=500)
            with pytest.raises(ZaloError):
                await harness.client.get_me()
        assert fake.token not in caplog.text
    finally:
        await harness.close()


async def test_a_leader_asks_a_question_on_zalo(zalo, people):
    text = await zalo.say(TOP, "nhiem vu nao qua han?")
    assert "quá hạn" in text and "V.2" in text  # due 31/12/2025, open


async def test_the_weekly_digest_reaches_a_linked_zalo_group(people, fake):
    from datetime import datetime

    from services.scheduler import Scheduler
    from storage.conversations import link_group
    from tests.conftest import VN

    friday = datetime(2026, 4, 17, 16, 0, tzinfo=VN)
    async with people.sessions() as session, session.begin():
        await link_group(session, "zalo", "zg-phong-hcqt", None, None, people.clock.now())
    harness = Harness(people, fake)
    try:
        result = await Scheduler(people.sessions, people.clock, people.settings).tick(friday)
        assert any(m.chat_id == "zg-phong-hcqt" for m in result.messages)
        await harness.zalo.courier.deliver_pending()
        [digest] = fake.texts("zg-phong-hcqt")
        assert "Chi tiết: /tiendo" in digest and len(digest) <= 2000
        await Scheduler(people.sessions, people.clock, people.settings).tick(friday)
        await harness.zalo.courier.deliver_pending()
        assert len(fake.texts("zg-phong-hcqt")) == 1  # once only
    finally:
        await harness.close()
