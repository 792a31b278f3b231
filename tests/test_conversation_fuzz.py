"""Random conversations thrown at the core: whatever people type, press or
resend, in whatever order, on whichever platform, the core never raises and
the plan's status history stays well-formed.

Each Hypothesis example gets a fresh SQLite database (migrated, sample loaded)
in its own temporary folder and is run with `asyncio.run`, so no async fixture
is shared between examples."""

from __future__ import annotations

import asyncio
import re
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.cli import App
from bot.sample import ensure_sample
from bot.settings import Settings
from bot.wiring import build_core, build_router
from domain.clock import FixedClock
from domain.messages import PLATFORMS, Inbound, IncomingFile, Outbound
from storage.db import create_engine, migrate, session_factory
from storage.models import STATUSES, DialogState, StatusUpdate, Task
from storage.people import person_by_identity
from tests.conftest import VN, add_identity

START = datetime(2026, 4, 15, 9, 0, tzinfo=VN)
REGISTERED = ("canbo", "lanhdao", "quantri")
GROUPS = ("-100500", "-100600")
FORMS = set(build_router().forms)
INVITE_CODE = re.compile(r"Mã mời: (\S+)")

MEANINGFUL = [
    "/baocao", "/baocao I.2", "/baocao I.3", "/baocao III.4", "/baocao XX", "/baocao@tiendo_bot", "/BAOCAO",
    "/huy", "quay lại", "Quay lại.", "/sua", "/nhiemvu", "/lichsu I.2", "/lichsu", "/lichsu III.4", "/lichsu XX",
    "/moi", "/ketnoi", "/ketnoi Phòng HCQT", "/ketnoi không có đơn vị này", "/help", "/trogiup", "/start",
    "/start abc", "/", "/khongco", "/baocaoky", "/baocaoky quý I/2026", "/baocaoky abc",
    *[str(n) for n in range(13)], "60", "150", "-3", "60%", "abc", "", "   ",
    "Hoàn thành", "Đang thực hiện", "Gặp vướng mắc", "Chưa triển khai", "Bỏ qua", "Xác nhận", "Sửa lại", "Hủy",
    "Xem thêm", "Cán bộ", "Lãnh đạo", "Quản trị", "Toàn bộ tổ chức", "trung tam tin hoc va cong bao",
    "Kế hoạch số 181/KH-VP ngày 23/02/2026", "Chưa có hướng dẫn của Sở Nội vụ",
    "I.2 hoàn thành, KH 1", "I.2 hoàn thành", "I.3 hoàn thành", "iii.2 dang thuc hien 60%", "I.2 đang thực hiện 40%",
    "I.2 đang thực hiện 101%", "I.3 vướng mắc", "I.3 vướng mắc, chờ kinh phí", "V.2 xong", "III.4 hoàn thành, QĐ 12",
    "I.2 chưa triển khai", "I.2 hoàn thành ,,,", "xin chào", "x" * 1001, "y" * 2001,
]
# What starts something: a form, a one-line report, a correction.
STARTERS = [
    "/baocao", "/baocao", "/baocao I.2", "/baocao I.3", "/sua", "/moi", "I.2 hoàn thành, KH 1", "I.3 hoàn thành",
    "iii.2 dang thuc hien 60%", "I.3 vướng mắc", "I.2 đang thực hiện", "V.2 vướng mắc, chờ kinh phí",
]
RAW_OPTIONS = [
    "r:I.2", "r:I.3", "r:III.4", "r:XX", "r:", "t:I.2", "t:III.4", "s:done", "s:stuck", "s:in_progress", "s:bogus",
    "c:yes", "c:edit", "c:cancel", "skip", "more", "u:all", "u:1", "u:999", "role:officer", "role:leader",
    "role:god", "",
]
# Evidence files only: an .xlsx is an admin's status form, imported as many updates at once.
FILE_NAMES = ["ke-hoach-181.pdf", "../../ngoai.pdf", "", "ảnh chụp.jpg"]
# Text shaped like what officers type, so the parsers see near misses too.
TYPED = st.text(alphabet="IVXivx.-0123456789 %,:đĐàáảãạăâêôơưhoanthdgcuvmkrsĂ", max_size=40)


@dataclass(frozen=True)
class Step:
    user: str
    platform: str
    where: str  # "private" or a group chat id
    kind: str  # "text" | "offered" | "option" | "file" | "invite"
    text: str = ""
    index: int = 0  # which offered option
    # for "offered": "press" (a button, or its number where there are none),
    # "number", "label" (typed), "old" (a button of an earlier message, as `bot simulate` keeps them)
    how: str = "press"
    option: str = ""
    file_name: str = ""
    jump: int = 0  # minutes the clock moves before the event
    message_id: int | None = None
    addressed: bool = False
    name: str | None = None


