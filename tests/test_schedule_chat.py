"""Reminders and digests in chat: snoozing from a reminder (buttons, and
typed on Zalo), leave, a group's digest schedule (/lichgui) and the digest on
request (/tonghop), in the scripted chat."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from handlers.reminders import parse_schedule
from storage.models import GroupLink, PersonLeave, ReminderSnooze, ScheduleClaim
from tests.schedule_fixture import PLAN_GROUP, TTPV_GROUP, load_fixture
from tests.schedule_walk import Walk, at


@pytest.fixture
async def walk(app, tmp_path):
    """The fixture plan, with the scheduler run daily from 01/04 up to the test's first day."""
    await load_fixture(app, tmp_path)
    return Walk(app, at(date(2026, 4, 1), "00:00"))


async def catch_up(walk, until: date, actions=None) -> None:
    await walk.days(date(2026, 4, 1), until, actions, times=("07:30", "08:00", "16:00"))
    walk.log.clear()


def of(lines: list[str], chat: str) -> list[str]:
    return [line for line in lines if line.split()[2] == chat]


async def snoozes(app):
    async with app.sessions() as session:
        return [(s.task_id, s.until) for s in await session.scalars(select(ReminderSnooze))]


async def test_snooze_one_day_then_reminded_again_on_the_next_working_day(walk, app):
    assert of(await walk.tick(at(date(2026, 4, 24), "07:30")), "canbo2") == ["24/04 07:30 canbo2 remind:III.1"]
    out = await walk.say(at(date(2026, 4, 24), "09:00"), "canbo2", choose="Nhắc lại sau 1 ngày")
    # Friday + 1 working day: Monday 27/04 is Giỗ Tổ Hùng Vương (observed), so Tuesday.
    assert out[0].text == "Đã hẹn: tôi sẽ nhắc lại nhiệm vụ III.1 vào thứ Ba 28/04/2026."
    assert await walk.tick(at(date(2026, 4, 27), "07:30")) == []
    walk.clock.set(at(date(2026, 4, 28), "07:30"))
    [again] = [m for m in await walk.sim.tick() if m.chat_id == "canbo2"]
    assert again.text.splitlines()[1] == (
        "• III.1 — Công bố danh mục thủ tục hành chính: hạn 04/05/2026, còn 6 ngày. Nhắc lại theo hẹn."
    )
    assert await snoozes(app) == []  # used up
    assert await walk.tick(at(date(2026, 4, 28), "12:00")) == []


async def test_a_report_after_snoozing_cancels_the_reminder_again(walk, app):
    await walk.tick(at(date(2026, 4, 24), "07:30"))
    await walk.say(at(date(2026, 4, 24), "09:00"), "canbo2", choose="Nhắc lại sau 3 ngày")
    await walk.say(at(date(2026, 4, 28), "09:00"), "canbo2", "III.1 đang thực hiện 40%")
    assert of(await walk.tick(at(date(2026, 4, 29), "07:30")), "canbo2") == []  # snoozed: no "1 day before"
    assert of(await walk.tick(at(date(2026, 5, 4), "07:30")), "canbo2") == ["04/05 07:30 canbo2 remind:III.1"]
    assert await snoozes(app) == []


async def test_snoozing_several_tasks_at_once_and_by_typing(walk, app):
    done = ("canbo", "I.2 hoàn thành, Kế hoạch số 12/KH-VP", {})
    await catch_up(walk, date(2026, 6, 22), {(date(2026, 4, 10), "09:00"): [done]})
    await walk.tick(at(date(2026, 6, 23), "07:30"))
    out = await walk.say(at(date(2026, 6, 23), "09:00"), "canbo", "/nhaclai 3")
    # The newest reminder of canbo named V.1 (task reminder) and I.1 (the quarter's report).
    assert out[0].text == "Đã hẹn: tôi sẽ nhắc lại các nhiệm vụ V.1, I.1 vào thứ Sáu 26/06/2026."
    out = await walk.say(at(date(2026, 6, 23), "09:05"), "canbo", "/nhaclai 2 III.1")
    assert out[0].text == "Nhiệm vụ III.1 không thuộc đơn vị của bạn (hoặc không có trong kế hoạch)."
    out = await walk.say(at(date(2026, 6, 23), "09:06"), "canbo", "/nhaclai 20")
    assert out[0].text.startswith("Gõ /nhaclai 1 hoặc /nhaclai 3")
    out = await walk.say(at(date(2026, 6, 23), "09:07"), "canbo3", "/nhaclai 1")
    assert out[0].text.startswith("Đã hẹn: tôi sẽ nhắc lại nhiệm vụ III.2 vào thứ Tư 24/06/2026")
    # Until Friday 26/06, then both again (V.1's next stage, 1 day before, is on 29/06 for everyone).
    await walk.days(date(2026, 6, 24), date(2026, 6, 29), times=("07:30",))
    assert [line for line in walk.log if line.split()[2] in ("canbo", "canbo_b")] == [
        "23/06 07:30 canbo remind:V.1 report:I.1",
        "23/06 07:30 canbo_b remind:V.1 report:I.1",
        "26/06 07:30 canbo remind:V.1,I.1",
        "29/06 07:30 canbo remind:V.1 report:I.1",
        "29/06 07:30 canbo_b remind:V.1 report:I.1",
    ]
    again = list(walk.sim.last_options.get(("console", "canbo"), []))
    assert again  # the 29/06 message offers the report again


