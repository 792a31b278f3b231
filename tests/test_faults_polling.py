"""Issue 11, polling: an update whose handling keeps failing is tried a bounded
number of times, kept as a dead letter and skipped, its sender is told, and
everyone else goes on being answered. Telegram and Zalo, against the fake
platform servers; the dead letters are listed by `python -m bot dead-letters`."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.models import DeadLetter, StatusUpdate
from tests import test_telegram as tg
from tests import test_zalo as zl
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.test_zalo import people  # noqa: F401  (fixture)

NOTICE = "không xử lý được tin nhắn"


async def dead_letters(app) -> list[DeadLetter]:
    async with app.sessions() as session:
        return list(await session.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def notices(texts) -> list[str]:
    return [text for text in texts if NOTICE in text]


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram(org_app, fake):
    org_app.settings.update_retry_backoff_seconds = 0.02
    harness = tg.Harness(org_app, fake)
    await harness.start_polling()
    yield harness
    await harness.close()


@pytest.mark.parametrize("name", ["..", "../x.pdf", "/etc/passwd", "."])
async def test_a_document_whose_name_is_a_path_is_kept_as_evidence(telegram, org_app, name):
    fake = telegram.fake
    await telegram.send(tg.OFFICER, "/baocao I.2")
    await telegram.press(tg.OFFICER, "Hoàn thành")
    fake.push_update(fake.document_update(tg.OFFICER, tg.OFFICER, b"%PDF scan", file_name=name))
    await telegram.until(lambda: "Ghi chú" in fake.sent_to(tg.OFFICER)[-1]["rendered"], timeout=5)
    await telegram.press(tg.OFFICER, "Bỏ qua")
    await telegram.press(tg.OFFICER, "Xác nhận")
    [update] = await tg.statuses(org_app)
    stored = (org_app.settings.files_dir / update.file_ref).resolve()
    assert org_app.settings.files_dir.resolve() in stored.parents and stored.is_file()
    assert stored.read_bytes() == b"%PDF scan"
    assert await dead_letters(org_app) == []


async def test_a_poison_update_is_tried_three_times_then_dead_lettered_and_others_answered(telegram, org_app):
    fake = telegram.fake
    fake.fail_next("getFile", status=400, times=1000,
                   description=f"Bad Request: invalid file_id at {fake.api_url}/getFile")
    poison = fake.push_update(fake.document_update(tg.OFFICER, tg.OFFICER, b"%PDF", file_name="ke\x00hoach.pdf",
                                                   caption="bản chụp\x00"))
    reply = await telegram.send(tg.LEADER, "/help")  # sent after the poison update, answered all the same
    assert "/tiendo" in reply["rendered"]
    await telegram.until(lambda: notices(m["rendered"] for m in fake.sent_to(tg.OFFICER)), timeout=5)
    await asyncio.sleep(0.3)
    assert len(notices(m["rendered"] for m in fake.sent_to(tg.OFFICER))) == 1
    assert len(fake.calls("getFile")) == 3  # bounded, not retried forever
    [letter] = await dead_letters(org_app)
    assert (letter.platform, letter.update_key, letter.chat_id, letter.user_id) == (
        "telegram", str(poison["update_id"]), str(tg.OFFICER), str(tg.OFFICER))
    assert letter.attempts == 3 and letter.dead_at is not None
    assert "TelegramBadRequest" in letter.error and "invalid file_id" in letter.error
    assert fake.token not in letter.error and "ke\\u0000hoach.pdf" in letter.payload
    assert letter.first_seen_at <= letter.last_seen_at
    assert not fake.pending_updates()  # the offset moved past it


async def test_a_failure_that_passes_is_not_a_dead_letter(telegram, org_app):
    fake = telegram.fake
    fake.fail_next("getFile", status=502, times=1)  # one bad answer, then the file comes
    await telegram.send(tg.OFFICER, "/baocao I.2")
    await telegram.press(tg.OFFICER, "Hoàn thành")
    fake.push_update(fake.document_update(tg.OFFICER, tg.OFFICER, b"%PDF", file_name="vb.pdf"))
    await telegram.until(lambda: "Ghi chú" in fake.sent_to(tg.OFFICER)[-1]["rendered"], timeout=5)
    assert len(fake.calls("getFile")) == 2
    assert not notices(m["rendered"] for m in fake.sent_to(tg.OFFICER))
    assert [letter.dead_at for letter in await dead_letters(org_app)] in ([], [None])


@pytest.fixture
async def zalo_fake():
    server = FakeZalo()
    await server.start()
    yield server
    await server.stop()


async def test_a_zalo_event_that_keeps_failing_is_dead_lettered_and_others_answered(people, zalo_fake, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("the files folder is unusable (a disk fault)")
    people.settings.files_dir = blocked
    people.settings.update_retry_backoff_seconds = 0.02
    harness = zl.Harness(people, zalo_fake)
    harness.start_polling()
    try:
        url = zalo_fake.host_file("scan.jpg", b"\xff\xd8\xff jpeg")
        await harness.say(zl.OFFICER, "/baocao I.2")
        await harness.say(zl.OFFICER, "3")  # Hoàn thành: now the evidence
        photo = zalo_fake.push(zalo_fake.image_event(zl.OFFICER, zl.OFFICER, url, caption="Văn bản số 5"))
        text = await harness.say(zl.TOP, "nhiem vu nao qua han?")
        assert "quá hạn" in text
        await harness.until(lambda: notices(zalo_fake.texts(zl.OFFICER)), timeout=5)
        await asyncio.sleep(0.3)
        assert len(notices(zalo_fake.texts(zl.OFFICER))) == 1
        assert len(zalo_fake.calls("media")) == 3
        [letter] = await dead_letters(people)
        assert (letter.platform, letter.update_key, letter.chat_id, letter.attempts) == (
            "zalo", photo["message"]["message_id"], zl.OFFICER, 3)
        async with people.sessions() as session:
            assert list(await session.scalars(select(StatusUpdate))) == []
    finally:
        await harness.close()


def test_dead_letters_are_listed_newest_first_in_vietnamese(tmp_path, monkeypatch, capsys):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from storage.db import create_engine, migrate, session_factory
    from storage.dead_letters import record_failure

    url = f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    start = datetime(2026, 4, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

    async def fill():
        engine = create_engine(url)
        await migrate(engine)
        sessions = session_factory(engine)
        for minutes, key, error in ((0, "501", "IsADirectoryError: [Errno 21] '..'"), (5, "502", "ValueError: NUL")):
            for attempt in range(3):
                async with sessions() as session, session.begin():
                    await record_failure(session, platform="telegram", update_key=key, chat_id="100001",
                                         user_id="100001", payload={"update_id": int(key)}, error=error,
                                         now=start + timedelta(minutes=minutes, seconds=attempt), max_attempts=3)
        async with sessions() as session, session.begin():  # failed once, then handled: not listed
            await record_failure(session, platform="zalo", update_key="z1", chat_id="u", user_id="u",
                                 payload={}, error="TimeoutError", now=start, max_attempts=3)
        await engine.dispose()

    asyncio.run(fill())
    assert main(["dead-letters"]) == 0
    out = capsys.readouterr().out
    assert "Tin không xử lý được" in out and "Số lần thử" in out
    assert out.index("502") < out.index("501")  # newest first
    assert "09:05 15/04/2026" in out and "IsADirectoryError" in out and "z1" not in out