ANY_TEXT = st.one_of(
    st.sampled_from(STARTERS), st.sampled_from(MEANINGFUL), st.sampled_from(MEANINGFUL), st.text(max_size=30), TYPED,
)


@st.composite
def actions(draw) -> dict:
    """One thing a person does, in whichever chat they are in."""
    kind = draw(st.sampled_from(["text"] * 6 + ["offered"] * 7 + ["option", "file", "invite"]))
    action: dict = {"kind": kind}
    if kind == "text":
        action["text"] = draw(ANY_TEXT)
    elif kind == "offered":
        action["index"] = draw(st.one_of(st.just(0), st.integers(0, 9)))
        action["how"] = draw(st.sampled_from(["press", "press", "press", "number", "label", "old"]))
    elif kind == "option":
        action["option"] = draw(st.one_of(st.sampled_from(RAW_OPTIONS), st.text(max_size=70)))
    elif kind == "file":
        action["file_name"] = draw(st.sampled_from(FILE_NAMES))
        action["text"] = draw(st.sampled_from(["", "Kế hoạch 181", "   "]))
    if draw(st.integers(0, 9)) == 0:
        action["jump"] = draw(st.one_of(st.integers(1, 59), st.integers(60, 30 * 60)))
    if draw(st.integers(0, 6)) == 0:
        action["message_id"] = draw(st.integers(1, 3))
    return action


@st.composite
def turns(draw, home: str) -> list[Step]:
    """Someone, somewhere, doing a few things in a row, so forms get answered
    to the end often enough."""
    user = draw(st.sampled_from(["canbo"] * 4 + ["lanhdao", "quantri", "quantri", "stranger"]))
    platform = draw(st.sampled_from([home] * 4 + ["console", "zalo"]))
    where = draw(st.sampled_from(["private"] * 4 + list(GROUPS)))
    addressed = draw(st.booleans())
    name = draw(st.sampled_from([None, "Đinh Văn Mới"]))
    opening = draw(st.one_of(st.none(), st.sampled_from(STARTERS).map(lambda text: {"kind": "text", "text": text})))
    todo = [opening] if opening else []
    if opening and draw(st.booleans()):  # plays along: answers whatever is asked
        answer = st.builds(dict, kind=st.just("offered"), index=st.one_of(st.just(0), st.integers(0, 9)))
        todo += draw(st.lists(st.one_of(answer, answer, answer, actions()), min_size=3, max_size=7))
    else:
        todo += draw(st.lists(actions(), min_size=1, max_size=7))
    return [Step(user=user, platform=platform, where=where, addressed=addressed, name=name, **a) for a in todo]


@st.composite
def conversations(draw) -> list[Step]:
    home = draw(st.sampled_from(["console", "zalo"]))
    chunks = draw(st.lists(turns(home), min_size=1, max_size=8))
    return [step for chunk in chunks for step in chunk][:25]