async def test_leave_reroutes_reminders_and_ends(walk, app):
    await catch_up(walk, date(2026, 4, 5))
    out = await walk.say(at(date(2026, 4, 6), "09:00"), "canbo", "/nghiphep 14/04/2026")
    assert out[0].text.startswith("Đã ghi: bạn nghỉ từ 06/04/2026 đến hết 14/04/2026.")
    out = await walk.say(at(date(2026, 4, 6), "09:01"), "canbo", "/nghiphep")
    assert out[0].text == "Bạn đang đăng ký nghỉ đến hết 14/04/2026. Gõ /nghiphep huy để hủy."
    # A colleague is there: she gets it alone. When both are away, the unit's leader does.
    assert of(await walk.tick(at(date(2026, 4, 8), "07:30")), "canbo") == []
    assert of(await walk.tick(at(date(2026, 4, 8), "07:31")), "canbo_b") == []  # she got it at 07:30
    assert "08/04 07:30 canbo_b remind:I.2" in walk.log
    await walk.say(at(date(2026, 4, 8), "09:00"), "canbo_b", "/nghiphep 20/4")
    lines = await walk.tick(at(date(2026, 4, 14), "07:30"))
    assert [line for line in lines if "digest" not in line] == ["14/04 07:30 ld_hcqt remind:I.2"]
    # Back on 15/04. Nobody answered 08/04 (canbo_b) nor 14/04 (the HCQT leader himself, standing in):
    # the next leader up hears.
    assert await walk.tick(at(date(2026, 4, 15), "07:30")) == [
        "15/04 07:30 canbo remind:I.2", "15/04 07:30 lanhdao escalate:I.2",
    ]
    out = await walk.say(at(date(2026, 4, 15), "09:00"), "canbo_b", "/nghiphep huy")
    assert out[0].text == "Đã hủy đăng ký nghỉ: từ nay bạn nhận lời nhắc việc như thường."
    for bad, message in (("31/02/2026", "không hợp lệ"), ("01/04/2026", "đã qua"), ("mai", "không hợp lệ")):
        out = await walk.say(at(date(2026, 4, 15), "09:05"), "canbo", f"/nghiphep {bad}")
        assert message in out[0].text
    async with app.sessions() as session:
        assert len((await session.scalars(select(PersonLeave))).all()) == 1  # canbo's, already over


async def test_group_digest_schedule(walk, app):
    await catch_up(walk, date(2026, 4, 5))
    out = await walk.say(at(date(2026, 4, 6), "09:00"), "quantri", "/lichgui", chat=PLAN_GROUP)
    assert out[0].text.startswith("Bản tin tuần của nhóm (toàn bộ kế hoạch) gửi vào thứ Sáu lúc 16:00")
    out = await walk.say(at(date(2026, 4, 6), "09:01"), "lanhdao", "/lichgui thứ 5 lúc 9h30", chat=PLAN_GROUP)
    assert out[0].text == "Đã đặt lịch: bản tin tuần gửi vào thứ Năm lúc 09:30."
    out = await walk.say(at(date(2026, 4, 6), "09:02"), "canbo", "/lichgui tắt", chat=PLAN_GROUP)
    assert out[0].text == "Bạn không có quyền dùng lệnh này."
    out = await walk.say(at(date(2026, 4, 6), "09:03"), "lanhdao", "/lichgui thứ 7 9:00", chat=PLAN_GROUP)
    assert out[0].text.startswith("Không hiểu lịch «thứ 7 9:00»")
    out = await walk.say(at(date(2026, 4, 6), "09:04"), "lanhdao", "/lichgui")
    assert out[0].text.startswith("Lệnh /lichgui dùng trong nhóm")
    out = await walk.say(at(date(2026, 4, 6), "09:05"), "quantri", "/lichgui", chat="-999")
    assert out[0].text.startswith("Nhóm này chưa được kết nối")
    out = await walk.say(at(date(2026, 4, 6), "09:06"), "quantri", "/lichgui tắt", chat=TTPV_GROUP)
    assert out[0].text.startswith("Đã tắt bản tin tuần")
    await walk.days(date(2026, 4, 6), date(2026, 4, 14), times=("08:00", "09:30", "16:00"))
    digests = [line for line in walk.log if line.endswith("digest")]
    assert digests == ["09/04 09:30 -100 digest"]  # Thursday; nothing on Friday; the TTPV group is off
    await walk.say(at(date(2026, 4, 14), "17:00"), "quantri", "/lichgui bật", chat=TTPV_GROUP)
    assert of(await walk.tick(at(date(2026, 4, 20), "08:00")), "-200") == ["20/04 08:00 -200 digest"]
    async with app.sessions() as session:
        link = await session.scalar(select(GroupLink).where(GroupLink.chat_id == PLAN_GROUP))
    assert (link.digest_weekday, link.digest_time, link.digest_enabled) == (3, "09:30", True)


