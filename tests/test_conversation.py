"""The conversation core end to end, through the scripted chat, on a platform
with buttons (console) and a text-only one (Zalo)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.simulate import Simulator
from bot.wiring import build_core
from domain.clock import FixedClock
from storage.conversations import create_invite
from storage.models import ChatIdentity, DialogState, GroupLink, Person, StatusUpdate, Task
from tests.conftest import VN, add_identity

START = datetime(2026, 4, 15, 9, 0, tzinfo=VN)


class Chat:
    """Drives the core the way `python -m bot simulate` does."""

    def __init__(self, app, platform: str = "console"):
        self.app = app
        self.platform = platform
        self.clock = FixedClock(START)
        self.sim = Simulator(build_core(self._app()), self.clock, VN)

    def _app(self):
        from bot.cli import App

        return App(self.app.settings, self.app.sessions, self.clock)

    def restart(self) -> None:
        """A new process: nothing kept in memory but what the script itself knows."""
        options = self.sim.last_options
        self.sim = Simulator(build_core(self._app()), self.clock, VN)
        self.sim.last_options = options

    async def say(self, user: str, text: str = "", **extra):
        line = {"platform": self.platform, "user": user, "text": text, **extra}
        return await self.sim.step(line)

    async def choose(self, user: str, label: str, **extra):
        return await self.say(user, choose=label, **extra)

    def later(self, **delta) -> None:
        self.clock.set(self.clock.now() + timedelta(**delta))


@pytest.fixture(params=["console", "zalo"])
async def chat(request, org_app):
    if request.param == "zalo":
        for user in ("canbo", "lanhdao", "quantri"):
            await add_identity(org_app.sessions, "zalo", user, like=user)
    return Chat(org_app, request.param)


def texts(messages, chat_id=None) -> list[str]:
    return [m.text for m in messages if chat_id is None or m.chat_id == chat_id]


async def updates(app) -> list[StatusUpdate]:
    async with app.sessions() as session:
        rows = await session.scalars(
            select(StatusUpdate).join(Task).order_by(StatusUpdate.id)
        )
        result = list(rows)
        for update in result:
            update.code = await session.scalar(select(Task.code).where(Task.id == update.task_id))
        return result


async def test_officer_reports_a_task_done_with_evidence(chat, org_app):
    out = await chat.say("canbo", "/baocao")
    assert "Chọn nhiệm vụ cần báo cáo" in out[0].text
    assert out[0].options[0].label.startswith("I.2 ") or "I.2" in out[0].text
    await chat.choose("canbo", "I.2 ")
    out = await chat.choose("canbo", "Hoàn thành")
    assert "Văn bản chỉ đạo" in out[0].text  # the evidence the plan asks for
    out = await chat.say("canbo", "Kế hoạch số 181/KH-VP ngày 23/02/2026")
    assert "Ghi chú" in out[0].text
    out = await chat.choose("canbo", "Bỏ qua")
    assert out[0].text.startswith("Kiểm tra lại báo cáo")
    assert [o.label for o in out[0].options] == ["Xác nhận", "Sửa lại", "Hủy"]
    if chat.platform == "zalo":
        assert "1. Xác nhận\n2. Sửa lại\n3. Hủy" in out[0].text
    out = await chat.choose("canbo", "Xác nhận")
    assert out[0].text.startswith("Đã ghi báo cáo")
    assert "Kế hoạch số 181/KH-VP ngày 23/02/2026" in out[0].text
    [update] = await updates(org_app)
    assert (update.code, update.status, update.evidence, update.note) == (
        "I.2", "done", "Kế hoạch số 181/KH-VP ngày 23/02/2026", None,
    )
    assert update.reported_at == START and update.source == chat.platform


async def test_stuck_report_reaches_every_leader_over_the_unit_at_once(chat, org_app):
    await chat.say("canbo", "/baocao I.3")
    await chat.choose("canbo", "vướng mắc")
    out = await chat.say("canbo", "")
    assert "Báo cáo vướng mắc cần ghi rõ" in out[0].text  # the note is required
    await chat.say("canbo", "Chưa có hướng dẫn của Sở Nội vụ")
    out = await chat.choose("canbo", "Xác nhận")
    own = texts(out, "canbo")
    assert own[0].startswith("Đã ghi báo cáo") and "Lãnh đạo phụ trách đã được báo" in own[0]
    alerts = {m.chat_id: m.text for m in out if m.chat_id != "canbo"}
    # HCQT's own leader and both organisation-wide leaders; no other unit's leader.
    expected_chats = {"100002", "100019", "lanhdao"}
    assert set(alerts) == expected_chats
    assert all("I.3" in text and "Chưa có hướng dẫn của Sở Nội vụ" in text and "Lê Thị Mai Anh" in text for text in alerts.values())
    [update] = await updates(org_app)
    assert update.status == "stuck" and update.note == "Chưa có hướng dẫn của Sở Nội vụ"


async def test_reporter_corrects_the_last_report_within_24_hours(chat, org_app):
    await chat.say("canbo", "I.2 đang thực hiện 40%")
    chat.later(hours=2)
    out = await chat.say("canbo", "/sua")
    assert "I.2" in out[0].text
    await chat.choose("canbo", "Đang thực hiện")
    await chat.say("canbo", "45")
    await chat.choose("canbo", "Bỏ qua")
    await chat.choose("canbo", "Bỏ qua")
    out = await chat.choose("canbo", "Xác nhận")
    assert "Đã ghi báo cáo sửa đổi" in out[0].text
    first, second = await updates(org_app)
    assert (first.percent, second.percent) == (40, 45)
    assert second.corrects_id == first.id and first.corrects_id is None
    chat.later(hours=25)
    out = await chat.say("canbo", "/sua")
    assert "không có báo cáo nào trong 24 giờ qua" in out[0].text


async def test_a_restart_in_the_middle_of_a_conversation_resumes_it(chat, org_app):
    await chat.say("canbo", "/baocao I.3")
    await chat.choose("canbo", "Đang thực hiện")
    chat.restart()
    out = await chat.say("canbo", "70")
    assert "tài liệu kiểm chứng" in out[0].text.lower()
    chat.restart()
    await chat.choose("canbo", "Bỏ qua")
    await chat.choose("canbo", "Bỏ qua")
    chat.restart()
    await chat.choose("canbo", "Xác nhận")
    [update] = await updates(org_app)
    assert (update.code, update.status, update.percent) == ("I.3", "in_progress", 70)


async def test_bad_answers_get_a_hint_and_the_same_question_again(chat, org_app):
    await chat.say("canbo", "/baocao I.3")
    await chat.choose("canbo", "Đang thực hiện")
    for bad in ("abc", "150", "-3"):
        out = await chat.say("canbo", bad)
        assert "không phải tỷ lệ hợp lệ" in out[0].text
        assert out[0].text.endswith("Nhập một số từ 0 đến 100.")
    await chat.say("canbo", "60")
    await chat.choose("canbo", "Bỏ qua")
    await chat.choose("canbo", "Bỏ qua")
    out = await chat.say("canbo", "9")  # no option 9
    assert "Hãy chọn Xác nhận, Sửa lại hoặc Hủy" in out[0].text
    assert await updates(org_app) == []


async def test_evidence_is_required_for_done_when_the_plan_names_one(chat, org_app):
    await chat.say("canbo", "/baocao I.2")
    await chat.choose("canbo", "Hoàn thành")
    out = await chat.say("canbo", "   ")
    assert "cần tài liệu kiểm chứng để ghi nhận hoàn thành: Văn bản chỉ đạo" in out[0].text
    assert out[0].options == []  # no "Bỏ qua" when it is required
    assert await updates(org_app) == []


async def test_cancel_back_and_a_new_command_mid_conversation(chat, org_app):
    await chat.say("canbo", "/baocao I.3")
    await chat.choose("canbo", "Đang thực hiện")
    out = await chat.say("canbo", "quay lại")
    assert "Tình trạng thực hiện bây giờ thế nào?" in out[0].text
    await chat.choose("canbo", "Đang thực hiện")
    out = await chat.say("canbo", "/huy")
    assert out[0].text == "Đã hủy, không có gì được ghi."
    out = await chat.say("canbo", "60")  # no conversation any more: not an answer
    assert "Tôi chưa hiểu ý bạn" in out[0].text
    await chat.say("canbo", "/baocao I.3")
    out = await chat.say("canbo", "/nhiemvu")
    assert "Nhiệm vụ của Phòng Hành chính – Quản trị" in out[0].text
    async with org_app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DialogState)) == 0
    assert await updates(org_app) == []


async def test_a_stale_conversation_expires_after_24_hours(chat, org_app):
    await chat.say("canbo", "/baocao I.3")
    await chat.choose("canbo", "Đang thực hiện")
    chat.later(hours=25)
    out = await chat.say("canbo", "60")
    assert "đã hết hạn" in out[0].text
    assert await updates(org_app) == []


async def test_paging_through_tasks_with_more(chat, org_app):
    out = await chat.say("canbo", "/baocao")
    first_page = [o.label for o in out[0].options]
    assert len(first_page) == 9 and first_page[-1] == "Xem thêm"
    assert first_page[0].startswith("⚠ V.2")  # overdue (31/12/2025) and marked
    out = await chat.choose("canbo", "Xem thêm")
    second_page = [o.label for o in out[0].options]
    assert second_page[0] != first_page[0] and "trang 2" in out[0].text


async def test_one_line_quick_reports(chat, org_app):
    out = await chat.say("canbo", "ii.3 dang thuc hien 60%")
    assert out[0].text.startswith("Đã ghi báo cáo") and "(60%)" in out[0].text
    out = await chat.say("canbo", "I.2 hoàn thành, KH số 181/KH-VP ngày 23/02/2026")
    assert out[0].text.startswith("Đã ghi báo cáo")
    out = await chat.say("canbo", "I.3 hoàn thành")  # evidence required: asked for it
    assert "Kế hoạch; Hồ sơ kiểm tra." in out[0].text
    await chat.say("canbo", "/huy")
    out = await chat.say("canbo", "III.4 hoàn thành, QĐ 12")  # another unit's task
    assert "không thuộc đơn vị của bạn" in out[0].text
    rows = [(u.code, u.status, u.percent, u.evidence) for u in await updates(org_app)]
    assert rows == [("II.3", "in_progress", 60, None), ("I.2", "done", None, "KH số 181/KH-VP ngày 23/02/2026")]


async def test_history_lists_every_report(chat, org_app):
    await chat.say("canbo", "I.2 đang thực hiện 30%")
    chat.later(days=1)
    await chat.say("canbo", "I.2 hoàn thành, KH số 181/KH-VP ngày 23/02/2026")
    out = await chat.say("canbo", "/lichsu i.2")
    text = out[0].text
    assert "15/04/2026" in text and "16/04/2026" in text
    assert text.index("Đang thực hiện 30%") < text.index("Hoàn thành")
    out = await chat.say("canbo", "/lichsu III.4")
    assert "ngoài phạm vi" in out[0].text


async def test_unknown_users_are_refused_and_invites_register_them(chat, org_app):
    out = await chat.say("stranger", "xin chào")
    assert "chưa được đăng ký" in out[0].text and "/start" in out[0].text
    out = await chat.say("stranger", "/baocao")
    assert "chưa được đăng ký" in out[0].text
    out = await chat.say("stranger", "/start SAI")
    assert "Mã mời không đúng" in out[0].text
    async with org_app.sessions() as session, session.begin():
        unit_id = await session.scalar(select(Person.unit_id).join(ChatIdentity).where(ChatIdentity.external_id == "canbo"))
        invite = await create_invite(session, unit_id=unit_id, role="officer", uses=1, expires_at=START + timedelta(days=7), created_by=None, now=START)
    out = await chat.say("stranger", f"/start {invite.code}", name="Đinh Văn Mới")
    assert "Xin chào Đinh Văn Mới" in out[0].text and "Phòng Hành chính – Quản trị" in out[0].text
    out = await chat.say("stranger", "I.2 đang thực hiện 10%")
    assert out[0].text.startswith("Đã ghi báo cáo")
    out = await chat.say("another", f"/start {invite.code}")
    assert "Mã mời không đúng" in out[0].text  # used up


async def test_group_chats_answer_registered_members_only(chat, org_app):
    group = "-100500"
    out = await chat.say("stranger", "/nhiemvu", chat=group)
    assert out == []
    out = await chat.say("canbo", "chào cả nhà", chat=group)
    assert out == []
    out = await chat.say("canbo", "/nhiemvu", chat=group)
    assert out[0].chat_id == group and out[0].text.startswith("Nhóm này chưa được kết nối với kế hoạch")
    out = await chat.say("canbo", "/ketnoi", chat=group)
    assert "không có quyền" in out[0].text
    out = await chat.say("quantri", "/ketnoi Phòng HCQT", chat=group)
    assert "Phòng Hành chính – Quản trị" in out[0].text
    out = await chat.say("canbo", "/nhiemvu", chat=group)  # personal: asked in private
    assert out[0].chat_id == group and "nhắn riêng cho bot" in out[0].text
    async with org_app.sessions() as session:
        link = await session.scalar(select(GroupLink))
    assert (link.chat_id, link.platform, link.scope_unit_id is not None) == (group, chat.platform, True)


async def test_a_repeated_message_is_processed_once(chat, org_app):
    await chat.say("canbo", "I.2 đang thực hiện 30%", message_id=77)
    out = await chat.say("canbo", "I.2 đang thực hiện 30%", message_id=77)
    assert out == []
    assert len(await updates(org_app)) == 1


async def test_help_depends_on_the_role(chat, org_app):
    officer = (await chat.say("canbo", "/help"))[0].text
    admin = (await chat.say("quantri", "/help"))[0].text
    assert "/baocao" in officer and "/moi" not in officer
    assert "/moi" in admin and "/ketnoi" in admin


async def test_admin_creates_an_invite_in_chat(chat, org_app):
    out = await chat.say("quantri", "/moi")
    assert "đơn vị nào" in out[0].text
    out = await chat.say("quantri", "trung tam tin hoc va cong bao")
    out = await chat.choose("quantri", "Cán bộ")
    assert "Mã mời:" in out[0].text and "Trung tâm Tin học và Công báo" in out[0].text
    code = out[0].text.split("Mã mời: ")[1].split()[0]
    out = await chat.say("newbie", f"/start {code}", name="Hồ Thị Lan")
    assert "Trung tâm Tin học và Công báo" in out[0].text


async def test_a_file_is_accepted_as_evidence_and_stored_by_content(chat, org_app, tmp_path):
    document = tmp_path / "ke-hoach-181.pdf"
    document.write_bytes(b"%PDF-1.4 evidence")
    await chat.say("canbo", "/baocao I.2")
    await chat.choose("canbo", "Hoàn thành")
    await chat.say("canbo", "Kế hoạch 181", file=str(document))
    await chat.choose("canbo", "Bỏ qua")
    await chat.choose("canbo", "Xác nhận")
    [update] = await updates(org_app)
    assert update.evidence == "Kế hoạch 181"
    digest, name = update.file_ref.split("/")
    assert name == "ke-hoach-181.pdf" and len(digest) == 64
    assert (org_app.settings.files_dir / update.file_ref).read_bytes() == b"%PDF-1.4 evidence"


async def test_a_correction_confirmed_after_the_window_is_not_saved(chat, org_app):
    await chat.say("canbo", "I.2 đang thực hiện 40%")
    chat.later(hours=23)
    await chat.say("canbo", "/sua")
    for step in ("Đang thực hiện", "50", "Bỏ qua", "Bỏ qua"):
        chat.later(minutes=30)
        await (chat.say("canbo", step) if step == "50" else chat.choose("canbo", step))
    out = await chat.choose("canbo", "Xác nhận")
    assert "Đã quá 24 giờ" in out[0].text
    assert [u.percent for u in await updates(org_app)] == [40]


async def test_handled_events_are_remembered_for_at_least_48_hours(chat, org_app):
    from bot.run import KEEP_EVENTS
    from storage.conversations import claim_event, forget_old_events
    from storage.models import ProcessedEvent

    await chat.say("canbo", "I.2 đang thực hiện 30%", message_id=5)
    async with org_app.sessions() as session, session.begin():
        await claim_event(session, "quota", "zalo:2026-04:80", chat.clock.now())
    chat.later(hours=47)
    async with org_app.sessions() as session, session.begin():
        assert await forget_old_events(session, chat.clock.now() - KEEP_EVENTS) == 0
    assert await chat.say("canbo", "I.2 đang thực hiện 30%", message_id=5) == []
    chat.later(hours=30)
    async with org_app.sessions() as session, session.begin():
        assert await forget_old_events(session, chat.clock.now() - KEEP_EVENTS) == 1
        kept = [e.platform for e in await session.scalars(select(ProcessedEvent))]
    assert kept == ["quota"]
