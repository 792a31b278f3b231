"""/baocaoky in chat, on a platform with buttons and files (console) and a
text-only one (Zalo); and a filled Excel form sent to the bot."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import App
from bot.simulate import Simulator
from bot.wiring import build_core
from domain.clock import FixedClock
from services.status_form import write_form
from storage.models import ChatIdentity, Person, StatusUpdate, Unit
from storage.tasks import current_plan, task_views
from tests.conftest import VN
from tests.report_fixture import TTPV, load_fixture
from tests.test_report_form import fill


class Chat:
    def __init__(self, app, platform="console"):
        self.platform = platform
        self.clock = FixedClock(datetime(2026, 4, 15, 9, 0, tzinfo=VN))
        self.sim = Simulator(build_core(App(app.settings, app.sessions, self.clock)), self.clock, VN)

    async def say(self, user, text="", **extra):
        return await self.sim.step({"platform": self.platform, "user": user, "text": text, **extra})

    async def choose(self, user, label):
        return await self.say(user, choose=label)


@pytest.fixture
async def planned(app, tmp_path):
    await load_fixture(app, tmp_path)
    return app


async def test_leader_picks_a_quarter_and_gets_the_report_and_appendix(planned):
    chat = Chat(planned)
    [ask] = await chat.say("lanhdao", "/baocaoky")
    assert ask.text.startswith("Lập báo cáo CCHC cho kỳ nào?")
    assert [o.label for o in ask.options] == ["Quý II/2026 (đến nay)", "Quý I/2026", "6 tháng đầu năm 2026 (đến nay)", "Năm 2026 (đến nay)"]
    assert [o.data for o in ask.options] == ["p:2026-Q2", "p:2026-Q1", "p:2026-H1", "p:2026"]
    assert all(len(o.data.encode()) < 64 for o in ask.options)
    [reply] = await chat.choose("lanhdao", "Quý I/2026")
    assert reply.text.startswith("Báo cáo CCHC quý I năm 2026 (số liệu đến hết ngày 31/03/2026): hoàn thành 02/06 "
                                 "nhiệm vụ đến hạn (33,33%), 01 nhiệm vụ quá hạn, 01 vướng mắc.")
    docx, xlsx = (Path(f) for f in reply.files)
    assert docx.name == "bao-cao-cchc-2026-Q1.docx" and xlsx.name == "bao-cao-cchc-2026-Q1.xlsx"
    assert "Công tác cải cách hành chính định kỳ Quý I năm 2026" in [p.text for p in Document(str(docx)).paragraphs]
    assert load_workbook(xlsx).sheetnames[0] == "Tổng hợp"


async def test_typed_periods_and_mistakes(planned):
    chat = Chat(planned)
    await chat.say("quantri", "/baocaoky")
    [again] = await chat.say("quantri", "tuần trước")
    assert again.text.startswith("Không hiểu kỳ «tuần trước».") and "Lập báo cáo CCHC cho kỳ nào?" in again.text
    [later] = await chat.say("quantri", "quý 3/2026")
    assert later.text.startswith("Kỳ quý III năm 2026 bắt đầu từ ngày 01/07/2026")
    [done] = await chat.say("quantri", "5 tháng đầu năm 2026")
    assert done.text.startswith("Báo cáo CCHC 5 tháng đầu năm 2026 (số liệu đến hết ngày 15/04/2026)")
    assert Path(done.files[0]).name == "bao-cao-cchc-2026-M5.docx"
    [direct] = await chat.say("quantri", "/baocaoky quý I/2026")
    assert direct.files and direct.text.startswith("Báo cáo CCHC quý I năm 2026")


async def test_officers_may_not_and_unit_leaders_get_their_units_tasks(planned):
    chat = Chat(planned)
    [refused] = await chat.say("canbo", "/baocaoky")
    assert refused.text == "Bạn không có quyền dùng lệnh này."
    async with planned.sessions() as session, session.begin():
        unit = await session.scalar(select(Unit).where(Unit.name == TTPV))
        leader = Person(name="Đỗ Văn Khải", unit_id=unit.id, role="leader")
        leader.identities.append(ChatIdentity(platform="console", external_id="lanhdao2"))
        session.add(leader)
    [reply] = await chat.say("lanhdao2", "/baocaoky 2026-Q1")
    assert Path(reply.files[0]).name == "bao-cao-cchc-2026-Q1-trung-tam-phuc-vu-hanh-chinh-cong.docx"
    assert f"(Các nhiệm vụ do {TTPV} chủ trì)" in [p.text for p in Document(reply.files[0]).paragraphs]


async def test_on_zalo_options_are_numbered_and_no_file_is_sent(planned):
    async with planned.sessions() as session, session.begin():
        person = await session.scalar(select(Person).where(Person.name == "Nguyễn Văn Hùng"))
        session.add(ChatIdentity(person_id=person.id, platform="zalo", external_id="lanhdao"))
    chat = Chat(planned, "zalo")
    [ask] = await chat.say("lanhdao", "/baocaoky")
    assert "1. Quý II/2026 (đến nay)\n2. Quý I/2026" in ask.text
    [reply] = await chat.say("lanhdao", "2")
    assert reply.files == []
    assert reply.text.startswith("Báo cáo CCHC quý I năm 2026") and "không gửi được tệp" in reply.text


async def _form(planned, tmp_path) -> Path:
    async with planned.sessions() as session:
        views = await task_views(session, await current_plan(session))
    return write_form(views, tmp_path / "bieu.xlsx", unit=None, today=datetime(2026, 4, 15).date())


async def _updates(planned) -> int:
    async with planned.sessions() as session:
        return await session.scalar(select(func.count(StatusUpdate.id)))


async def test_admin_sends_a_filled_form_and_leaders_hear_of_the_blocker(planned, tmp_path):
    path = fill(await _form(planned, tmp_path), {
        "III.3": ["Hoàn thành"], "IV.1": ["Gặp vướng mắc", None, None, None, "Chưa có đề án mẫu"],
    })
    chat = Chat(planned)
    before = await _updates(planned)
    out = await chat.say("quantri", "", file=str(path))
    own = [m for m in out if m.chat_id == "quantri"]
    assert own[0].text == "Đã ghi 02 cập nhật trạng thái từ tệp Excel: III.3, IV.1."
    alerts = [m for m in out if m.chat_id == "lanhdao"]
    assert len(alerts) == 1 and "IV.1" in alerts[0].text and "Chưa có đề án mẫu" in alerts[0].text
    assert await _updates(planned) == before + 2


async def test_bad_form_in_chat_writes_nothing_and_officers_are_sent_to_the_admin(planned, tmp_path):
    path = fill(await _form(planned, tmp_path), {"III.3": ["Hoàn thành", 120], "III.4": ["Chưa triển khai"]})
    chat = Chat(planned)
    before = await _updates(planned)
    [reply] = await chat.say("quantri", "", file=str(path))
    assert reply.text.splitlines() == [
        "Không ghi trạng thái nào: tệp có 01 lỗi, hãy sửa rồi gửi lại.",
        "Dòng 16: tỷ lệ «120» không hợp lệ, phải là số từ 0 đến 100.",
    ]
    assert await _updates(planned) == before
    [refused] = await chat.say("canbo", "", file=str(path))
    assert refused.text.startswith("Chỉ quản trị viên được nhập trạng thái từ tệp Excel.")
    assert await _updates(planned) == before
