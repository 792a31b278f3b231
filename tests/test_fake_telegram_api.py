"""The fake Telegram Bot API server, exercised through aiogram itself."""

from __future__ import annotations

import asyncio
import io
import json
import time

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from tests.fakes.telegram_api import FakeTelegram, parse_html

PRIVATE = 1001
GROUP = -4001


def make_bot(fake: FakeTelegram, *, token: str | None = None, timeout: float = 5.0) -> Bot:
    api = TelegramAPIServer.from_base(fake.base_url)
    return Bot(token or fake.token, session=AiohttpSession(api=api, timeout=timeout))


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake):
    client = make_bot(fake)
    yield client
    await client.session.close()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


# ----------------------------------------------------------------- builders


def test_every_builder_makes_an_update_aiogram_accepts():
    fake = FakeTelegram()
    fake.register_file("given-file", b"x", "documents/given.pdf")
    built = {
        "command": fake.message_update(PRIVATE, PRIVATE, "/start"),
        "group_command": fake.message_update(GROUP, 7, "/baocao@tiendo_test_bot quý I", chat_title="Phòng HCQT"),
        "reply": fake.message_update(PRIVATE, PRIVATE, "III.2 xong", reply_to=1),
        "callback": fake.callback_update(PRIVATE, PRIVATE, "task:III.2", 1),
        "document": fake.document_update(PRIVATE, PRIVATE, b"PK..", file_name="KH 181.docx", caption="Kế hoạch"),
        "photo": fake.photo_update(PRIVATE, PRIVATE, b"\xff\xd8", caption="ảnh"),
        "blocked": fake.my_chat_member_update(PRIVATE, PRIVATE),
        "added_admin": fake.my_chat_member_update(GROUP, 7, old_status="left", new_status="administrator"),
        "restricted": fake.my_chat_member_update(GROUP, 7, new_status="restricted"),
        "creator": fake.my_chat_member_update(GROUP, 7, new_status="creator"),
        "migrate": fake.migrate_update(GROUP, -1001234567890),
    }
    updates = {name: Update.model_validate(d) for name, d in built.items()}
    ids = [d["update_id"] for d in built.values()]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    cmd = updates["command"].message
    assert cmd.text == "/start" and cmd.chat.type == "private" and cmd.from_user.first_name == "Test"
    assert [(e.type, e.offset, e.length) for e in cmd.entities] == [("bot_command", 0, 6)]
    group = updates["group_command"].message
    assert group.chat.type == "group" and group.chat.title == "Phòng HCQT"
    assert group.entities[0].type == "bot_command" and group.entities[0].length == len("/baocao@tiendo_test_bot")
    assert updates["reply"].message.reply_to_message.message_id == 1
    cq = updates["callback"].callback_query
    assert cq.data == "task:III.2" and cq.message.message_id == 1 and cq.message.chat.id == PRIVATE
    doc = updates["document"].message.document
    assert doc.file_name == "KH 181.docx" and doc.file_size == 4 and doc.file_id in fake.files
    assert "wordprocessingml" in doc.mime_type
    assert len(updates["photo"].message.photo) == 2
    assert updates["blocked"].my_chat_member.new_chat_member.status == "kicked"
    assert updates["added_admin"].my_chat_member.new_chat_member.status == "administrator"
    assert updates["migrate"].message.migrate_to_chat_id == -1001234567890


def test_push_update_assigns_ids_and_keeps_order():
    fake = FakeTelegram()
    first = fake.push_update({"message": fake.message_update(PRIVATE, PRIVATE, "a")["message"]})
    second = fake.push_update(fake.message_update(PRIVATE, PRIVATE, "b"))
    assert second["update_id"] > first["update_id"]
    assert [u["update_id"] for u in fake.pending_updates()] == [first["update_id"], second["update_id"]]


def test_parse_html_entities_and_errors():
    plain, entities = parse_html('<b>Tiến độ</b> &lt; 100% <a href="https://x.vn/?a=1&amp;b=2">KH</a>')
    assert plain == "Tiến độ < 100% KH"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "text_link", "offset": 15, "length": 2, "url": "https://x.vn/?a=1&b=2"},
    ]
    for broken in ("Tỷ lệ < 100%", "<b>x", "<b>x</i>", "<p>x</p>"):
        with pytest.raises(Exception, match="can't parse entities"):
            parse_html(broken)