class Driver:
    """Turns steps into Inbound events, the way `bot simulate` does, and checks
    the invariants after each one."""

    def __init__(self, sessions, core, clock: FixedClock, folder: Path) -> None:
        self.sessions = sessions
        self.core = core
        self.clock = clock
        self.folder = folder
        self.last_options: dict[tuple[str, str], list] = {}  # the last options offered in a chat
        self.current_options: dict[tuple[str, str], list] = {}  # the options of the last message to a chat
        self.invite_code = "abc"
        self.seen_ids: set[tuple[str, str, int]] = set()
        self.last_snapshot: tuple[list[tuple], list[tuple]] | None = None

    def event(self, step: Step) -> Inbound:
        chat = step.user if step.where == "private" else step.where
        chat_type = "private" if step.where == "private" else "group"
        text, option, file = step.text, None, None
        if step.kind == "offered":
            where = (step.platform, chat)
            offered = self.last_options.get(where, []) if step.how == "old" else self.current_options.get(where, [])
            if offered:
                index = step.index % len(offered)
                if step.how == "label":
                    text = offered[index].label
                elif step.how == "number" or not PLATFORMS[step.platform].buttons:
                    text = str(index + 1)
                else:
                    option = offered[index].data
            else:
                text = str(step.index + 1)
        elif step.kind == "option":
            option = step.option
        elif step.kind == "invite":
            text = f"/start {self.invite_code}"
        elif step.kind == "file":
            path = self.folder / "upload.pdf"
            path.write_bytes(b"%PDF-1.4 evidence")
            file = IncomingFile(path, step.file_name, path.stat().st_size)
        if chat_type == "group" and step.addressed and text and not text.startswith("/"):
            text = f"@tiendo_bot {text}"
        return Inbound(
            platform=step.platform, chat_id=chat, user_id=step.user, at=self.clock.now(), text=text,
            option=option, chat_type=chat_type, display_name=step.name, file=file,
            message_id=None if step.message_id is None else str(step.message_id), addressed=step.addressed,
        )

    async def registered(self, platform: str, user: str) -> bool:
        async with self.sessions() as session:
            return await person_by_identity(session, platform, user) is not None

    async def snapshot(self) -> tuple[list[tuple], list[tuple]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(
                    StatusUpdate.id, StatusUpdate.task_id, StatusUpdate.status, StatusUpdate.percent,
                    StatusUpdate.evidence, StatusUpdate.file_ref, StatusUpdate.note, StatusUpdate.reporter_id,
                    StatusUpdate.reported_at, StatusUpdate.source, StatusUpdate.corrects_id, Task.evidence,
                ).join(Task, Task.id == StatusUpdate.task_id).order_by(StatusUpdate.id)
            )
            states = await session.execute(
                select(DialogState.platform, DialogState.chat_id, DialogState.user_id, DialogState.dialog)
            )
            return [tuple(r) for r in rows], sorted(tuple(s) for s in states)

    async def step(self, step: Step) -> list[Outbound]:
        if step.jump:
            self.clock.set(self.clock.now() + timedelta(minutes=step.jump))
        event = self.event(step)
        note(f"-> {event}")
        # The sample people are known on both platforms from the start; a stranger may redeem an invite.
        known = event.user_id in REGISTERED or await self.registered(event.platform, event.user_id)
        repeat = event.message_id is not None and (event.platform, event.chat_id, step.message_id) in self.seen_ids
        before_rows, before_states = self.last_snapshot or await self.snapshot()

        out = await self.core.handle(event)  # nothing may escape

        for message in out:
            note(f"<- {message.chat_id}: {message.text[:200]!r} {[o.data for o in message.options]}")
        if event.message_id is not None:
            self.seen_ids.add((event.platform, event.chat_id, step.message_id))
        rows, states = self.last_snapshot = await self.snapshot()
        self.check_messages(out)
        self.check_rows(before_rows, rows)
        self.check_states(states)
        if not known:
            assert len(rows) == len(before_rows), f"unregistered {event.user_id} on {event.platform} created a report"
        if repeat:
            assert out == [], "a repeated message was answered"
            assert (rows, states) == (before_rows, before_states), "a repeated message changed data"
        for message in out:
            self.current_options[(message.platform, message.chat_id)] = message.options
            if message.options:
                self.last_options[(message.platform, message.chat_id)] = message.options
            if found := INVITE_CODE.search(message.text):
                self.invite_code = found.group(1)
        return out

    @staticmethod
    def check_messages(out: list[Outbound]) -> None:
        for message in out:
            assert message.platform in PLATFORMS
            assert isinstance(message.chat_id, str) and message.chat_id
            assert isinstance(message.text, str) and message.text.strip(), f"empty message to {message.chat_id}"
            for option in message.options:
                assert isinstance(option.label, str) and option.label.strip(), f"option without a label: {option}"
                assert isinstance(option.data, str) and option.data, f"option without data: {option}"
                # Telegram's callback_data takes 1-64 bytes.
                assert len(option.data.encode("utf-8")) <= 64, f"option data too long: {option.data!r}"
            for file in message.files:
                assert Path(file).is_file(), f"a file sent but not there: {file}"

    def check_rows(self, before: list[tuple], rows: list[tuple]) -> None:
        assert len(rows) >= len(before), "status updates disappeared"
        assert len(rows) <= len(before) + 1, "one event wrote more than one status update"
        assert rows[: len(before)] == before, "an existing status update was changed"
        by_id = {r[0]: r for r in rows}
        for row in rows[len(before):]:
            (id_, _task, status, percent, evidence, file_ref, note_, reporter, _at, _source, corrects, wanted) = row
            assert status in STATUSES, row
            assert percent is None or 0 <= percent <= 100, row
            assert percent is None or status == "in_progress", row
            assert reporter is not None, row
            if status == "stuck":
                assert note_ and note_.strip(), f"stuck report without a note: {row}"
            if status == "done" and wanted and wanted.strip():
                assert (evidence and evidence.strip()) or file_ref, f"done without the evidence the plan asks for: {row}"
            if corrects is not None:
                assert corrects in by_id and corrects < id_, f"correction of a missing or later update: {row}"
                assert by_id[corrects][7] == reporter, f"correction of someone else's update: {row}"

    @staticmethod
    def check_states(states: list[tuple]) -> None:
        keys = [s[:3] for s in states]
        assert len(keys) == len(set(keys)), f"two conversations for one person in one chat: {states}"
        for state in states:
            assert state[3] in FORMS, state


