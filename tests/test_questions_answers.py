"""Leaders' questions answered end to end: typed into the real core (as
`python -m bot simulate` does), on a platform with buttons (console) and a
text-only one (Zalo), against a plan with known statuses at a fixed clock
(tests/question_fixture.py). Every answer is checked for the tasks it lists,
in order, and the count it gives."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.cli import App
from bot.simulate import Simulator
from bot.wiring import build_core
from domain.clock import FixedClock
from storage.models import DialogState, StatusUpdate
from tests.conftest import VN, add_identity
from tests.question_fixture import add_identities, load_question_plan

START = datetime(2026, 4, 15, 9, 0, tzinfo=VN)
LISTED = re.compile(r"^• ([IVX]+\.\d+) — ", re.M)
HEADLINE = re.compile(r"^(?:Có (\d+) nhiệm vụ|Không có nhiệm vụ nào)", re.M)
HCQT_LEADER = "truongphong"  # Phạm Quốc Bảo, leader of Phòng Hành chính – Quản trị (Telegram 100002 in the sample)
PVHCC_LEADER = "giamdoc"  # Đỗ Văn Khải, leader of Trung tâm Phục vụ Hành chính công (Telegram 100008)


class Chat:
    def __init__(self, app, platform: str):
        self.platform = platform
        clock = FixedClock(START)
        self.sim = Simulator(build_core(App(app.settings, app.sessions, clock)), clock, VN)

    async def say(self, user: str, text: str, **extra):
        return await self.sim.step({"platform": self.platform, "user": user, "text": text, **extra})

    async def choose(self, user: str, label: str):
        return await self.sim.step({"platform": self.platform, "user": user, "choose": label})


@pytest.fixture(params=["console", "zalo"])
async def chat(request, org_app, tmp_path):
    await load_question_plan(org_app, tmp_path)
    await add_identities(org_app, request.param, "100002", HCQT_LEADER)
    await add_identities(org_app, request.param, "100008", PVHCC_LEADER)
    if request.param == "zalo":
        for user in ("canbo", "lanhdao", "quantri"):
            await add_identity(org_app.sessions, "zalo", user, like=user)
    return Chat(org_app, request.param)


def listed(text: str) -> tuple[list[str], int | None]:
    """The codes an answer lists and the count in its headline."""
    m = HEADLINE.search(text)
    total = None if m is None else int(m.group(1) or 0)
    return LISTED.findall(text), total


OVERDUE = ["I.3", "II.1"]
HCQT_OPEN = ["I.3", "III.3", "III.4", "II.2", "IV.2", "V.1", "IV.1"]
PVHCC_OPEN = ["II.1", "III.2", "II.2", "III.6", "II.3"]
TTTH_OPEN = ["II.2", "VII.3", "I.1"]
AREA_III_OPEN = ["III.2", "III.3", "III.4", "III.6"]
DONE = ["III.1", "V.2", "I.2", "VII.1", "I.4", "III.5", "VII.4"]
NOT_STARTED_PAGE_1 = ["III.3", "VI.2", "II.2", "VII.3", "II.4", "III.6", "IV.2", "V.1"]

# (who asks, the question, the tasks listed on the first page in order, the count given)
LISTS = [
    ("lanhdao", "nhiệm vụ nào quá hạn?", OVERDUE, 2),
    ("lanhdao", "nhiem vu nao qua han", OVERDUE, 2),
    ("lanhdao", "Việc nào bị trễ hạn vậy?", OVERDUE, 2),
    ("lanhdao", "có bao nhiêu việc quá hạn", OVERDUE, 2),
    ("lanhdao", "qua hna", OVERDUE, 2),  # a typo
    ("lanhdao", "/quahan", OVERDUE, 2),
    ("quantri", "nhiệm vụ quá hạn", OVERDUE, 2),
    ("lanhdao", "phòng HCQT có việc nào quá hạn không?", ["I.3"], 1),
    ("lanhdao", "/quahan TT PVHCC", ["II.1"], 1),
    ("lanhdao", "phòng HCQT còn việc gì chưa xong?", HCQT_OPEN, 7),
    ("lanhdao", "hcqt con viec gi chua xong", HCQT_OPEN, 7),
    ("lanhdao", "phong hanh chanh quan tri con nhung viec nao", HCQT_OPEN, 7),
    ("lanhdao", "TT PVHCC còn việc gì", PVHCC_OPEN, 5),
    ("lanhdao", "trung tâm hành chính công còn mấy việc chưa xong", PVHCC_OPEN, 5),
    ("lanhdao", "trung tâm tin học có việc nào quá hạn", [], 0),
    ("lanhdao", "bên tin học còn mấy việc", TTTH_OPEN, 3),
    ("lanhdao", "lĩnh vực III còn mấy việc chưa xong", AREA_III_OPEN, 4),
    ("lanhdao", "lv3 con bao nhieu viec", AREA_III_OPEN, 4),
    ("lanhdao", "thủ tục hành chính còn việc gì", AREA_III_OPEN, 4),
    ("lanhdao", "việc nào của lĩnh vực II đang thực hiện", [], 0),
    ("lanhdao", "thể chế có mấy nhiệm vụ", ["II.1", "II.2", "II.4", "II.3"], 4),
    ("lanhdao", "việc nào sắp đến hạn", ["III.2", "III.3"], 2),
    ("lanhdao", "đến hạn tuần này", ["III.2"], 1),
    ("lanhdao", "việc nào đến hạn tháng này", ["III.2", "III.3"], 2),
    ("lanhdao", "trong 10 ngày tới có việc gì đến hạn", ["III.2"], 1),
    ("lanhdao", "tháng 5 có bao nhiêu nhiệm vụ", ["III.4", "VI.2"], 2),
    ("lanhdao", "quý 2 có những việc gì phải làm", ["III.2", "III.3", "III.4", "VI.2", "II.2", "VII.3"], 6),
    ("lanhdao", "trước ngày 30/6 phải xong những việc gì",
     ["I.3", "II.1", "III.2", "III.3", "III.4", "VI.2", "II.2", "VII.3"], 8),
    ("lanhdao", "đã hoàn thành bao nhiêu việc", DONE, 7),
    ("lanhdao", "việc nào hoàn thành đúng hạn", ["III.1", "I.2", "III.5"], 3),
    ("lanhdao", "hoàn thành quá hạn có mấy việc", ["V.2", "VII.1", "I.4"], 3),
    ("lanhdao", "việc quá hạn đã hoàn thành", ["V.2", "VII.1", "I.4"], 3),
    # Done within a window: when it became done, not its deadline (VII.1 done in March, reopened, done again 06/04).
    ("lanhdao", "tháng này hoàn thành được mấy việc", ["VII.1", "I.4", "III.5", "VII.4"], 4),
    ("lanhdao", "tháng 3 hoàn thành những việc gì", ["I.2"], 1),
    ("lanhdao", "quý 1 có việc nào hoàn thành quá hạn", ["V.2"], 1),
    ("lanhdao", "tuần này đã hoàn thành những việc gì", [], 0),
    ("lanhdao", "những việc có hạn quý 1 đã hoàn thành", ["I.2", "VII.1"], 2),
    ("lanhdao", "đang thực hiện trong hạn có bao nhiêu", None, 13),
    ("lanhdao", "những việc đang thực hiện", ["I.3", "III.2", "III.4", "VI.1", "I.1", "IV.1"], 6),
    ("lanhdao", "việc nào chưa triển khai", NOT_STARTED_PAGE_1, 9),
    ("lanhdao", "việc nào đang vướng mắc?", ["II.1", "VII.2"], 2),
    ("lanhdao", "có khó khăn gì không", ["II.1", "VII.2"], 2),
    ("lanhdao", "Phòng QTTV có vướng mắc gì không?", [], 0),
    ("lanhdao", "những nhiệm vụ thường xuyên", ["I.1", "II.3", "VII.4"], 3),
    ("lanhdao", "/tim rà soát", ["II.1", "III.6", "IV.2"], 3),
    ("lanhdao", "nhiệm vụ nào có chữ ra soat", ["II.1", "III.6", "IV.2"], 3),
    # Officers and unit leaders ask within what they see.
    ("canbo", "việc nào quá hạn", ["I.3"], 1),
    ("canbo", "còn mấy việc chưa xong", HCQT_OPEN, 7),
    (HCQT_LEADER, "nhiệm vụ nào quá hạn?", ["I.3"], 1),
    (HCQT_LEADER, "phòng quản trị còn việc gì", HCQT_OPEN, 7),  # the only one of the two it sees
    (PVHCC_LEADER, "có vướng mắc gì không", ["II.1"], 1),
]


async def test_every_list_names_its_tasks_in_order_and_counts_them(chat):
    wrong = []
    for user, question, codes, total in LISTS:
        [message] = await chat.say(user, question)
        got_codes, got_total = listed(message.text)
        if got_total != total or (codes is not None and got_codes != codes):
            wrong.append(f"{question!r} ({user}): {got_codes} / {got_total}, expected {codes} / {total}\n{message.text}")
    print(f"\nend-to-end lists on {chat.platform}: {len(LISTS) - len(wrong)}/{len(LISTS)} right")
    assert not wrong, "\n\n".join(wrong)


def progress_lines(text: str) -> dict[str, str]:
    return dict(re.findall(r"^• (.+?): (\d+/\d+ \(.+?\))$", text, re.M))


# (question, heading, four-way counts, other lines)
PROGRESS = [
    ("tiến độ kế hoạch thế nào", "Tiến độ toàn kế hoạch (tính đến 15/04/2026):",
     ["03/21 (14,29%)", "03/21 (14,29%)", "13/21 (61,9%)", "02/21 (9,52%)"],
     ["Tổng số 24 nhiệm vụ: 21 nhiệm vụ theo dõi thời hạn, 03 nhiệm vụ thường xuyên.",
      "Đã hoàn thành: 06/21 nhiệm vụ (đạt 28,57%).", "Gặp vướng mắc: 02 nhiệm vụ."]),
    ("/tiendo", "Tiến độ toàn kế hoạch (tính đến 15/04/2026):",
     ["03/21 (14,29%)", "03/21 (14,29%)", "13/21 (61,9%)", "02/21 (9,52%)"], []),
    ("tiến độ phòng HCQT", "Tiến độ các nhiệm vụ của Phòng Hành chính – Quản trị (tính đến 15/04/2026):",
     ["01/10 (10%)", "02/10 (20%)", "06/10 (60%)", "01/10 (10%)"], ["Tổng số 10 nhiệm vụ."]),
    ("lĩnh vực III thế nào", "Tiến độ lĩnh vực III – Cải cách thủ tục hành chính (tính đến 15/04/2026):",
     ["02/06 (33,33%)", "00/06 (0%)", "04/06 (66,67%)", "00/06 (0%)"], []),
    ("/tiendo lĩnh vực VII", "Tiến độ lĩnh vực VII – Hiện đại hóa nền hành chính (tính đến 15/04/2026):",
     ["00/03 (0%)", "01/03 (33,33%)", "02/03 (66,67%)", "00/03 (0%)"],
     ["Nhiệm vụ thường xuyên: 01, tính riêng.", "Gặp vướng mắc: 01 nhiệm vụ."]),
    ("kết quả thực hiện quý 1", "Tiến độ toàn kế hoạch, nhiệm vụ có hạn từ 01/01/2026 đến 31/03/2026 (tính đến 15/04/2026):",
     ["01/04 (25%)", "01/04 (25%)", "00/04 (0%)", "02/04 (50%)"], []),
    ("ti le hoan thanh cua tt pvhcc", "Tiến độ các nhiệm vụ của Trung tâm Phục vụ Hành chính công (tính đến 15/04/2026):",
     ["01/05 (20%)", "00/05 (0%)", "03/05 (60%)", "01/05 (20%)"], []),
]


@pytest.mark.parametrize(("question", "heading", "four_way", "lines"), PROGRESS, ids=[p[0] for p in PROGRESS])
async def test_progress_is_counted_four_ways(chat, question, heading, four_way, lines):
    [message] = await chat.say("lanhdao", question)
    text = message.text
    assert text.splitlines()[0] == heading
    assert progress_lines(text) == dict(zip(
        ["Hoàn thành trong hạn", "Hoàn thành quá hạn", "Đang thực hiện, trong hạn", "Quá hạn"], four_way
    ))
    for line in lines:
        assert line in text.splitlines()


async def test_a_unit_leader_sees_the_progress_of_their_unit(chat):
    [message] = await chat.say(HCQT_LEADER, "tiến độ thế nào")
    assert message.text.startswith("Tiến độ các nhiệm vụ của Phòng Hành chính – Quản trị")
    assert "Hoàn thành quá hạn: 02/10 (20%)" in message.text


# (question, first lines of the answer, lines somewhere in it)
DETAILS = [
    ("III.2 đến đâu rồi", ["III.2 — Số hóa hồ sơ TTHC", "Lĩnh vực III – Cải cách thủ tục hành chính",
                           "Chủ trì: Trung tâm Phục vụ Hành chính công; phối hợp: Phòng Hành chính – Quản trị",
                           "Thời hạn: 17/04/2026 (trước ngày 17/04/2026)", "Trạng thái: Đang thực hiện 60%"],
     ["• 09:00 10/04/2026: Đang thực hiện 60% — Ngô Thị Kim Oanh"]),
    ("VII.1 thế nào?", ["VII.1 — Xây dựng Kế hoạch chuyển đổi số năm 2026"],
     ["Trạng thái: Hoàn thành quá hạn", "• 09:00 06/04/2026: Hoàn thành — Đặng Minh Tuấn",
      "  Ghi chú: Bổ sung theo góp ý của Sở", "• 09:00 01/02/2026: Đang thực hiện 40% — Đặng Minh Tuấn"]),
    ("ii.1 the nao", ["II.1 — Rà soát văn bản quy phạm pháp luật"],
     ["Trạng thái: Gặp vướng mắc · quá hạn", "  Vướng mắc: Chưa có hướng dẫn của Sở Nội vụ"]),
    ("hoạt động 2 lĩnh vực I ra sao", ["I.2 — Ban hành Kế hoạch CCHC năm 2026"], ["Trạng thái: Hoàn thành"]),
    ("việc tập huấn thế nào", ["III.5 — Tập huấn nghiệp vụ kiểm soát TTHC"], ["Trạng thái: Hoàn thành"]),
    ("/tim chuyển đổi số", ["VII.1 — Xây dựng Kế hoạch chuyển đổi số năm 2026"], []),
    ("/tim khao sat su hai long", ["III.4 — Khảo sát sự hài lòng của người dân"], []),
    ("IV.2", ["IV.2 — Rà soát vị trí việc làm"], ["Chưa có báo cáo nào."]),
]


@pytest.mark.parametrize(("question", "first", "lines"), DETAILS, ids=[d[0] for d in DETAILS])
async def test_a_task_is_shown_with_its_history(chat, question, first, lines):
    [message] = await chat.say("lanhdao", question)
    text = message.text.splitlines()
    assert text[: len(first)] == first
    for line in lines:
        assert line in text


async def test_a_long_history_shows_the_last_reports_and_points_to_the_full_one(chat, org_app):
    for _ in range(2):
        await chat.say("canbo", "III.4 đang thực hiện 30%")
        await chat.say("canbo", "III.4 đang thực hiện 40%")
    [message] = await chat.say("lanhdao", "III.4 thế nào")
    assert "Báo cáo gần nhất (5/5" not in message.text
    assert "Báo cáo gần nhất:" in message.text
    await chat.say("canbo", "III.4 đang thực hiện 50%")
    [message] = await chat.say("lanhdao", "III.4 thế nào")
    assert "Báo cáo gần nhất (5/6, xem đủ: /lichsu III.4):" in message.text
    assert message.text.count("\n• ") == 5


# (who asks, question, the answer's lines)
SILENT = [
    ("lanhdao", "đơn vị nào chưa báo cáo",
     ["02/06 đơn vị chưa báo cáo quý II năm 2026 (từ 01/04/2026 đến 30/06/2026):",
      "• Phòng Kinh tế — 01 nhiệm vụ chưa hoàn thành", "• Phòng Quản trị - Tài vụ — 01 nhiệm vụ chưa hoàn thành"]),
    ("lanhdao", "ai chưa báo cáo quý 1",
     ["02/06 đơn vị chưa báo cáo quý I năm 2026 (từ 01/01/2026 đến 31/03/2026):",
      "• Ban Chỉ đạo ISO — 01 nhiệm vụ chưa hoàn thành", "• Phòng Kinh tế — 01 nhiệm vụ chưa hoàn thành"]),
    ("lanhdao", "phòng kinh tế đã báo cáo chưa",
     ["Phòng Kinh tế chưa báo cáo quý II năm 2026 (từ 01/04/2026 đến 30/06/2026): "
      "còn 01 nhiệm vụ chủ trì chưa hoàn thành."]),
    ("lanhdao", "HCQT đã báo cáo chưa?",
     ["Phòng Hành chính – Quản trị đã báo cáo quý II năm 2026 (từ 01/04/2026 đến 30/06/2026)."]),
    (HCQT_LEADER, "đơn vị nào chưa cập nhật",
     ["Cả 01 đơn vị còn nhiệm vụ chưa hoàn thành đã báo cáo quý II năm 2026 (từ 01/04/2026 đến 30/06/2026)."]),
]


@pytest.mark.parametrize(("user", "question", "lines"), SILENT, ids=[s[1] for s in SILENT])
async def test_who_has_not_reported_this_period(chat, user, question, lines):
    [message] = await chat.say(user, question)
    assert message.text.splitlines() == lines


async def test_long_lists_are_paged(chat, org_app):
    [first] = await chat.say("lanhdao", "việc nào chưa triển khai")
    assert listed(first.text) == (NOT_STARTED_PAGE_1, 9)
    assert "Trang 1/2." in first.text
    assert [o.label for o in first.options] == ["Xem thêm"]
    if chat.platform == "zalo":
        assert first.text.endswith("1. Xem thêm\n(Trả lời bằng số thứ tự hoặc tên lựa chọn.)")
    [second] = await chat.choose("lanhdao", "Xem thêm")
    assert listed(second.text) == (["II.3"], 9)
    assert "Trang 2/2." in second.text and second.options == []
    async with org_app.sessions() as session:  # the last page closes the conversation
        assert await session.scalar(select(func.count()).select_from(DialogState)) == 0


async def test_a_new_question_while_a_next_page_is_offered_is_answered(chat, org_app):
    await chat.say("lanhdao", "việc nào chưa triển khai")
    [message] = await chat.say("lanhdao", "nhiệm vụ nào quá hạn?")
    assert listed(message.text) == (OVERDUE, 2)
    [message] = await chat.say("lanhdao", "60")  # not a question: the help
    assert message.text.startswith("Tôi chưa hiểu ý bạn.")
    async with org_app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DialogState)) == 0


async def test_an_officer_can_report_while_a_next_page_is_offered(chat, org_app):
    await chat.say("canbo", "/tim rà soát")  # two tasks of the unit: one page
    await chat.say("lanhdao", "việc nào chưa triển khai")
    [message] = await chat.say("canbo", "III.3 đang thực hiện 40%")
    assert message.text.startswith("Đã ghi báo cáo")


async def test_an_ambiguous_unit_is_asked_back_with_short_option_data(chat):
    [message] = await chat.say("lanhdao", "phòng quản trị còn việc gì")
    assert message.text.startswith("«phòng quản trị» khớp với 2 đơn vị. Bạn hỏi về đơn vị nào?")
    assert [o.label for o in message.options] == ["Phòng Hành chính – Quản trị", "Phòng Quản trị - Tài vụ"]
    assert all(re.fullmatch(r"u:\d+", o.data) and len(o.data.encode()) < 64 for o in message.options)
    [answer] = await chat.choose("lanhdao", "Tài vụ")
    assert listed(answer.text) == (["II.2", "VI.1"], 2)
    assert "của Phòng Quản trị - Tài vụ" in answer.text


async def test_an_ambiguous_unit_then_a_long_list(chat):
    await chat.say("lanhdao", "phòng quản trị có những việc gì")
    [answer] = await chat.choose("lanhdao", "Hành chính")
    assert listed(answer.text) == (["V.2", "I.2", "I.3", "I.4", "III.3", "III.4", "II.2", "IV.2"], 10)
    [answer] = await chat.choose("lanhdao", "Xem thêm")
    assert listed(answer.text) == (["V.1", "IV.1"], 10)


async def test_a_unit_out_of_sight_is_refused_politely(chat):
    expected = ("Xin lỗi, Trung tâm Phục vụ Hành chính công nằm ngoài phạm vi bạn được xem nên tôi không trả "
                "lời được câu hỏi này.")
    for user in ("canbo", HCQT_LEADER):
        [message] = await chat.say(user, "TT PVHCC còn việc gì")
        assert message.text == expected
    [message] = await chat.say("canbo", "VII.2 thế nào")
    assert message.text == "Nhiệm vụ VII.2 nằm ngoài phạm vi bạn được xem."
    [message] = await chat.say("canbo", "III.2 thế nào")  # the unit coordinates it
    assert message.text.startswith("III.2 — Số hóa hồ sơ TTHC")


async def test_an_unknown_question_gets_examples_and_chatter_gets_the_help(chat):
    [message] = await chat.say("lanhdao", "cái gì vậy?")
    assert message.text.startswith("Tôi chưa hiểu câu hỏi. Bạn có thể hỏi, ví dụ:")
    assert "• Phòng HCQT còn việc gì chưa xong?" in message.text
    for chatter in ("60", "xin chào", "Hoàn thành", "Quản trị", "trung tam tin hoc va cong bao"):
        [message] = await chat.say("canbo", chatter)
        assert message.text.startswith("Tôi chưa hiểu ý bạn.\nBạn có thể dùng:"), chatter


async def test_commands_with_what_they_cannot_use(chat):
    [message] = await chat.say("lanhdao", "/tiendo phòng không có")
    assert message.text.startswith("Không tìm thấy đơn vị hay lĩnh vực «phòng không có».")
    [message] = await chat.say("lanhdao", "/tim")
    assert message.text == "Gõ /tim kèm từ khóa trong nội dung nhiệm vụ, ví dụ: /tim tập huấn"
    [message] = await chat.say("lanhdao", "/tim xyzabc")
    assert message.text.splitlines() == [
        "Không có nhiệm vụ nào có «xyzabc» (tính đến 15/04/2026).",
        "Hãy thử từ khóa khác, hoặc hỏi chẳng hạn: «nhiệm vụ nào quá hạn?», «tiến độ thế nào?».",
    ]


async def test_officers_one_line_reports_are_still_reports(chat, org_app):
    [message] = await chat.say("canbo", "III.3 đang thực hiện 40%")
    assert message.text.startswith("Đã ghi báo cáo")
    async with org_app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StatusUpdate)) == 19


async def test_a_question_about_a_task_is_not_recorded_as_a_report(chat, org_app):
    [message] = await chat.say("lanhdao", "III.2 hoàn thành chưa?")
    assert message.text.startswith("III.2 — Số hóa hồ sơ TTHC")
    async with org_app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StatusUpdate)) == 18


async def test_a_question_a_day_after_a_long_list_is_answered(chat):
    await chat.say("lanhdao", "việc nào chưa triển khai")  # offers "Xem thêm"
    chat.sim.clock.set(START + timedelta(hours=25))
    [message] = await chat.say("lanhdao", "nhiệm vụ nào quá hạn?")
    assert message.text.startswith("Có 02 nhiệm vụ quá hạn")


async def test_the_period_follows_the_decree_09_setting(org_app, tmp_path):
    await load_question_plan(org_app, tmp_path)
    settings = org_app.settings.model_copy(update={"period_mode": "decree09"})
    chat = Chat(App(settings, org_app.sessions, org_app.clock), "console")
    [message] = await chat.say("lanhdao", "đơn vị nào chưa báo cáo kỳ này")
    assert message.text.splitlines() == [
        "02/06 đơn vị chưa báo cáo quý II năm 2026 (từ 15/03/2026 đến 14/06/2026):",
        "• Phòng Kinh tế — 01 nhiệm vụ chưa hoàn thành",
        "• Phòng Quản trị - Tài vụ — 01 nhiệm vụ chưa hoàn thành",
    ]
