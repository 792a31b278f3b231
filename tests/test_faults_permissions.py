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
from handlers.events import Inbound
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


async def unit_id(app, name: str) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(Unit.id).where(Unit.name == name))


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
    out = await other.say("honest", f"/start SAI")  # another chat is not held up
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
