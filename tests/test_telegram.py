"""The Telegram bot end to end: aiogram talking HTTP to a fake Bot API server,
in polling and webhook modes, with Telegram's failures injected."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest
from sqlalchemy import select

from bot.delivery import Limits, RateKeeper
from bot.http import make_http_app, serve
from bot.telegram.app import SECRET_HEADER, WEBHOOK_PATH, TelegramApp, make_bot
from storage.conversations import create_invite, link_group
from storage.models import ChatIdentity, GroupLink, OutboxMessage, Person, StatusUpdate
from tests.fakes.telegram_api import FakeTelegram

OFFICER, LEADER, TOP_LEADER = 100001, 100002, 100019  # sample/people.csv
FAST = Limits(overall_per_second=1000, private_interval=0.0, group_per_minute=1000)


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


class Harness:
    def __init__(self, app, fake: FakeTelegram, limits: Limits = FAST, **courier):
        self.app, self.fake = app, fake
        self.bot = make_bot(fake.token, fake.base_url, timeout=5)
        self.tg = TelegramApp(app, self.bot, courier_options={"rate": RateKeeper(limits), "backoff": 0.01, **courier})
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    async def start_polling(self):
        self.tasks.append(asyncio.create_task(self.tg.poll(self.stop, timeout=1, backoff=0.05)))
        self.tasks.append(asyncio.create_task(self.tg.courier.run(idle=0.05)))

    async def close(self):
        self.stop.set()
        await self.fake.stop()  # ends a long poll in flight
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.bot.session.close()

    async def until(self, condition, timeout=10.0):
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting for the bot")
            await asyncio.sleep(0.02)

    async def send(self, user, text, chat=None, count=1, **extra):
        """Push a message and wait for `count` more messages to that chat."""
        chat = chat or user
        before = len(self.fake.sent_to(chat))
        self.fake.push_update(self.fake.message_update(chat, user, text, **extra))
        await self.until(lambda: len(self.fake.sent_to(chat)) >= before + count)
        return self.fake.sent_to(chat)[-1]

    async def press(self, user, label, chat=None):
        """Press the button with this label on the newest message with buttons."""
        chat = chat or user
        message = next(m for m in reversed(self.fake.sent_to(chat)) if m.get("reply_markup"))
        current = self.fake.message(chat, message["message_id"])
        buttons = [b for row in current["reply_markup"]["inline_keyboard"] for b in row]
        data = next(b["callback_data"] for b in buttons if label.lower() in b["text"].lower())
        answered = len(self.fake.calls("answerCallbackQuery"))
        self.fake.push_update(self.fake.callback_update(chat, user, data, message["message_id"]))
        await self.until(lambda: len(self.fake.calls("answerCallbackQuery")) > answered)
        await self.until(lambda: not self.pending())
        return self.fake.message(chat, message["message_id"])

    def pending(self) -> bool:
        return bool(self.fake.pending_updates())


@pytest.fixture
async def telegram(org_app, fake):
    harness = Harness(org_app, fake)
    await harness.start_polling()
    yield harness
    await harness.close()


async def statuses(app):
    async with app.sessions() as session:
        return list(await session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)))


async def test_report_through_buttons_with_a_file_edits_the_prompt_in_place(telegram, org_app):
    fake = telegram.fake
    prompt = await telegram.send(OFFICER, "/baocao I.2")
    assert "Tình trạng thực hiện" in prompt["rendered"]
    edited = await telegram.press(OFFICER, "Hoàn thành")
    assert "Văn bản chỉ đạo" in edited["text"]  # the same message, now asking for evidence
    assert fake.calls("editMessageText")
    fake.push_update(fake.document_update(OFFICER, OFFICER, b"%PDF scan", file_name="vb-chi-dao.pdf", caption="Công văn 12/VP"))
    await telegram.until(lambda: "Ghi chú" in fake.sent_to(OFFICER)[-1]["rendered"])
    await telegram.press(OFFICER, "Bỏ qua")
    summary = await telegram.press(OFFICER, "Xác nhận")
    assert summary["text"].startswith("Đã ghi báo cáo")
    [update] = await statuses(org_app)
    assert (update.status, update.evidence, update.source) == ("done", "Công văn 12/VP", "telegram")
    assert (org_app.settings.files_dir / update.file_ref).read_bytes() == b"%PDF scan"
    every_button = [b for m in fake.sent for b in (m.get("reply_markup") or {}).get("inline_keyboard", [[]])[0]]
    assert every_button and all(len(b["callback_data"].encode()) <= 64 for b in every_button)


async def test_register_with_a_deep_link(telegram, org_app):
    async with org_app.sessions() as session, session.begin():
        invite = await create_invite(session, unit_id=None, role="leader", uses=1, expires_at=None, created_by=None,
                                     now=org_app.clock.now())
    reply = await telegram.send(555, f"/start {invite.code}", first_name="Trần Văn Mới")
    assert "Xin chào Trần Văn Mới" in reply["rendered"]
    async with org_app.sessions() as session:
        person = await session.scalar(select(Person).join(ChatIdentity).where(ChatIdentity.external_id == "555"))
    assert person.role == "leader"


async def test_a_stuck_report_reaches_the_leaders_on_telegram(telegram, org_app):
    await telegram.send(OFFICER, "I.3 vướng mắc: chưa có hướng dẫn", count=1)
    await telegram.until(lambda: telegram.fake.sent_to(LEADER) and telegram.fake.sent_to(TOP_LEADER))
    assert "chưa có hướng dẫn" in telegram.fake.sent_to(LEADER)[-1]["rendered"]


async def test_html_is_escaped(telegram, org_app):
    await telegram.send(OFFICER, "I.2 đang thực hiện 50%, chờ <b>ý kiến</b> & phản hồi")
    sent = telegram.fake.sent_to(OFFICER)[-1]
    assert "<b>ý kiến</b> & phản hồi" in sent["rendered"]


async def test_duplicated_updates_are_processed_once(telegram, org_app):
    fake = telegram.fake
    fake.duplicate_next_updates()
    await telegram.send(OFFICER, "I.2 đang thực hiện 30%")
    await asyncio.sleep(0.3)
    assert len(await statuses(org_app)) == 1
    assert len([m for m in fake.sent_to(OFFICER) if "Đã ghi báo cáo" in m["rendered"]]) == 1


async def test_a_malformed_update_is_skipped_and_the_next_one_handled(telegram, org_app):
    telegram.fake.push_update({"update_id": 999_001, "message": {"text": "no chat, no date"}})
    reply = await telegram.send(OFFICER, "/nhiemvu")
    assert "Nhiệm vụ của Phòng Hành chính – Quản trị" in reply["rendered"]


async def test_a_stale_button_gets_a_short_answer(telegram, org_app):
    fake = telegram.fake
    await telegram.send(OFFICER, "/baocao I.2")
    old = fake.sent_to(OFFICER)[-1]
    await telegram.send(OFFICER, "/huy")
    fake.push_update(fake.callback_update(OFFICER, OFFICER, "s:done", old["message_id"]))
    await telegram.until(lambda: any(c.params.get("text") for c in fake.calls("answerCallbackQuery")))
    answer = [c for c in fake.calls("answerCallbackQuery") if c.params.get("text")][-1]
    assert answer.params["text"] == "Lựa chọn này đã hết hạn."
    assert await statuses(org_app) == []


async def test_a_file_over_20_mb_gets_a_clear_message(telegram, org_app):
    fake = telegram.fake
    await telegram.send(OFFICER, "/baocao I.2")
    await telegram.press(OFFICER, "Hoàn thành")
    before = len(fake.sent_to(OFFICER))
    fake.push_update(fake.document_update(OFFICER, OFFICER, b"x", file_size=25 * 1024 * 1024, file_name="big.pdf"))
    await telegram.until(lambda: len(fake.sent_to(OFFICER)) > before)
    assert "Tệp quá lớn" in fake.sent_to(OFFICER)[-1]["rendered"]
    assert not fake.calls("getFile")


async def test_long_replies_are_split_under_4096_at_line_boundaries(org_app, fake):
    harness = Harness(org_app, fake)
    try:
        long_text = "\n".join(f"dòng {i} " + "x" * 90 for i in range(120))
        async with org_app.sessions() as session, session.begin():
            from domain.messages import Outbound
            from services.outbound import finish
            from storage.outbox import enqueue

            await enqueue(session, finish(Outbound("telegram", str(OFFICER), long_text)), org_app.clock.now())
        await harness.tg.courier.deliver_pending()
        parts = fake.sent_to(OFFICER)
        assert len(parts) >= 3 and all(len(p["text"]) <= 4096 for p in parts)
        assert "\n".join(p["rendered"] for p in parts) == long_text
    finally:
        await harness.close()


async def test_commands_are_registered_in_vietnamese(org_app, fake):
    harness = Harness(org_app, fake)
    try:
        await harness.tg.register_commands()
        commands = {c["command"]: c["description"] for c in fake.commands_for()}
        assert commands["baocao"] == "Báo cáo tiến độ một nhiệm vụ" and "help" in commands
    finally:
        await harness.close()


async def enqueue_texts(app, chat, texts):
    from domain.messages import Outbound
    from storage.outbox import enqueue

    async with app.sessions() as session, session.begin():
        await enqueue(session, [Outbound("telegram", str(chat), text) for text in texts], app.clock.now())


async def outbox(app):
    async with app.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_429_storm_is_waited_out_and_nothing_is_lost_or_doubled(org_app, fake):
    harness = Harness(org_app, fake)
    try:
        fake.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1, times=2)
        fake.fail_next("sendMessage", status=429, description="Too Many Requests", times=3)
        await enqueue_texts(org_app, OFFICER, [f"tin {i}" for i in range(5)])
        await harness.tg.courier.deliver_pending()
        assert [m["text"] for m in fake.sent_to(OFFICER)] == [f"tin {i}" for i in range(5)]
        assert fake.duplicates() == []
        assert {row.status for row in await outbox(org_app)} == {"sent"}
        assert harness.tg.courier.retries_after_429 == 5
    finally:
        await harness.close()


async def test_server_errors_are_retried_and_a_read_timeout_is_resent_a_bounded_number_of_times(org_app, fake):
    harness = Harness(org_app, fake)
    try:
        fake.fail_next("sendMessage", status=502, description="Bad Gateway", times=2)
        await enqueue_texts(org_app, OFFICER, ["sau lỗi 502"])
        await harness.tg.courier.deliver_pending()
        assert [m["text"] for m in fake.sent_to(OFFICER)] == ["sau lỗi 502"]

        slow = Harness(org_app, fake)
        slow.bot = make_bot(fake.token, fake.base_url, timeout=0.3)
        slow.tg = TelegramApp(org_app, slow.bot, courier_options={"rate": RateKeeper(FAST), "backoff": 0.01})
        fake.delay_next("sendMessage", 1.0)
        await enqueue_texts(org_app, OFFICER, ["chậm"])
        await slow.tg.courier.deliver_pending()
        # At least once: the answer was lost, so it went again (a duplicate is the lesser evil).
        assert [m["text"] for m in fake.sent_to(OFFICER)].count("chậm") == 2
        rows = await outbox(org_app)
        assert rows[-1].status == "sent" and rows[-1].unanswered == 1
        fake.delay_next("sendMessage", 1.0, times=5)
        await enqueue_texts(org_app, OFFICER, ["không trả lời"])
        await slow.tg.courier.deliver_pending()
        assert [m["text"] for m in fake.sent_to(OFFICER)].count("không trả lời") == 3  # bounded: 3 hand-overs
        rows = await outbox(org_app)
        assert rows[-1].status == "unknown"
        await slow.bot.session.close()
    finally:
        await harness.close()


async def test_a_blocked_user_is_marked_unreachable_and_the_failure_kept(org_app, fake):
    harness = Harness(org_app, fake)
    try:
        fake.block_chat(OFFICER)
        await enqueue_texts(org_app, OFFICER, ["nhắc việc"])
        await harness.tg.courier.deliver_pending()
        [row] = await outbox(org_app)
        assert row.status == "failed" and "Forbidden" in row.error
        async with org_app.sessions() as session:
            identity = await session.scalar(select(ChatIdentity).where(ChatIdentity.external_id == str(OFFICER)))
        assert identity.unreachable_at == org_app.clock.now()
    finally:
        await harness.close()


async def test_a_migrated_group_keeps_its_link_and_gets_the_message(org_app, fake):
    harness = Harness(org_app, fake)
    old, new = -4001, -1004001
    try:
        async with org_app.sessions() as session, session.begin():
            await link_group(session, "telegram", str(old), None, None, org_app.clock.now())
        fake.migrate_chat(old, new)
        await enqueue_texts(org_app, old, ["bản tin tuần"])
        await harness.tg.courier.deliver_pending()
        assert [m["text"] for m in fake.sent_to(new)] == ["bản tin tuần"]
        async with org_app.sessions() as session:
            link = await session.scalar(select(GroupLink))
        assert link.chat_id == str(new)
    finally:
        await harness.close()


async def test_group_members_are_answered_and_strangers_ignored(telegram, org_app):
    fake, group = telegram.fake, -5001
    fake.push_update(fake.message_update(group, 777, "/nhiemvu"))
    fake.push_update(fake.message_update(group, OFFICER, "chào mọi người"))
    reply = await telegram.send(OFFICER, "/nhiemvu@tiendo_test_bot", chat=group)
    # Not linked yet: how to link it, nothing else (a personal list would be private anyway).
    assert reply["rendered"].startswith("Nhóm này chưa được kết nối với kế hoạch")
    assert len(fake.sent_to(group)) == 1


async def test_being_removed_from_a_group_deactivates_its_link(telegram, org_app):
    fake, group = telegram.fake, -6001
    async with org_app.sessions() as session, session.begin():
        await link_group(session, "telegram", str(group), None, None, org_app.clock.now())
    fake.push_update(fake.my_chat_member_update(group, OFFICER, old_status="member", new_status="kicked"))
    await telegram.until(lambda: not telegram.pending())
    await asyncio.sleep(0.2)
    async with org_app.sessions() as session:
        assert (await session.scalar(select(GroupLink))).active is False


@pytest.fixture
async def webhook(org_app, fake, monkeypatch):
    org_app.settings.telegram_webhook_secret = __import__("pydantic").SecretStr("s3cret-webhook-token")
    harness = Harness(org_app, fake)
    http = make_http_app()
    harness.tg.add_routes(http)
    runner = await serve(http, "127.0.0.1", 0)
    port = runner.addresses[0][1]
    harness.url = f"http://127.0.0.1:{port}"
    harness.tasks.append(asyncio.create_task(harness.tg.courier.run(idle=0.05)))
    yield harness
    await runner.cleanup()
    await harness.close()


async def post(url, body, secret):
    headers = {SECRET_HEADER: secret} if secret else {}
    async with aiohttp.ClientSession() as client:
        async with client.post(url + WEBHOOK_PATH, data=body, headers=headers) as response:
            return response.status


async def test_webhook_checks_the_secret_and_handles_updates(webhook, org_app):
    fake = webhook.fake
    update = fake.message_update(OFFICER, OFFICER, "I.2 đang thực hiện 20%")
    assert await post(webhook.url, json.dumps(update), None) == 401
    assert await post(webhook.url, json.dumps(update), "wrong") == 401
    assert await statuses(org_app) == []
    assert await post(webhook.url, json.dumps(update), "s3cret-webhook-token") == 200
    assert await post(webhook.url, json.dumps(update), "s3cret-webhook-token") == 200  # redelivery
    await webhook.until(lambda: fake.sent_to(OFFICER))
    assert len(await statuses(org_app)) == 1
    assert await post(webhook.url, "{not json", "s3cret-webhook-token") == 200
    assert await post(webhook.url, json.dumps({"update_id": 5, "message": 3}), "s3cret-webhook-token") == 200
    async with aiohttp.ClientSession() as client:
        async with client.get(webhook.url + "/health") as response:
            assert response.status == 200 and (await response.json())["status"] == "ok"


async def test_set_webhook_registers_url_secret_and_update_types(org_app, fake):
    harness = Harness(org_app, fake)
    try:
        await harness.tg.set_webhook("https://bot.example.vn/telegram/webhook", "s3cret-webhook-token")
        assert fake.webhook["url"] == "https://bot.example.vn/telegram/webhook"
        assert fake.webhook["secret_token"] == "s3cret-webhook-token"
        assert set(fake.webhook["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
    finally:
        await harness.close()


async def test_the_token_never_reaches_the_logs(org_app, fake, caplog):
    from bot.logs import RedactSecrets

    caplog.handler.addFilter(RedactSecrets([fake.token]))
    harness = Harness(org_app, fake)
    try:
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("tiendo.test").warning("calling %s/bot%s/getMe", fake.base_url, fake.token)
            fake.fail_next("getUpdates", status=500, description="Internal Server Error")
            stop = asyncio.Event()
            task = asyncio.create_task(harness.tg.poll(stop, timeout=1, backoff=0.05))
            await harness.until(lambda: len(fake.calls("getUpdates")) >= 2)
            stop.set()
            await fake.stop()
            await asyncio.gather(task, return_exceptions=True)
        assert fake.token not in caplog.text
        assert "***" in caplog.text
    finally:
        await harness.close()