@asynccontextmanager
async def fresh_world():
    """A new SQLite file, migrated, with the sample organisation and plan, the
    three sample people also on Zalo, and a core on a fixed clock."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        engine = create_engine(f"sqlite+aiosqlite:///{folder / 'fuzz.db'}")
        try:
            await migrate(engine)
            sessions = session_factory(engine)
            clock = FixedClock(START)
            app_settings = Settings(database_url="unused://", files_dir=folder / "files")
            await ensure_sample(sessions, clock.now(), app_settings.zone)
            for user in REGISTERED:
                await add_identity(sessions, "zalo", user, like=user)
            yield Driver(sessions, build_core(App(app_settings, sessions, clock)), clock, folder)
        finally:
            await engine.dispose()


async def converse(script: list[Step]) -> None:
    async with fresh_world() as driver:
        for step in script:
            await driver.step(step)
        rows, _states = await driver.snapshot()
        event(f"status updates written: {min(len(rows), 3)}{'+' if len(rows) >= 3 else ''}")
        event(f"events: {len(script) // 5 * 5}-{len(script) // 5 * 5 + 4}")
        event(f"corrections written: {min(sum(r[10] is not None for r in rows), 1)}")
        by_id = {r[0]: r for r in rows}
        if any(r[10] is not None and by_id[r[10]][1] != r[1] for r in rows):
            event("a correction of another task's update (the bug pinned below)")
        for status in sorted({r[2] for r in rows}):
            event(f"a {status} report written")


@settings(
    max_examples=120, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(conversations())
def test_random_conversations_keep_the_history_well_formed(script):
    asyncio.run(converse(script))


# --- what the fuzzing found, kept as plain examples ---------------------------


async def say(driver: Driver, user: str, text: str = "", option: str | None = None) -> list[Outbound]:
    event = Inbound("console", user, user, driver.clock.now(), text=text, option=option)
    return await driver.core.handle(event)


@pytest.mark.parametrize("user, first, second", [
    ("canbo", "/baocao", "/baocao"),
    ("canbo", "/baocao I.3", "/baocao"),
    ("quantri", "/moi", "/moi"),
    ("quantri", "/baocao", "/moi"),
])
def test_a_new_form_replaces_the_conversation_in_progress(user, first, second):
    """Found by this fuzzing: the old DialogState was deleted and its successor
    added in one flush, which SQLAlchemy orders insert-first, so the UNIQUE
    (platform, chat_id, user_id) constraint failed (fixed in 9b9c6c9)."""
    async def scenario():
        async with fresh_world() as driver:
            assert (await say(driver, user, first))[0].options
            out = await say(driver, user, second)
            assert out[0].options  # the new form's first question
            _, states = await driver.snapshot()
            assert [s[:3] for s in states] == [("console", user, user)]
    asyncio.run(scenario())


def test_a_stale_conversation_gives_way_to_a_pressed_report_button():
    """The same bug on another path: a conversation past its 24 hours is
    cleared, then the press of a leftover "r:" button starts a new form."""
    async def scenario():
        async with fresh_world() as driver:
            await say(driver, "canbo", "/baocao")
            driver.clock.set(driver.clock.now() + timedelta(hours=25))
            out = await say(driver, "canbo", option="r:")
            assert out[0].options
    asyncio.run(scenario())


def test_a_correction_stays_on_the_task_it_corrects():
    async def scenario():
        async with fresh_world() as driver:
            await say(driver, "canbo", "I.2 đang thực hiện 40%")
            out = await say(driver, "canbo", "/sua")  # asks the new status of I.2
            out = await say(driver, "canbo", "quay lại")  # today: back to the list of tasks
            for wanted in ("t:I.3", "s:not_started", "skip", "c:yes"):
                if wanted in [o.data for o in out[-1].options]:
                    out = await say(driver, "canbo", option=wanted)
            rows, _ = await driver.snapshot()
            assert len(rows) == 2
            by_id = {r[0]: r for r in rows}
            for row in rows:
                assert row[10] is None or by_id[row[10]][1] == row[1], f"update {row[0]} corrects another task's"
    asyncio.run(scenario())
