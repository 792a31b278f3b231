"""Permissions and scope (issue 11): what a group is told, who sets a task's
status, and who gets in with an invite code. Each case runs the real core
(the scripted chat or Core.handle) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.cli import App
from bot.simulate import Simulator
from bot.wiring import build_core
from domain.clock import FixedClock
from domain.messages import Inbound
from storage.conversations import create_invite
from storage.models import ChatIdentity, Invite, Person, StatusUpdate, Task, Unit
from tests.conftest import VN

START = datetime(2026, 4, 15, 9, 0, tzinfo=VN)
HCQT = "Phòng Hành chính – Quản trị"


class Chat:
    """The scripted chat of `python -m bot simulate`, with a clock to move."""

    def __init__(self, app, platform: str = "console"):
        self.clock = FixedClock(START)
        self.app = App(app.settings, app.sessions, self.clock)
        self.platform = platform
        self.sim = Simulator(build_core(self.app), self.clock, VN)

    async def say(self, user: str, text: str = "", **extra):
        return await self.sim.step({"platform": self.platform, "user": user, "text": text, **extra})

    async def choose(self, user: str, label: str, **extra):
        return await self.say(user, choose=label, **extra)


@pytest.fixture
def chat(org_app):
    return Chat(org_app)


# --- invites ------------------------------------------------------------------------------------


async def _new_invite(app, uses=1, expires_at=None) -> str:
    async with app.sessions() as session, session.begin():
        invite = await create_invite(
            session, unit_id=await session.scalar(select(Unit.id).where(Unit.name == HCQT)), role="admin",
            uses=uses, expires_at=expires_at, created_by=None, now=START,
        )
        return invite.code


async def test_two_people_redeeming_one_single_use_code_at_once_let_one_in(org_app):
    core = build_core(org_app)

    def start(user: str, code: str) -> Inbound:
        return Inbound("telegram", user, user, START, text=f"/start {code}", display_name=user)

    for round_ in range(10):
        code = await _new_invite(org_app)
        first, second = f"9{round_}01", f"9{round_}02"
        replies = await asyncio.gather(core.handle(start(first, code)), core.handle(start(second, code)))
        welcomed = [r for r in replies if "Xin chào" in r[0].text]
        refused = [r for r in replies if "Mã mời không đúng" in r[0].text]
        assert (len(welcomed), len(refused)) == (1, 1), (round_, [r[0].text for r in replies])
        async with org_app.sessions() as session:
            joined = await session.scalar(
                select(func.count()).select_from(ChatIdentity).where(ChatIdentity.external_id.in_([first, second]))
            )
            uses_left = await session.scalar(select(Invite.uses_left).where(Invite.code == code))
        assert (joined, uses_left) == (1, 0)


async def test_an_expired_code_lets_nobody_in(chat, org_app):
    code = await _new_invite(org_app, expires_at=START + timedelta(days=7))
    chat.clock.set(START + timedelta(days=7, seconds=1))
    out = await chat.say("late", f"/start {code}")
    assert "Mã mời không đúng" in out[0].text
    chat.clock.set(START + timedelta(days=6))
    out = await chat.say("early", f"/start {code}", name="Người Mới")
    assert "Xin chào Người Mới" in out[0].text


async def test_wrong_codes_are_rate_limited_per_chat_across_processes(chat, org_app):
    code = await _new_invite(org_app, uses=5)
    for attempt in range(5):
        out = await chat.say("guesser", f"/start SAI{attempt}")
        assert "Mã mời không đúng" in out[0].text
    # A second process serving the same bot: the count is in the database.
    other = Chat(org_app)
    other.clock.set(START + timedelta(minutes=10))
    out = await other.say("guesser", f"/start {code}")  # right, but not even checked
    assert out[0].text == "Anh/chị đã nhập sai mã mời quá nhiều lần. Vui lòng thử lại sau 15 phút."
    out = await other.say("honest", "/start SAI")  # another chat is not held up
    assert "Mã mời không đúng" in out[0].text
    async with org_app.sessions() as session:
        assert await session.scalar(select(Invite.uses_left).where(Invite.code == code)) == 5
    other.clock.set(START + timedelta(minutes=15, seconds=1))  # the first wrong codes are 15 minutes old
    out = await other.say("guesser", f"/start {code}", name="Người Kiên Nhẫn")
    assert "Xin chào Người Kiên Nhẫn" in out[0].text


def test_cli_invites_expire_after_7_days_unless_told_otherwise(tmp_path, monkeypatch, capsys):
    import sqlite3
    from contextlib import closing

    from bot.cli import main

    path = tmp_path / "t.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    assert main(["invite", "create", "--role", "lãnh đạo"]) == 0
    assert "hết hạn" in capsys.readouterr().out.splitlines()[1]
    assert main(["invite", "create", "--role", "cán bộ", "--expires", "30"]) == 0
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT role, expires_at, created_at FROM invites ORDER BY id").fetchall()
    spans = {role: datetime.fromisoformat(expires) - datetime.fromisoformat(created) for role, expires, created in rows}
    assert spans == {"leader": timedelta(days=7), "officer": timedelta(days=30)}


# --- who sets a task's status ------------------------------------------------------------------
# I.2 is led by Phòng Hành chính – Quản trị (canbo on the console, 100001 on Telegram) and
# coordinated by "Các phòng, ban, trung tâm": every unit, Phòng Kinh tế (officer 100013) too.

KINH_TE_OFFICER = "100013"


@pytest.fixture
def tg(org_app):
    return Chat(org_app, "telegram")


async def status_of(app, code: str) -> tuple[str, int | None]:
    from storage.tasks import current_plan, task_views

    async with app.sessions() as session:
        [view] = await task_views(session, await current_plan(session), codes=[code])
        return view.status, view.percent


async def entries(app, code: str) -> list[tuple[str, str, str | None, str | None]]:
    async with app.sessions() as session:
        rows = await session.execute(
            select(StatusUpdate.kind, StatusUpdate.status, StatusUpdate.evidence, StatusUpdate.note)
            .join(Task).where(Task.code == code).order_by(StatusUpdate.id)
        )
        return [tuple(row) for row in rows]


async def test_a_coordinating_officer_cannot_close_a_task_with_a_quick_report(tg, org_app):
    out = await tg.say(KINH_TE_OFFICER, "I.2 hoàn thành, KH số 181/KH-VP ngày 23/02/2026")
    assert out[0].text == (
        "Phòng Kinh tế phối hợp thực hiện nhiệm vụ I.2; chỉ đơn vị chủ trì (Phòng Hành chính – Quản trị) "
        "cập nhật trạng thái. Để gửi ý kiến hoặc tài liệu đóng góp, gõ /baocao I.2."
    )
    assert await entries(org_app, "I.2") == []
    assert await status_of(org_app, "I.2") == ("not_started", None)


async def test_a_coordinating_officer_adds_a_contribution_that_does_not_change_the_status(tg, org_app):
    await tg.say("100001", "I.2 đang thực hiện 40%")  # the lead unit's own report
    out = await tg.say(KINH_TE_OFFICER, "/baocao")
    out = await tg.say(KINH_TE_OFFICER, "I.2")  # no status is asked: the evidence comes first
    assert "phối hợp" in out[0].text and "chủ trì" in out[0].text
    assert not any(o.data.startswith("s:") for o in out[0].options)
    out = await tg.choose(KINH_TE_OFFICER, "Bỏ qua")
    assert "Ý kiến đóng góp" in out[0].text
    out = await tg.choose(KINH_TE_OFFICER, "Bỏ qua")
    assert "cần có ý kiến hoặc tài liệu" in out[0].text  # a contribution says something
    out = await tg.say(KINH_TE_OFFICER, "Phòng Kinh tế đã gửi số liệu quý I")
    assert out[0].text.startswith("Kiểm tra lại đóng góp")
    out = await tg.choose(KINH_TE_OFFICER, "Xác nhận")
    mine = [m.text for m in out if m.chat_id == KINH_TE_OFFICER]
    assert mine[0].startswith("Đã ghi đóng góp của Phòng Kinh tế cho nhiệm vụ I.2")
    # The lead unit's officer is told, as a contribution.
    told = {m.chat_id: m.text for m in out if m.chat_id != KINH_TE_OFFICER}
    assert set(told) == {"100001"} and "Đóng góp của Phòng Kinh tế" in told["100001"]
    assert await entries(org_app, "I.2") == [
        ("status", "in_progress", None, None), ("contribution", "in_progress", None, "Phòng Kinh tế đã gửi số liệu quý I"),
    ]
    assert await status_of(org_app, "I.2") == ("in_progress", 40)
    # The history and the task's answer show it as a contribution, the status stays the lead's.
    history = (await tg.say("100001", "/lichsu I.2"))[0].text
    assert "Đóng góp (Phòng Kinh tế) — Võ Thị Thanh Thảo" in history
    detail = (await tg.say("100001", "I.2 đến đâu rồi?"))[0].text
    assert "Trạng thái: Đang thực hiện 40%" in detail and "Đóng góp (Phòng Kinh tế)" in detail


async def test_a_contribution_never_becomes_the_status_anywhere(org_app):
    from domain.periods import make_period
    from services.digest import load_source
    from services.reports import write_md
    from storage.questions import Selection, progress
    from storage.report_data import gather
    from storage.tasks import add_update, current_plan, find_task

    async with org_app.sessions() as session, session.begin():
        plan = await current_plan(session)
        task = await find_task(session, plan, "I.2")
        lead = await session.scalar(select(Person).join(ChatIdentity).where(ChatIdentity.external_id == "canbo"))
        other = await session.scalar(select(Person).join(ChatIdentity).where(ChatIdentity.external_id == KINH_TE_OFFICER))
        await add_update(session, task, status="done", at=START - timedelta(days=2), source="console", reporter=lead,
                         evidence="Kế hoạch số 181/KH-VP ngày 23/02/2026")
        await add_update(session, task, status="in_progress", at=START - timedelta(days=1), source="telegram",
                         reporter=other, note="Đã góp ý dự thảo", kind="contribution")
    assert await status_of(org_app, "I.2") == ("done", 100)
    async with org_app.sessions() as session:
        plan = await current_plan(session)
        counts = await progress(session, Selection(plan.id), START.date(), VN)
        data = await gather(session, plan, make_period("quarter", 2026, 2, "calendar"), zone=VN, now=START,
                            mode="calendar")
        source = await load_source(session, org_app.settings, START)
    assert counts.counts.by_category["done_on_time"] == 1
    [line] = [line for line in data.tasks if line.code == "I.2"]
    assert (line.status, line.evidence) == ("done", "Kế hoạch số 181/KH-VP ngày 23/02/2026")
    report = write_md(data)
    assert "đóng góp của Phòng Kinh tế (Võ Thị Thanh Thảo, ngày 14/04/2026): Đã góp ý dự thảo" in report
    [row] = [row for row in source.tasks if row.code == "I.2"]
    assert row.status == "done" and row.note is None


async def test_a_coordinating_officer_cannot_set_the_status_through_a_correction(tg, org_app):
    from storage.tasks import add_update, current_plan, find_task

    # A status the officer sent before coordinators were stopped, within the correction window.
    async with org_app.sessions() as session, session.begin():
        task = await find_task(session, await current_plan(session), "I.2")
        other = await session.scalar(select(Person).join(ChatIdentity).where(ChatIdentity.external_id == KINH_TE_OFFICER))
        await add_update(session, task, status="in_progress", percent=10, at=START - timedelta(hours=1),
                         source="telegram", reporter=other)
    out = await tg.say(KINH_TE_OFFICER, "/sua")
    assert "chỉ đơn vị chủ trì (Phòng Hành chính – Quản trị) cập nhật trạng thái" in out[0].text
    assert not any(o.data.startswith("s:") for o in out[0].options)
    out = await tg.say(KINH_TE_OFFICER, "hoàn thành")
    assert await status_of(org_app, "I.2") == ("in_progress", 10)


async def test_a_coordinating_officer_corrects_their_contribution_as_a_contribution(tg, org_app):
    await tg.say(KINH_TE_OFFICER, "/baocao I.2")
    await tg.say(KINH_TE_OFFICER, "Công văn 12/KT")
    await tg.choose(KINH_TE_OFFICER, "Bỏ qua")
    await tg.choose(KINH_TE_OFFICER, "Xác nhận")
    out = await tg.say(KINH_TE_OFFICER, "/sua")
    assert not any(o.data.startswith("s:") for o in out[0].options)
    await tg.say(KINH_TE_OFFICER, "Công văn 13/KT")
    await tg.choose(KINH_TE_OFFICER, "Bỏ qua")
    out = await tg.choose(KINH_TE_OFFICER, "Xác nhận")
    assert out[0].text.startswith("Đã ghi đóng góp sửa đổi")
    assert await entries(org_app, "I.2") == [
        ("contribution", "not_started", "Công văn 12/KT", None), ("contribution", "not_started", "Công văn 13/KT", None),
    ]


async def test_the_lead_units_officer_and_an_admin_still_set_the_status(tg, chat, org_app):
    out = await tg.say("100001", "I.2 đang thực hiện 30%")
    assert out[0].text.startswith("Đã ghi báo cáo")
    out = await chat.say("quantri", "/baocao I.2")
    assert any(o.data == "s:in_progress" for o in out[0].options)
    assert [kind for kind, *_ in await entries(org_app, "I.2")] == ["status"]


async def test_the_status_form_import_refuses_rows_of_tasks_the_reporter_does_not_lead(org_app, tmp_path):
    from openpyxl import load_workbook

    from services.status_form import import_status_file, write_form
    from storage.tasks import current_plan, task_views

    async with org_app.sessions() as session:
        views = await task_views(session, await current_plan(session))
    path = write_form(views, tmp_path / "form.xlsx", unit=None, today=START.date())
    workbook = load_workbook(path)
    for row in workbook.active.iter_rows(min_row=5):
        if row[0].value in ("I.2", "II.1"):  # I.2: Phòng Kinh tế coordinates; II.1: its group leads
            row[6].value = "Hoàn thành"
            row[8].value = "Kế hoạch số 181/KH-VP ngày 23/02/2026"
    workbook.save(path)
    async with org_app.sessions() as session, session.begin():
        plan = await current_plan(session)
        other = await session.scalar(select(Person).join(ChatIdentity).where(ChatIdentity.external_id == KINH_TE_OFFICER))
        outcome = await import_status_file(session, plan, path, now=START, zone=VN, reporter=other)
    assert outcome.saved == []
    assert len(outcome.errors) == 1 and "I.2" in outcome.errors[0] and "chủ trì" in outcome.errors[0]
    assert await entries(org_app, "I.2") == [] and await entries(org_app, "II.1") == []


async def test_cli_status_set_by_a_coordinating_officer_is_refused(org_app):
    import argparse

    from bot.cli import CliError, cmd_status

    args = argparse.Namespace(code="I.2", status="done", by=KINH_TE_OFFICER, at=None, percent=None, evidence=None, note=None)
    with pytest.raises(CliError) as refused:
        await cmd_status(org_app, args)
    assert "chỉ đơn vị chủ trì (Phòng Hành chính – Quản trị) cập nhật trạng thái" in str(refused.value)
    assert await entries(org_app, "I.2") == []
    args.by = "quantri"
    assert await cmd_status(org_app, args) == 0
    assert await status_of(org_app, "I.2") == ("done", 100)


# --- what a group is told --------------------------------------------------------------------
# Phòng Kinh tế leads II.1 (through its group) and II.2, II.5 (every unit); HCQT leads I.2, I.3, V.2 (overdue);
# Trung tâm Phục vụ Hành chính công leads III.1 and III.2, both overdue.

GROUP = "-100777"
NOT_LINKED = ("Nhóm này chưa được kết nối với kế hoạch nên bot chưa trả lời ở đây. Quản trị viên gõ "
              "/ketnoi trong nhóm để theo dõi cả kế hoạch, hoặc /ketnoi Tên đơn vị để theo dõi một đơn vị.")
PRIVATE = "Nội dung này là thông tin riêng: anh/chị vui lòng nhắn riêng cho bot để xem hoặc báo cáo."
OUT_OF_SCOPE = ("III.1", "III.2", "V.2", "Trung tâm Phục vụ Hành chính công")

# (who, what they send in the group, how the answer is checked)
ASKED = {
    "question: overdue": ("lanhdao", {"text": "nhiệm vụ nào quá hạn?", "mention": True}, "scoped"),
    "/quahan": ("lanhdao", {"text": "/quahan"}, "scoped"),
    "/tiendo": ("lanhdao", {"text": "/tiendo"}, "progress"),
    "/tim": ("lanhdao", {"text": "/tim thủ tục hành chính"}, "scoped"),
    "question: one task": ("lanhdao", {"text": "III.2 đến đâu rồi?", "mention": True}, "scoped"),
    "/tonghop": ("lanhdao", {"text": "/tonghop"}, "progress"),
    "/nhiemvu": ("canbo", {"text": "/nhiemvu"}, "private"),
    "/lichsu": ("lanhdao", {"text": "/lichsu III.2"}, "private"),
    "/sua": ("canbo", {"text": "/sua"}, "private"),
    "/baocao": ("canbo", {"text": "/baocao I.2"}, "private"),
    "quick report": ("canbo", {"text": "I.2 đang thực hiện 20%", "mention": True}, "private"),
    "/nghiphep": ("canbo", {"text": "/nghiphep 30/05/2026"}, "private"),
    "/moi": ("quantri", {"text": "/moi"}, "private"),
    "/baocaoky": ("lanhdao", {"text": "/baocaoky quý I/2026"}, "private"),
    "option r:": ("canbo", {"option": "r:I.2"}, "private"),
}


async def _group(chat, org_app, link: str | None):
    if link is not None:
        out = await chat.say("quantri", f"/ketnoi {link}".strip(), chat=GROUP)
        assert "Đã kết nối" in out[0].text, out[0].text


@pytest.mark.parametrize("asked", list(ASKED))
@pytest.mark.parametrize("link", ["Phòng Kinh tế", "", None], ids=["unit", "all", "unlinked"])
async def test_a_group_is_answered_within_its_scope_and_never_with_personal_views(chat, org_app, asked, link):
    await chat.say("canbo", "I.2 đang thực hiện 40%")  # something for /sua and /lichsu to show
    await _group(chat, org_app, link)
    who, line, kind = ASKED[asked]
    if "option" in line:
        out = await chat.sim.core.handle(Inbound("console", GROUP, who, START, option=line["option"], chat_type="group"))
    else:
        out = await chat.say(who, chat=GROUP, **line)
    assert out and all(m.chat_id == GROUP for m in out)  # nothing goes anywhere else
    text = "\n".join(m.text for m in out)
    if link is None:
        assert [m.text for m in out] == [NOT_LINKED]
    elif kind == "private":
        assert [m.text for m in out] == [PRIVATE]
    elif link == "Phòng Kinh tế" and asked == "question: one task":
        assert text == "Nhiệm vụ III.2 nằm ngoài phạm vi bạn được xem."  # led by another unit
    elif link == "Phòng Kinh tế":
        assert not any(word in text for word in OUT_OF_SCOPE), text
        if kind == "progress":
            assert "Phòng Kinh tế" in text
    else:  # the whole plan
        assert text and text not in (NOT_LINKED, PRIVATE)
        if kind == "progress":
            assert "toàn kế hoạch" in text
    async with org_app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StatusUpdate)) == 1  # nothing written