# ----------------------------------------------------------------- methods through aiogram


async def test_get_me(bot, fake):
    me = await bot.get_me()
    assert me.username == "tiendo_test_bot" and me.is_bot and me.id == 123456
    assert fake.calls("getMe")[0].status == 200


async def test_send_message_with_inline_keyboard(bot, fake):
    markup = keyboard(("Xong", "done:III.2"), ("Vướng mắc", "block:III.2"))
    first = await bot.send_message(PRIVATE, "<b>III.2</b> đến hạn", parse_mode="HTML", reply_markup=markup)
    second = await bot.send_message(PRIVATE, "lần hai")
    other = await bot.send_message(GROUP, "nhóm")

    assert isinstance(first, Message)
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.text == "III.2 đến hạn" and first.entities[0].type == "bold"
    assert first.chat.id == PRIVATE and first.chat.type == "private" and first.from_user.is_bot
    assert first.reply_markup.inline_keyboard[1][0].callback_data == "block:III.2"
    assert other.chat.type == "group"

    entry = fake.sent[0]
    assert entry["method"] == "sendMessage" and entry["chat_id"] == PRIVATE and entry["message_id"] == 1
    assert entry["text"] == "<b>III.2</b> đến hạn" and entry["rendered"] == "III.2 đến hạn"
    assert entry["reply_markup"]["inline_keyboard"][0][0] == {"text": "Xong", "callback_data": "done:III.2"}
    rec = fake.calls("sendMessage")[0]
    assert rec.params["chat_id"] == PRIVATE and isinstance(rec.params["reply_markup"], dict)
    assert [s["text"] for s in fake.sent_to(PRIVATE)] == ["<b>III.2</b> đến hạn", "lần hai"]


async def test_send_message_validation(bot, fake):
    assert (await bot.send_message(PRIVATE, "x" * 4096)).text == "x" * 4096
    # tags do not count towards the limit
    await bot.send_message(PRIVATE, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(PRIVATE, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(PRIVATE, "Tỷ lệ < 100%", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(PRIVATE, "   ")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(PRIVATE, "x", reply_markup=keyboard(("Hoạt động", "đ" * 33)))  # 66 bytes
    assert len(fake.sent) == 2
    assert [r.status for r in fake.calls("sendMessage")] == [200, 200, 400, 400, 400, 400]


async def test_edit_message_text(bot, fake):
    sent = await bot.send_message(PRIVATE, "III.2: đang thực hiện", reply_markup=keyboard(("Xong", "done")))
    edited = await bot.edit_message_text("III.2: hoàn thành", chat_id=PRIVATE, message_id=sent.message_id)
    assert edited.text == "III.2: hoàn thành" and edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert fake.sent[-1]["method"] == "editMessageText" and fake.sent[-1]["message_id"] == sent.message_id

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("III.2: hoàn thành", chat_id=PRIVATE, message_id=sent.message_id)
    # same text but a new keyboard is a modification
    await bot.edit_message_text("III.2: hoàn thành", chat_id=PRIVATE, message_id=sent.message_id,
                                reply_markup=keyboard(("Hoàn tác", "undo")))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=PRIVATE, message_id=999)
    user_msg = fake.message_update(PRIVATE, PRIVATE, "tin của người dùng")["message"]
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=PRIVATE, message_id=user_msg["message_id"])
    assert fake.message(PRIVATE, sent.message_id)["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "undo"


async def test_answer_callback_query(bot, fake):
    sent = await bot.send_message(PRIVATE, "Chọn", reply_markup=keyboard(("Xong", "done:III.2")))
    update = Update.model_validate(fake.callback_update(PRIVATE, PRIVATE, "done:III.2", sent.message_id))
    query = update.callback_query
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "done:III.2"

    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query.id, text="x" * 201)
    assert await bot.answer_callback_query(query.id, text="Đã ghi nhận")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)  # answered already
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("42")
    assert fake.calls("answerCallbackQuery")[1].params["text"] == "Đã ghi nhận"


