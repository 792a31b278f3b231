"""The scheduler over a whole quarter (Q2/2026) with a fake clock: exactly
which messages go out when. Ticks at 06:00, 07:30, 08:00, 12:00, 16:00,
17:45 and 22:00 of every day; officers answer in between. Then the same
quarter with two schedulers ticking one database at once, and a scheduler
that was down for two weeks."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from storage.db import create_engine, session_factory
from storage.models import OutboxMessage, ScheduleClaim
from tests.conftest import VN
from tests.schedule_fixture import load_fixture
from tests.schedule_walk import Walk, at

Q2 = (date(2026, 4, 1), date(2026, 6, 30))

ACTIONS = {
    (date(2026, 4, 9), "09:00"): [("canbo", "I.2 đang thực hiện 50%", {})],
    (date(2026, 4, 17), "10:00"): [("canbo", "I.2 hoàn thành, Kế hoạch số 12/KH-VP ngày 16/04/2026", {})],
    (date(2026, 4, 24), "09:00"): [("canbo2", "", {"choose": "Nhắc lại sau 3 ngày"})],
    (date(2026, 5, 7), "09:00"): [("canbo2", "/nghiphep 15/05/2026", {})],
    (date(2026, 5, 19), "09:00"): [("canbo2", "III.1 hoàn thành, Quyết định số 5/QĐ-TTPV", {})],
}

# Group -100 follows the whole plan (Friday 16:00, the default); group -200
# follows TTPV on Mondays at 08:00. Reminders go at the first tick of the
# working hours (07:30).
EXPECTED = """
03/04 16:00 -100 digest
06/04 08:00 -200 digest
08/04 07:30 canbo remind:I.2
08/04 07:30 canbo_b remind:I.2
10/04 16:00 -100 digest
13/04 08:00 -200 digest
14/04 07:30 canbo remind:I.2
14/04 07:30 canbo_b remind:I.2
15/04 07:30 canbo remind:I.2
15/04 07:30 canbo_b remind:I.2
16/04 07:30 canbo remind:I.2
16/04 07:30 canbo_b remind:I.2
16/04 07:30 ld_hcqt escalate:I.2
17/04 16:00 -100 digest
20/04 08:00 -200 digest
24/04 07:30 canbo2 remind:III.1
24/04 16:00 -100 digest
29/04 16:00 -100 digest
04/05 07:30 canbo2 remind:III.1
04/05 08:00 -200 digest
05/05 07:30 canbo2 remind:III.1
06/05 07:30 ld_ttpv escalate:III.1
08/05 07:30 ld_ttpv remind:III.1
08/05 16:00 -100 digest
11/05 08:00 -200 digest
13/05 07:30 ld_ttpv remind:III.1
15/05 16:00 -100 digest
18/05 07:30 canbo2 remind:III.1
18/05 08:00 -200 digest
22/05 07:30 canbo3 remind:III.2
22/05 16:00 -100 digest
25/05 08:00 -200 digest
28/05 07:30 canbo3 remind:III.2
29/05 07:30 canbo3 remind:III.2
29/05 07:30 lanhdao escalate:III.2
29/05 16:00 -100 digest
01/06 07:30 canbo3 remind:III.2
01/06 08:00 -200 digest
04/06 07:30 canbo3 remind:III.2
05/06 16:00 -100 digest
08/06 08:00 -200 digest
09/06 07:30 canbo3 remind:III.2
12/06 07:30 canbo3 remind:III.2
12/06 16:00 -100 digest
15/06 08:00 -200 digest
17/06 07:30 canbo3 remind:III.2
19/06 16:00 -100 digest
22/06 07:30 canbo3 remind:III.2
22/06 08:00 -200 digest
23/06 07:30 canbo remind:V.1 report:I.1
23/06 07:30 canbo2 report:V.2
23/06 07:30 canbo3 report:III.2
23/06 07:30 canbo_b remind:V.1 report:I.1
25/06 07:30 canbo3 remind:III.2
26/06 16:00 -100 digest
29/06 07:30 canbo remind:V.1 report:I.1
29/06 07:30 canbo2 report:V.2
29/06 07:30 canbo3 report:III.2
29/06 07:30 canbo_b remind:V.1 report:I.1
29/06 08:00 -200 digest
30/06 07:30 canbo remind:V.1
30/06 07:30 canbo3 remind:III.2
30/06 07:30 canbo_b remind:V.1
30/06 07:30 ld_hcqt escalate:I.1,V.1
30/06 07:30 ld_ttpv escalate:V.2
""".strip().splitlines()
# Why, line by line:
# I.2 (due Wed 15/04): 7 days before, 1 day before, on the day, overdue on 16/04. The report of 09/04
#   answered the first; 14/04 and 15/04 went unanswered, so the HCQT leader hears on 16/04. Done on 17/04.
# III.1 (due Mon 04/05): 7 days before is 27/04, a holiday, so Friday 24/04. The officer snoozes 3 working
#   days (28/04, 29/04, 04/05): no reminder on 29/04 (1 day before), one on 04/05 (due day and snooze end
#   in one line), overdue 05/05; unanswered twice, so the TTPV leader hears on 06/05. On leave 07/05–15/05:
#   the overdue reminders of 08/05 and 13/05 go to the leader instead (no other officer); 18/05 back to her.
# III.2 (due Fri 29/05, QTTV has no leader): 22/05, 28/05, then the organisation's leader on 29/05; then
#   overdue every 3 working days to the end of the quarter, no second escalation for the same silence.
# Quarter report (30/06): 23/06 and 29/06 to every unit with open tasks not reported since 01/04, merged
#   with the task reminders of the same morning (V.1 is listed once); unanswered, the leaders hear on 30/06.
# The TTPV group's Monday digest of 27/04 (a holiday, no working day before it that week) is skipped;
#   the plan group's Friday 01/05 digest moves to Wednesday 29/04 (30/04 is a holiday too).


async def outbox(app) -> list[OutboxMessage]:
    async with app.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_quarter_of_reminders_escalations_and_digests(app, tmp_path):
    await load_fixture(app, tmp_path)
    walk = Walk(app, at(Q2[0], "00:00"))
    await walk.days(*Q2, ACTIONS)
    assert walk.log == EXPECTED
    times = {line[6:11] for line in walk.log}
    assert times <= {"07:30", "08:00", "16:00"}  # nothing at night, nothing before 07:30
    holidays_and_weekends = {"27/04", "30/04", "01/05", "02/05", "03/05", "25/04", "26/04", "13/06", "14/06"}
    assert not {line[:5] for line in walk.log} & holidays_and_weekends
    rows = await outbox(app)
    assert len(rows) == len(EXPECTED) and {r.status for r in rows} == {"sent"}  # console: printed, no courier
    replies = "\n".join(walk.replies)
    assert "Đã hẹn: tôi sẽ nhắc lại nhiệm vụ III.1 vào thứ Hai 04/05/2026." in replies
    assert "bạn nghỉ từ 07/05/2026 đến hết 15/05/2026" in replies


async def test_the_messages_say_what_and_offer_the_report(app, tmp_path):
    await load_fixture(app, tmp_path)
    walk = Walk(app, at(Q2[0], "00:00"))
    await walk.days(date(2026, 4, 6), date(2026, 4, 17), {k: v for k, v in ACTIONS.items() if k[0] < date(2026, 4, 18)})
    by = {(r.chat_id, r.created_at.astimezone(VN).strftime("%d/%m")): r for r in await outbox(app)}
    reminder = by[("canbo", "14/04")]
    assert reminder.text == (
        "🔔 Nhắc việc\n"
        "• I.2 — Ban hành Kế hoạch kiểm tra công tác CCHC: hạn ngày mai, 15/04/2026.\n"
        "Chọn nhiệm vụ bên dưới để báo cáo tiến độ, hoặc «Nhắc lại sau» nếu chưa thể báo cáo."
    )
    assert reminder.options == [["Báo cáo I.2", "r:I.2"], ["Nhắc lại sau 1 ngày", "snz:1:I.2"],
                                ["Nhắc lại sau 3 ngày", "snz:3:I.2"]]
    assert by[("canbo", "16/04")].text.splitlines()[1].endswith("đã quá hạn 1 ngày (hạn 15/04/2026).")
    assert by[("ld_hcqt", "16/04")].text == (
        "⚠ Chưa có phản hồi sau nhiều lần nhắc\n"
        "• I.2 — Ban hành Kế hoạch kiểm tra công tác CCHC (Phòng Hành chính – Quản trị, hạn 15/04/2026, "
        "đã quá hạn 1 ngày): đã nhắc Lê Thị Mai Anh, Trần Văn Bình 2 lần (14/04, 15/04), chưa có báo cáo."
    )
    digest = by[("-100", "17/04")]
    assert digest.text == (
        "📊 Bản tin tiến độ CCHC — toàn kế hoạch\n"
        "Tuần 10/04/2026 – 17/04/2026\n"
        "\n"
        "Nhiệm vụ có thời hạn: 05, đã hoàn thành 01 (20%)\n"
        "• Hoàn thành trong hạn: 00\n"
        "• Hoàn thành quá hạn: 01\n"
        "• Đang thực hiện, trong hạn: 04\n"
        "• Quá hạn: 00\n"
        "Nhiệm vụ thường xuyên: 01\n"
        "\n"
        "Trong tuần:\n"
        "✅ Hoàn thành: I.2 Ban hành Kế hoạch kiểm tra công tác CCHC (Lê Thị Mai Anh)\n"
        "\n"
        "Chưa báo cáo quý II/2026: Phòng Hành chính – Quản trị (Lê Thị Mai Anh, Trần Văn Bình): 02/02 nhiệm vụ; "
        "Trung tâm Phục vụ Hành chính công (Ngô Thị Kim Oanh): 02/02 nhiệm vụ; "
        "Phòng Quản trị - Tài vụ (Hoàng Thị Ngọc Lan): 01/01 nhiệm vụ\n"
        "\n"
        "Chi tiết: /tiendo"
    )
    [chart] = digest.files
    assert chart.endswith(".png") and open(chart, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    # The option of a reminder opens the report form for its task.
    await walk.say(at(date(2026, 4, 17), "11:00"), "canbo_b", choose="Báo cáo I.2")
    assert "I.2" in walk.replies[-1] and "Tình trạng thực hiện" in walk.replies[-1]


async def test_two_schedulers_ticking_one_database_send_everything_once(app, engine, tmp_path):
    await load_fixture(app, tmp_path)
    other_engine = create_engine(str(engine.url)) if engine.url.get_backend_name() == "sqlite" else None
    others = [session_factory(other_engine or engine)]
    try:
        walk = Walk(app, at(Q2[0], "00:00"), sessions=others)
        await walk.days(*Q2, ACTIONS)
    finally:
        if other_engine is not None:
            await other_engine.dispose()
    assert walk.log == EXPECTED
    async with app.sessions() as session:
        claims = await session.scalar(select(func.count()).select_from(ScheduleClaim))
        keys = await session.scalar(select(func.count(func.distinct(ScheduleClaim.key))))
    assert claims == keys
    assert len(await outbox(app)) == len(EXPECTED)


async def test_a_scheduler_down_for_two_weeks_sends_what_still_matters_once(app, tmp_path, caplog):
    await load_fixture(app, tmp_path)
    walk = Walk(app, at(Q2[0], "00:00"))
    await walk.days(date(2026, 4, 1), date(2026, 4, 13))
    await walk.tick(at(date(2026, 4, 14), "07:30"))
    assert walk.log[-2:] == ["14/04 07:30 canbo remind:I.2", "14/04 07:30 canbo_b remind:I.2"]
    # Down from 14/04 08:00 until Tuesday 28/04 12:00 (nobody reported anything meanwhile).
    import logging

    with caplog.at_level(logging.INFO, logger="services.scheduler"):
        lines = await walk.tick(at(date(2026, 4, 28), "12:00"))
    assert lines == [
        "28/04 12:00 -100 digest",  # the latest Friday's (24/04), late; 17/04's is skipped
        "28/04 12:00 -200 digest",  # Monday 20/04's: the week of 27/04 has none (holiday)
        "28/04 12:00 canbo remind:I.2",  # overdue, the stage of 24/04 (16/04 and 21/04 skipped)
        "28/04 12:00 canbo2 remind:III.1",  # 7 days before, due 24/04: still true, 6 days left
        "28/04 12:00 canbo_b remind:I.2",
        "28/04 12:00 ld_hcqt escalate:I.2",  # 08/04 and 14/04 went unanswered
    ]
    skipped = [r.getMessage() for r in caplog.records if "not sent" in r.getMessage()]
    assert any("reminder I.2 d of 2026-04-15" in s for s in skipped)
    assert any("reminder I.2 o1 of 2026-04-16" in s for s in skipped)
    assert any("digest of group console:-100 for 2026-W16" in s for s in skipped)
    async with app.sessions() as session:
        text = (await session.scalars(select(OutboxMessage.text).where(OutboxMessage.chat_id == "canbo2"))).one()
    assert "hạn 04/05/2026, còn 6 ngày" in text
    # Restarted again the same day, and again: nothing twice.
    for clock in ("12:01", "16:00", "17:00"):
        assert await walk.tick(at(date(2026, 4, 28), clock)) == []
    assert await walk.tick(at(date(2026, 4, 29), "07:30")) == ["29/04 07:30 canbo2 remind:III.1"]


async def test_decree09_periods_move_the_report_reminders(app, tmp_path):
    app.settings.period_mode = "decree09"
    await load_fixture(app, tmp_path, groups=False)
    walk = Walk(app, at(Q2[0], "00:00"))
    await walk.days(date(2026, 6, 1), date(2026, 6, 15), times=("07:30",))
    reports = [line for line in walk.log if "report:" in line]
    # Quý II under Decree 09 ends on Sunday 14/06: 7 days before is a Sunday too, 1 day before a Saturday.
    assert {line[:5] for line in reports} == {"05/06", "12/06"}
    async with app.sessions() as session:
        texts = (await session.scalars(select(OutboxMessage.text).where(OutboxMessage.chat_id == "canbo2"))).all()
    report = next(text for text in texts if text.startswith("📝"))
    assert report.splitlines()[0] == (
        "📝 Sắp hết kỳ báo cáo quý II/2026 và 6 tháng đầu năm 2026 (số liệu đến hết ngày 14/06/2026)."
    )