@pytest.mark.parametrize("text, parsed", [
    ("thứ 6 16:00", (4, "16:00")), ("T2 8h30", (0, "08:30")), ("thu sau luc 16h", (4, "16:00")),
    ("Thứ Hai 7:05", (0, "07:05")), ("thứ 4 lúc 15 giờ", (2, "15:00")), ("tắt", "off"), ("Bật", "on"),
    ("thứ 7 9:00", None), ("chủ nhật 9:00", None), ("thứ 6 25:00", None), ("mỗi tuần", None),
])
def test_schedule_words(text, parsed):
    assert parse_schedule(text) == parsed


async def test_digest_on_request_within_scope(walk, app):
    day = date(2026, 5, 8)
    out = await walk.say(at(day, "10:00"), "lanhdao", "/tonghop")
    assert out[0].text.startswith("📊 Bản tin tiến độ CCHC — toàn kế hoạch\nTuần 01/05/2026 – 08/05/2026")
    assert len(out[0].files) == 1 and out[0].files[0].endswith(".png")
    out = await walk.say(at(day, "10:01"), "canbo2", "/tonghop")
    assert out[0].text.startswith("📊 Bản tin tiến độ CCHC — Trung tâm Phục vụ Hành chính công")
    assert "Lê Thị Mai Anh" not in out[0].text  # another unit's people
    out = await walk.say(at(day, "10:02"), "canbo2", "/tonghop Phòng HCQT")
    assert out[0].text == "Phòng Hành chính – Quản trị nằm ngoài phạm vi bạn được xem."
    out = await walk.say(at(day, "10:03"), "lanhdao", "/tonghop TT PVHCC")
    assert "— Trung tâm Phục vụ Hành chính công" in out[0].text.splitlines()[0]
    out = await walk.say(at(day, "10:04"), "canbo", "/tonghop", chat=TTPV_GROUP)  # the group's scope
    assert "— Trung tâm Phục vụ Hành chính công" in out[0].text.splitlines()[0]
    async with app.sessions() as session:  # on request: nothing claimed, the weekly one still goes
        assert (await session.scalars(select(ScheduleClaim))).all() == []


async def test_on_zalo_reminders_are_typed_and_digests_are_text(app, tmp_path):
    await load_fixture(app, tmp_path, platform="zalo")
    walk = Walk(app, at(date(2026, 4, 1), "00:00"))
    await walk.tick(at(date(2026, 4, 8), "07:30"))
    out = await walk.sim.tick()
    assert out == []
    walk.clock.set(at(date(2026, 4, 10), "16:00"))
    [digest] = await walk.sim.tick()
    assert digest.platform == "zalo" and digest.files == [] and len(digest.text) <= 2000
    walk.clock.set(at(date(2026, 4, 14), "07:30"))
    reminders = await walk.sim.tick()
    reminders = [m for m in reminders if m.chat_id in ("canbo", "canbo_b")]
    assert len(reminders) == 2
    assert all(m.options == [] for m in reminders)
    assert reminders[0].text.endswith(
        "Để báo cáo, gõ /baocao I.2. Để được nhắc lại sau 1 hoặc 3 ngày làm việc, gõ /nhaclai 1 hoặc /nhaclai 3."
    )
    out = await walk.say(at(date(2026, 4, 14), "08:00"), "canbo", "/nhaclai 3", platform="zalo")
    assert out[0].text == "Đã hẹn: tôi sẽ nhắc lại nhiệm vụ I.2 vào thứ Sáu 17/04/2026."
    out = await walk.say(at(date(2026, 4, 14), "08:01"), "canbo", "/baocao I.2", platform="zalo")
    assert "I.2" in out[0].text and "1. Chưa triển khai" in out[0].text