async def test_send_document_get_file_and_download(bot, fake):
    payload = "Báo cáo quý I/2026\n".encode() * 100
    msg = await bot.send_document(
        PRIVATE, BufferedInputFile(payload, filename="bao-cao-quy-1.docx"), caption="<i>Báo cáo</i>", parse_mode="HTML"
    )
    assert msg.document.file_name == "bao-cao-quy-1.docx" and msg.document.file_size == len(payload)
    assert msg.caption == "Báo cáo" and msg.caption_entities[0].type == "italic"
    rec = fake.calls("sendDocument")[0]
    assert rec.params["document"] == payload and rec.files["document"].filename == "bao-cao-quy-1.docx"
    assert fake.sent[0]["document"] == payload and fake.sent[0]["caption"] == "<i>Báo cáo</i>"

    file = await bot.get_file(msg.document.file_id)
    assert file.file_path.startswith("documents/") and file.file_size == len(payload)
    buffer = await bot.download_file(file.file_path, io.BytesIO())
    assert buffer.getvalue() == payload
    # the same file_id can be sent again
    again = await bot.send_document(GROUP, msg.document.file_id)
    assert again.document.file_id == msg.document.file_id

    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_document(PRIVATE, BufferedInputFile(b"x", "a.txt"), caption="c" * 1025)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(PRIVATE, "no-such-file-id")


async def test_send_photo(bot, fake):
    msg = await bot.send_photo(PRIVATE, BufferedInputFile(b"\x89PNG....", "chart.png"), caption="Biểu đồ")
    assert msg.photo[-1].file_size == 8 and msg.caption == "Biểu đồ"
    assert fake.sent[0]["method"] == "sendPhoto" and fake.sent[0]["photo"] == b"\x89PNG...."


