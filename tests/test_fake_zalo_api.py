"""The fake Zalo Bot Platform server, exercised with plain httpx calls."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from aiohttp import web

from tests.fakes.zalo_api import SECRET_HEADER, FakeZalo

USER = "e4ea2cd5189df1c3a88c"
GROUP = "g9f1c3a88ce4ea2cd518"
POLL = 0.5  # long-poll timeout used in these tests (seconds)


@pytest.fixture
async def fake():
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


async def call(http: httpx.AsyncClient, fake: FakeZalo, method: str, body: dict | None = None,
               *, token: str | None = None) -> httpx.Response:
    return await http.post(f"{fake.base_url}/bot{token or fake.token}/{method}", json=body or {})


@pytest.fixture
async def receiver():
    """A local webhook endpoint recording what it gets."""
    got: list[tuple[dict, dict]] = []

    async def handle(request: web.Request) -> web.Response:
        got.append((dict(request.headers), await request.json()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/hook", got
    await runner.cleanup()


# ----------------------------------------------------------------- basics


async def test_start_gives_loopback_base_url_and_get_me(fake, http):
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.api_url == f"{fake.base_url}/bot{fake.token}"
    r = await call(http, fake, "getMe")
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True
    assert set(body["result"]) >= {"id", "account_name", "account_type", "can_join_groups"}
    rec = fake.calls("getme")[0]
    assert rec.method == "getMe" and rec.status == 200 and rec.http_method == "POST"


async def test_wrong_token_answers_401(fake, http):
    r = await call(http, fake, "getMe", token="not-the-token")
    assert r.status_code == 401
    body = r.json()
    assert body["ok"] is False and body["error_code"] == 401 and body["description"]
    r = await call(http, fake, "sendMessage", {"chat_id": USER, "text": "x"}, token="nope")
    assert r.status_code == 401 and fake.sent == []


async def test_unknown_method_and_bad_json(fake, http):
    r = await call(http, fake, "editMessageText", {"chat_id": USER})
    assert r.status_code == 404 and r.json()["ok"] is False
    r = await http.post(fake.url("sendMessage"), content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error_code"] == 400


async def test_stop_is_idempotent_and_start_after_stop_works():
    fake = FakeZalo(token="123:abc")
    url = await fake.start()
    assert await fake.start() == url
    await fake.stop()
    await fake.stop()
    assert fake.bot_info["id"] == "123"


# ----------------------------------------------------------------- getUpdates


async def test_idle_poll_answers_408_after_the_timeout(fake, http):
    started = time.monotonic()
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    took = time.monotonic() - started
    assert r.status_code == 408
    assert r.json() == {"ok": False, "error_code": 408, "description": "Request timeout"}
    assert POLL - 0.05 <= took < POLL + 0.5


async def test_timeout_may_be_a_numeric_string(fake, http):
    r = await call(http, fake, "getUpdates", {"timeout": "0.2"})
    assert r.status_code == 408
    r = await call(http, fake, "getUpdates", {"timeout": "soon"})
    assert r.status_code == 400


async def test_queued_event_is_returned_one_per_call(fake, http):
    first = fake.push(fake.text_event(USER, USER, "III.2 xong", display_name="Nguyễn Văn A"))
    second = fake.push(fake.image_event(USER, USER, "https://example.com/a.jpg", caption="ảnh"))
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "result": first}
    msg = r.json()["result"]["message"]
    assert r.json()["result"]["event_name"] == "message.text.received"
    assert msg["from"] == {"id": USER, "display_name": "Nguyễn Văn A"}
    assert msg["chat"] == {"id": USER, "chat_type": "PRIVATE"}
    assert msg["text"] == "III.2 xong" and isinstance(msg["date"], int) and msg["date"] > 10**12
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.json()["result"] == second
    assert fake.pending_events() == []
    assert fake.delivered == [first, second]


async def test_pending_poll_is_answered_when_an_event_arrives(fake, http):
    poll = asyncio.create_task(call(http, fake, "getUpdates", {"timeout": 1.5}))
    await asyncio.sleep(0.1)
    event = fake.push(fake.text_event(GROUP, USER, "@bot tiến độ", group=True))
    started = time.monotonic()
    r = await poll
    assert time.monotonic() - started < 0.5
    assert r.json()["result"] == event
    assert event["message"]["chat"]["chat_type"] == "GROUP"


async def test_list_mode_returns_every_queued_event(http):
    fake = FakeZalo(updates_as_list=True)
    await fake.start()
    try:
        a = fake.push(fake.text_event(USER, USER, "một"))
        b = fake.push(fake.sticker_event(USER, USER))
        r = await call(http, fake, "getUpdates", {"timeout": POLL})
        assert r.json() == {"ok": True, "result": [a, b]}
        r = await call(http, fake, "getUpdates", {"timeout": 0.2})
        assert r.status_code == 408
        fake.repeat_next()
        c = fake.push(fake.text_event(USER, USER, "ba"))
        r = await call(http, fake, "getUpdates", {"timeout": POLL})
        assert r.json()["result"] == [b, c]
    finally:
        await fake.stop()


async def test_repeat_next_hands_the_previous_message_again(fake, http):
    with pytest.raises(RuntimeError):
        fake.repeat_next()
    first = fake.push(fake.text_event(USER, USER, "báo cáo"))
    second = fake.push(fake.text_event(USER, USER, "xong"))
    r1 = await call(http, fake, "getUpdates", {"timeout": POLL})
    fake.repeat_next()
    r2 = await call(http, fake, "getUpdates", {"timeout": POLL})
    r3 = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r1.json()["result"] == first
    assert r2.json()["result"] == first  # same message_id: the client must drop it
    assert r2.json()["result"]["message"]["message_id"] == first["message"]["message_id"]
    assert r3.json()["result"] == second


async def test_repeat_next_answers_a_pending_poll(fake, http):
    fake.push(fake.text_event(USER, USER, "a"))
    first = (await call(http, fake, "getUpdates", {"timeout": POLL})).json()["result"]
    poll = asyncio.create_task(call(http, fake, "getUpdates", {"timeout": 1.5}))
    await asyncio.sleep(0.1)
    fake.repeat_next()
    assert (await poll).json()["result"] == first


async def test_a_second_poller_ends_the_first_with_409(fake, http):
    first = asyncio.create_task(call(http, fake, "getUpdates", {"timeout": 1.5}))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(call(http, fake, "getUpdates", {"timeout": 1.5}))
    r1 = await first
    assert r1.status_code == 409 and r1.json()["error_code"] == 409
    event = fake.push(fake.text_event(USER, USER, "x"))
    assert (await second).json()["result"] == event


async def test_a_poll_the_client_abandoned_hands_out_nothing(fake, http):
    with pytest.raises(httpx.ReadTimeout):
        await http.post(fake.url("getUpdates"), json={"timeout": 1.0}, timeout=0.2)
    await asyncio.sleep(0.05)
    event = fake.push(fake.text_event(USER, USER, "không mất"))
    await asyncio.sleep(0.05)
    assert fake.pending_events() == [event] and fake.delivered == []
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.json()["result"] == event


async def test_stop_ends_a_pending_poll():
    fake = FakeZalo()
    await fake.start()
    async with httpx.AsyncClient(timeout=5.0) as http:
        poll = asyncio.create_task(call(http, fake, "getUpdates", {"timeout": 30}))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await fake.stop()
        try:
            r = await poll
            assert r.status_code == 408
        except httpx.HTTPError:
            pass  # the connection may be closed before the answer is read
        assert time.monotonic() - started < 1.5


# ----------------------------------------------------------------- webhook


async def test_webhook_set_info_delete(fake, http):
    r = await call(http, fake, "getWebhookInfo")
    assert r.json()["ok"] is True and r.json()["result"]["url"] == ""
    r = await call(http, fake, "setWebhook", {"url": "https://bot.example.vn/zalo", "secret_token": "s" * 8})
    assert r.status_code == 200
    result = r.json()["result"]
    assert result["url"] == "https://bot.example.vn/zalo" and isinstance(result["updated_at"], int)
    info = (await call(http, fake, "getWebhookInfo")).json()["result"]
    assert info["url"] == "https://bot.example.vn/zalo"
    r = await call(http, fake, "deleteWebhook")
    assert r.json()["ok"] is True and r.json()["result"]["url"] == ""
    assert (await call(http, fake, "getWebhookInfo")).json()["result"]["url"] == ""


@pytest.mark.parametrize("secret", [None, "", "short77", "x" * 257, 12345678])
async def test_set_webhook_rejects_a_bad_secret(fake, http, secret):
    body = {"url": "https://bot.example.vn/zalo"}
    if secret is not None:
        body["secret_token"] = secret
    r = await call(http, fake, "setWebhook", body)
    assert r.status_code == 400
    assert r.json()["ok"] is False and r.json()["error_code"] == 400
    assert fake.webhook["url"] == ""


@pytest.mark.parametrize("secret", ["x" * 8, "y" * 256])
async def test_set_webhook_accepts_secret_of_8_to_256(fake, http, secret):
    r = await call(http, fake, "setWebhook", {"url": "https://bot.example.vn/zalo", "secret_token": secret})
    assert r.json()["ok"] is True and fake.webhook["secret_token"] == secret


async def test_set_webhook_needs_https_except_loopback(fake, http):
    r = await call(http, fake, "setWebhook", {"url": "http://bot.example.vn/zalo", "secret_token": "s" * 10})
    assert r.status_code == 400
    r = await call(http, fake, "setWebhook", {"secret_token": "s" * 10})
    assert r.status_code == 400
    r = await call(http, fake, "setWebhook", {"url": "http://127.0.0.1:9/hook", "secret_token": "s" * 10})
    assert r.json()["ok"] is True


async def test_get_updates_fails_while_a_webhook_is_set(fake, http):
    await call(http, fake, "setWebhook", {"url": "https://bot.example.vn/zalo", "secret_token": "secret-123"})
    fake.push(fake.text_event(USER, USER, "x"))
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.status_code == 409
    assert r.json()["ok"] is False and r.json()["error_code"] == 409
    assert len(fake.pending_events()) == 1  # nothing handed out
    await call(http, fake, "deleteWebhook")
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.status_code == 200 and r.json()["result"]["message"]["text"] == "x"


async def test_setting_a_webhook_ends_a_pending_poll_with_409(fake, http):
    poll = asyncio.create_task(call(http, fake, "getUpdates", {"timeout": 1.5}))
    await asyncio.sleep(0.1)
    await call(http, fake, "setWebhook", {"url": "https://bot.example.vn/zalo", "secret_token": "secret-123"})
    r = await poll
    assert r.status_code == 409


async def test_post_webhook_bare_and_wrapped_with_the_secret_header(fake, http, receiver):
    url, got = receiver
    with pytest.raises(RuntimeError):
        await fake.post_webhook(fake.text_event(USER, USER, "x"))
    await call(http, fake, "setWebhook", {"url": url, "secret_token": "my-secret-token"})
    event = fake.text_event(USER, USER, "bare")
    assert await fake.post_webhook(event) == 200
    image = fake.image_event(USER, USER, "https://example.com/a.jpg", caption="c")
    assert await fake.post_webhook(image, wrapped=True) == 200
    assert await fake.post_webhook(event, secret="wrong-secret") == 200
    assert await fake.post_webhook(event, secret="") == 200
    (h1, b1), (h2, b2), (h3, _), (h4, _) = got
    assert b1 == event and h1[SECRET_HEADER] == "my-secret-token"
    assert b2 == {"ok": True, "result": image} and h2[SECRET_HEADER] == "my-secret-token"
    assert h3[SECRET_HEADER] == "wrong-secret"
    assert SECRET_HEADER not in h4


# ----------------------------------------------------------------- sending


async def test_send_message_is_recorded(fake, http):
    r = await call(http, fake, "sendMessage", {"chat_id": USER, "text": "Đã ghi nhận: III.2"})
    assert r.status_code == 200
    result = r.json()["result"]
    assert isinstance(result["message_id"], str) and len(result["message_id"]) == 20
    assert isinstance(result["date"], int)
    (sent,) = fake.sent
    assert sent["method"] == "sendMessage" and sent["chat_id"] == USER
    assert sent["text"] == "Đã ghi nhận: III.2" and sent["message_id"] == result["message_id"]
    assert fake.sent_to(USER) == [sent] and fake.texts() == ["Đã ghi nhận: III.2"]
    assert fake.calls("sendMessage")[0].params == {"chat_id": USER, "text": "Đã ghi nhận: III.2"}


async def test_send_message_text_limit_is_2000(fake, http):
    r = await call(http, fake, "sendMessage", {"chat_id": USER, "text": "ạ" * 2000})
    assert r.json()["ok"] is True
    r = await call(http, fake, "sendMessage", {"chat_id": USER, "text": "ạ" * 2001})
    body = r.json()
    assert body["ok"] is False and body["error_code"] == 400 and "2000" in body["description"]
    assert r.status_code == 400
    assert len(fake.sent) == 1


@pytest.mark.parametrize("body", [{"text": "x"}, {"chat_id": USER}, {"chat_id": USER, "text": ""},
                                  {"chat_id": "", "text": "x"}, {"chat_id": USER, "text": 5}])
async def test_send_message_needs_chat_and_text(fake, http, body):
    r = await call(http, fake, "sendMessage", body)
    assert r.status_code == 400 and r.json()["ok"] is False
    assert fake.sent == []


async def test_send_photo_records_url_and_caption(fake, http):
    r = await call(http, fake, "sendPhoto",
                   {"chat_id": USER, "photo": "https://cdn.example.vn/chart.png", "caption": "Biểu đồ"})
    assert r.json()["ok"] is True and "message_id" in r.json()["result"]
    (sent,) = fake.sent
    assert sent["method"] == "sendPhoto" and sent["photo"] == "https://cdn.example.vn/chart.png"
    assert sent["caption"] == "Biểu đồ" and sent["text"] is None and sent["photo_bytes"] is None
    for bad_body in ({"chat_id": USER}, {"chat_id": USER, "photo": "chart.png"},
                     {"chat_id": USER, "photo": "https://x.vn/a.png", "caption": "c" * 2001}):
        r = await call(http, fake, "sendPhoto", bad_body)
        assert r.status_code == 400 and r.json()["ok"] is False
    assert len(fake.sent) == 1


async def test_send_photo_resolves_hosted_files(fake, http):
    url = fake.host_file("chart.png", b"\x89PNG...")
    await call(http, fake, "sendPhoto", {"chat_id": USER, "photo": url})
    assert fake.sent[0]["photo_bytes"] == b"\x89PNG..." and fake.sent[0]["caption"] is None


async def test_fetch_photos_mode_fetches_and_rejects_dead_urls(http):
    fake = FakeZalo(fetch_photos=True)
    await fake.start()
    try:
        url = fake.host_file("a.jpg", b"jpeg")
        fake.fail_next("media", status=404)
        r = await call(http, fake, "sendPhoto", {"chat_id": USER, "photo": url.replace("a.jpg", "b.jpg")})
        assert r.status_code == 400 and fake.sent == []
        r = await call(http, fake, "sendPhoto", {"chat_id": USER, "photo": f"{fake.base_url}/media/missing.jpg"})
        assert r.status_code == 400
        r = await call(http, fake, "sendPhoto", {"chat_id": USER, "photo": url})
        assert r.json()["ok"] is True
    finally:
        await fake.stop()


async def test_host_file_serves_bytes_and_records_fetches(fake, http):
    url = fake.host_file("ảnh báo cáo.jpg", b"\xff\xd8jpeg")
    r = await http.get(url)
    assert r.status_code == 200 and r.content == b"\xff\xd8jpeg"
    assert r.headers["content-type"] == "image/jpeg"
    assert fake.calls("media")[0].params == {"name": "ảnh báo cáo.jpg"}
    assert (await http.get(f"{fake.base_url}/media/nope.png")).status_code == 404
    fake.push(fake.image_event(USER, USER, url, caption="minh chứng"))
    event = (await call(http, fake, "getUpdates", {"timeout": POLL})).json()["result"]
    assert event["event_name"] == "message.image.received"
    assert (await http.get(event["message"]["photo_url"])).content == b"\xff\xd8jpeg"


async def test_send_sticker_and_chat_action(fake, http):
    r = await call(http, fake, "sendSticker", {"chat_id": USER, "sticker": "0e078a2fb66a5f34067b"})
    assert r.json()["ok"] is True
    assert fake.sent[0]["method"] == "sendSticker" and fake.sent[0]["sticker"] == "0e078a2fb66a5f34067b"
    assert (await call(http, fake, "sendSticker", {"chat_id": USER})).status_code == 400
    r = await call(http, fake, "sendChatAction", {"chat_id": USER, "action": "typing"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert fake.chat_actions[0]["action"] == "typing" and len(fake.sent) == 1
    assert (await call(http, fake, "sendChatAction", {"chat_id": USER, "action": "dancing"})).status_code == 400


# ----------------------------------------------------------------- builders


def test_builders_make_the_documented_shapes():
    fake = FakeZalo()
    text = fake.text_event(GROUP, USER, "xin chào", group=True, message_id="m1", date=1766619597466)
    assert text == {
        "event_name": "message.text.received",
        "message": {"message_id": "m1", "date": 1766619597466, "from": {"id": USER, "display_name": "Người dùng"},
                    "chat": {"id": GROUP, "chat_type": "GROUP"}, "text": "xin chào"},
    }
    image = fake.image_event(USER, USER, "https://x.vn/a.jpg")
    assert image["event_name"] == "message.image.received"
    assert image["message"]["photo_url"] == "https://x.vn/a.jpg" and "caption" not in image["message"]
    assert fake.image_event(USER, USER, "u", caption="c")["message"]["caption"] == "c"
    sticker = fake.sticker_event(USER, USER, "st1", url="https://x.vn/st.png")
    assert sticker["event_name"] == "message.sticker.received" and sticker["message"]["sticker"] == "st1"
    other = fake.unsupported_event(USER, USER)
    assert other["event_name"] == "message.unsupported.received"
    assert "text" not in other["message"] and other["message"]["chat"]["chat_type"] == "PRIVATE"
    ids = {e["message"]["message_id"] for e in (image, sticker, other)}
    assert len(ids) == 3
    raw = {"event_name": "message.location.received", "message": {"weird": True}}
    copied = fake.raw_event(raw)
    assert copied == raw and copied is not raw


async def test_raw_event_is_handed_out_unchanged(fake, http):
    raw = fake.push(fake.raw_event({"event_name": "message.location.received"}))
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.json()["result"] == raw


# ----------------------------------------------------------------- fault injection


async def test_fail_next_answers_ok_false_with_http_200_by_default(fake, http):
    fake.fail_next("sendMessage", error_code=403, description="User has blocked the bot")
    r = await call(http, fake, "sendMessage", {"chat_id": USER, "text": "x"})
    assert r.status_code == 200
    assert r.json() == {"ok": False, "error_code": 403, "description": "User has blocked the bot"}
    assert fake.sent == []
    r = await call(http, fake, "sendMessage", {"chat_id": USER, "text": "x"})
    assert r.json()["ok"] is True and len(fake.sent) == 1


async def test_fail_next_http_errors_times_and_any_method(fake, http):
    fake.fail_next("sendMessage", status=503, times=2)
    for _ in range(2):
        r = await call(http, fake, "sendMessage", {"chat_id": USER, "text": "x"})
        assert r.status_code == 503 and r.json()["error_code"] == 503
    fake.fail_next("*", status=429, description="Too Many Requests: quota exceeded")
    r = await call(http, fake, "getMe")
    assert r.status_code == 429 and r.json()["description"] == "Too Many Requests: quota exceeded"
    fake.fail_next("getMe", status=502, raw_body="<html>Bad Gateway</html>")
    r = await call(http, fake, "getMe")
    assert r.status_code == 502 and r.text == "<html>Bad Gateway</html>"
    assert (await call(http, fake, "getMe")).status_code == 200
    assert [c.status for c in fake.calls("sendMessage")] == [503, 503]


async def test_fail_next_on_get_updates_keeps_the_event(fake, http):
    event = fake.push(fake.text_event(USER, USER, "x"))
    fake.fail_next("getUpdates", status=500)
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.status_code == 500
    r = await call(http, fake, "getUpdates", {"timeout": POLL})
    assert r.json()["result"] == event


async def test_delay_next_holds_the_answer_but_delivers(fake, http):
    fake.delay_next("sendMessage", 0.4)
    with pytest.raises(httpx.ReadTimeout):
        await http.post(fake.url("sendMessage"), json={"chat_id": USER, "text": "chậm"}, timeout=0.1)
    assert len(fake.sent) == 1  # delivered although the client gave up
    await asyncio.sleep(0.4)
    fake.delay_next("getMe", 0.3)
    started = time.monotonic()
    r = await call(http, fake, "getMe")
    assert r.status_code == 200 and time.monotonic() - started >= 0.28