async def test_incoming_document_and_the_20mb_limit(bot, fake):
    small = Update.model_validate(fake.document_update(PRIVATE, PRIVATE, b"PK\x03\x04plan", file_name="KH.docx"))
    file = await bot.get_file(small.message.document.file_id)
    assert file.file_path.endswith(".docx")
    assert (await bot.download_file(file.file_path, io.BytesIO())).getvalue() == b"PK\x03\x04plan"

    big = Update.model_validate(
        fake.document_update(PRIVATE, PRIVATE, b"", file_name="scan.pdf", file_size=21 * 1024 * 1024)
    )
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(big.message.document.file_id)
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_webhook_and_commands(bot, fake):
    assert await bot.set_webhook("https://tiendo.example/tg", secret_token="s3cret_TOKEN", allowed_updates=["message"])
    assert fake.webhook["url"] == "https://tiendo.example/tg"
    assert fake.webhook["secret_token"] == "s3cret_TOKEN" and fake.webhook["allowed_updates"] == ["message"]
    info = await bot.get_webhook_info()
    assert info.url == "https://tiendo.example/tg" and info.allowed_updates == ["message"]
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()
    with pytest.raises(TelegramBadRequest, match="HTTPS URL"):
        await bot.set_webhook("http://tiendo.example/tg")
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""

    commands = [BotCommand(command="baocao", description="Báo cáo tiến độ"),
                BotCommand(command="nhiemvu", description="Nhiệm vụ của đơn vị")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(commands[:1], scope=BotCommandScopeChat(chat_id=GROUP), language_code="vi")
    assert [c["command"] for c in fake.commands_for()] == ["baocao", "nhiemvu"]
    assert fake.commands_for({"type": "chat", "chat_id": GROUP}, "vi") == [
        {"command": "baocao", "description": "Báo cáo tiến độ"}
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["baocao", "nhiemvu"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Báo-cáo", description="x")])
    assert await bot.delete_my_commands()
    assert fake.commands_for() is None


async def test_post_webhook_delivers_with_secret(fake):
    received = []

    async def receive(request):
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return aiohttp.web.Response(text="ok")

    app = aiohttp.web.Application()
    app.router.add_post("/tg", receive)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{fake.api_url}/setWebhook",
                                 json={"url": f"http://127.0.0.1:{port}/tg", "secret_token": "abc_123"}) as resp:
                assert (await resp.json())["description"] == "Webhook was set"
        update = fake.message_update(PRIVATE, PRIVATE, "/start")
        assert await fake.post_webhook(update) == 200
        assert received == [("abc_123", update)]
    finally:
        await runner.cleanup()


# ----------------------------------------------------------------- errors


async def test_injected_429_with_and_without_retry_after(bot, fake):
    fake.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(PRIVATE, "x")
    assert caught.value.retry_after == 7
    fake.fail_next("sendMessage", status=429)
    with pytest.raises(TelegramAPIError) as plain:
        await bot.send_message(PRIVATE, "x")
    assert not isinstance(plain.value, TelegramRetryAfter)
    assert fake.sent == [] and fake.stats()["too_many_requests"] == 2 and fake.stats()["rejected"] == {PRIVATE: 2}
    body = fake.calls("sendMessage")[0].response
    assert body == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
                    "parameters": {"retry_after": 7}}
    await bot.send_message(PRIVATE, "x")  # faults are one-shot
    assert len(fake.sent) == 1


async def test_injected_403_migrate_500(bot, fake):
    fake.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(PRIVATE, "x")
    fake.fail_next("sendMessage", status=400, migrate_to_chat_id=-1009876543210)
    with pytest.raises(TelegramMigrateToChat) as migrated:
        await bot.send_message(GROUP, "x")
    assert migrated.value.migrate_to_chat_id == -1009876543210
    fake.fail_next("*", status=500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    assert (await bot.get_me()).username == "tiendo_test_bot"
    assert fake.sent == []


async def test_blocked_and_migrated_chats_stay_so(bot, fake):
    fake.push_update(fake.my_chat_member_update(PRIVATE, PRIVATE))  # the user blocks the bot
    fake.push_update(fake.migrate_update(GROUP, -1005555555555))
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(PRIVATE, "x")
    with pytest.raises(TelegramMigrateToChat) as migrated:
        await bot.send_message(GROUP, "x")
    assert migrated.value.migrate_to_chat_id == -1005555555555
    assert (await bot.send_message(-1005555555555, "x")).chat.type == "supergroup"
    fake.push_update(fake.my_chat_member_update(PRIVATE, PRIVATE, old_status="kicked", new_status="member"))
    await bot.send_message(PRIVATE, "x")


async def test_slow_answer_times_out_but_message_was_delivered(fake):
    client = make_bot(fake, timeout=0.2)
    try:
        fake.delay_next("sendMessage", 1.0)
        started = time.monotonic()
        with pytest.raises(TelegramNetworkError):
            await client.send_message(PRIVATE, "x")
        assert time.monotonic() - started < 0.9
        assert len(fake.sent) == 1  # the answer was lost, not the message
    finally:
        await client.session.close()


async def test_wrong_token_and_unknown_method(fake):
    client = make_bot(fake, token="999:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await client.get_me()
    finally:
        await client.session.close()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{fake.api_url}/sendPigeon", json={}) as resp:
            assert resp.status == 404 and await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.get(f"{fake.base_url}/file/bot{fake.token}/documents/none") as resp:
            assert resp.status == 404
        # JSON and urlencoded bodies are read too; method names are case-insensitive
        async with http.post(f"{fake.api_url}/sendmessage", json={
            "chat_id": PRIVATE, "text": "json", "reply_markup": json.dumps(keyboard(("a", "b")).model_dump(exclude_none=True)),
        }) as resp:
            assert (await resp.json())["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
        async with http.post(f"{fake.api_url}/sendMessage", data={"chat_id": str(PRIVATE), "text": "123"}) as resp:
            assert (await resp.json())["result"]["text"] == "123"
    assert fake.sent[-1]["text"] == "123" and fake.sent[-1]["chat_id"] == PRIVATE
    assert fake.calls("sendMessage")[0].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"


async def test_html_error_page_from_a_proxy(bot, fake):
    fake.fail_next("getMe", status=502, raw_body="<html>502 Bad Gateway</html>")
    with pytest.raises(ClientDecodeError):
        await bot.get_me()
    assert fake.calls("getMe")[0].status == 502


# ----------------------------------------------------------------- getUpdates


async def test_get_updates_offset_confirms(bot, fake):
    a = fake.push_update(fake.message_update(PRIVATE, PRIVATE, "/start"))
    b = fake.push_update(fake.message_update(PRIVATE, PRIVATE, "III.2 xong"))
    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [a["update_id"], b["update_id"]]
    assert got[0].message.text == "/start"
    again = await bot.get_updates(timeout=0)  # nothing confirmed yet: same updates
    assert [u.update_id for u in again] == [a["update_id"], b["update_id"]]
    rest = await bot.get_updates(offset=a["update_id"] + 1, timeout=0)
    assert [u.update_id for u in rest] == [b["update_id"]]
    assert await bot.get_updates(offset=b["update_id"] + 1, timeout=0) == []
    assert fake.pending_updates() == []


async def test_get_updates_long_poll_waits_for_a_push(bot, fake):
    async def push_later():
        await asyncio.sleep(0.15)
        fake.push_update(fake.message_update(PRIVATE, PRIVATE, "muộn"))

    started = time.monotonic()
    pusher = asyncio.create_task(push_later())
    got = await bot.get_updates(timeout=5)
    await pusher
    assert [u.message.text for u in got] == ["muộn"]
    assert 0.1 < time.monotonic() - started < 1.5


async def test_get_updates_timeout_returns_empty(bot, fake):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 < time.monotonic() - started < 1.8


async def test_get_updates_allowed_updates_and_limit(bot, fake):
    fake.push_update(fake.message_update(PRIVATE, PRIVATE, "a"))
    fake.push_update(fake.callback_update(PRIVATE, PRIVATE, "x", 1))
    fake.push_update(fake.message_update(PRIVATE, PRIVATE, "b"))
    assert len(await bot.get_updates(limit=1, timeout=0)) == 1
    got = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [u.message.text for u in got] == ["a", "b"]


async def test_duplicate_delivery(bot, fake):
    a = fake.push_update(fake.message_update(PRIVATE, PRIVATE, "một"))
    b = fake.push_update(fake.message_update(PRIVATE, PRIVATE, "hai"))
    fake.duplicate_next_updates()
    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [a["update_id"], a["update_id"], b["update_id"], b["update_id"]]
    assert len(await bot.get_updates(timeout=0)) == 2  # one batch only


async def test_aiogram_polling_end_to_end(fake):
    client = make_bot(fake)
    dp = Dispatcher()
    seen = []

    @dp.message(CommandStart())
    async def start(message: Message):
        seen.append(message.message_id)
        await message.answer("Xin chào")

    fake.push_update(fake.message_update(PRIVATE, PRIVATE, "/start"))
    fake.duplicate_next_updates()
    polling = asyncio.create_task(dp.start_polling(client, polling_timeout=1, handle_signals=False))
    for _ in range(100):
        if fake.sent:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    await dp.stop_polling()
    await polling
    # aiogram does not drop the repeated update_id itself: the adapter must
    assert [s["text"] for s in fake.sent] == ["Xin chào", "Xin chào"]
    assert fake.duplicates() == [(PRIVATE, "Xin chào", 2)]
    assert seen[0] == seen[1]


# ----------------------------------------------------------------- flood limits


async def test_limits_private_chat_one_per_second(fake):
    fake.enforce_limits = True
    client = make_bot(fake)
    try:
        await client.send_message(PRIVATE, "một")
        with pytest.raises(TelegramRetryAfter) as caught:
            await client.send_message(PRIVATE, "hai")
        assert caught.value.retry_after == 1
        await client.send_message(PRIVATE + 1, "another chat is fine")
    finally:
        await client.session.close()
    stats = fake.stats()
    assert stats["delivered"] == {PRIVATE: 1, PRIVATE + 1: 1}
    assert stats["rejected"] == {PRIVATE: 1} and stats["too_many_requests"] == 1
    assert [s["text"] for s in fake.sent] == ["một", "another chat is fine"]


async def test_limits_sliding_windows_with_a_fake_clock():
    now = [1000.0]
    fake = FakeTelegram(enforce_limits=True, clock=lambda: now[0])
    await fake.start()
    client = make_bot(fake)
    try:
        await client.send_message(PRIVATE, "a")
        now[0] += 0.5
        with pytest.raises(TelegramRetryAfter):
            await client.send_message(PRIVATE, "b")
        now[0] += 0.5
        await client.send_message(PRIVATE, "b")  # the window slid

        for i in range(20):  # a group: 20 a minute
            now[0] += 0.1
            await client.send_message(GROUP, f"g{i}")
        now[0] += 10
        with pytest.raises(TelegramRetryAfter) as group:
            await client.send_message(GROUP, "g20")
        assert group.value.retry_after == 49  # the first group message (48.1 s from now) leaves the window

        now[0] += 100
        for chat in range(1, 31):  # 30 a second overall
            await client.send_message(chat, "broadcast")
        with pytest.raises(TelegramRetryAfter) as overall:
            await client.send_message(31, "broadcast")
        assert overall.value.retry_after == 1
    finally:
        await client.session.close()
        await fake.stop()
    assert fake.stats()["rejected_total"] == 3
    assert fake.duplicates() == []
    assert fake.stats()["delivered_total"] == 2 + 20 + 30
