"""Benchmark: scripted conversations through the whole conversation core.

Run from the project root, in the project's virtualenv:

    python bench/bench_conversation.py [--events 10000] [--people 500] [--runs 3] [--profile]

Goal: at least 300 events/s through Core.handle (drop repeats -> who is it ->
load dialog state -> step -> save -> render, one transaction per event), and at
most 2x the time per event of a minimal handler that, through the same database
layer, only claims the event, stores the message and answers "ok".

What it does (see bench/README.md):

1. Per run, a fresh SQLite file database: migrated, sample organisation and
   30-task plan loaded (bot.sample.ensure_sample), plus ``--people`` generated
   officers spread round-robin over the sample units (console ids p0, p1, ...).
2. A deterministic (seeded) script of ``--events`` events interleaved across
   the people: full /baocao conversations (task picked by option data, status,
   percent, evidence, note, confirm), /baocao CODE, one-line quick reports,
   /nhiemvu, /help, /huy, occasional bad answers, "quay lại", "Sửa lại".
   Option presses carry the data of the options last offered to that person;
   every event has a unique message_id, so repeat-dropping runs on each one.
   A FixedClock moves 1-6 s per event.
3. Times each ``await core.handle(event)`` with time.perf_counter.
4. Hands exactly the same Inbound events to a minimal handler on an
   identically prepared database of its own: one session and transaction per
   event, claim_event, a DialogState upsert holding the text, one
   Outbound("ok"). By default each event goes to the full pipeline and then,
   at once, to the minimal handler, so that both see the same load on the
   machine; ``--sequential`` instead replays the recorded events after (or,
   every other run, before) the full run.
5. Repeats ``--runs`` times on fresh databases, reports medians across runs
   as a Markdown table with PASS/FAIL lines, and sanity counts (status updates
   written, replies that are error hints). Exits 0 whatever the figures;
   non-zero only on an error.

``--profile`` adds one untimed full run under cProfile (top functions by
cumulative and own time) and a count of SQL statements per event by kind.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import math
import os
import platform
import pstats
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from bot.cli import App
from bot.sample import ensure_sample
from bot.settings import Settings
from bot.wiring import build_core
from domain.clock import FixedClock
from domain.messages import Inbound, Outbound
from services.texts import t
from storage.conversations import claim_event, load_state
from storage.db import create_engine, migrate, session_factory
from storage.models import ChatIdentity, DialogState, Person, StatusUpdate, Unit
from storage.org import Organisation
from storage.tasks import current_plan, task_views

SEED = 2026
VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 4, 15, 8, 0, tzinfo=VN)
PLATFORM = "console"
GOAL_EPS = 300.0
PRODUCT_DIRS = ("bot", "handlers", "dialogs", "domain", "storage", "templates")
GOAL_RATIO = 2.0

# --- generated people ----------------------------------------------------------

_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
_MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Đức", "Thu", "Kim", "Hoài", "Xuân"]
_GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Khánh", "Lan",
          "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


# --- the script ---------------------------------------------------------------
# An action is resolved into an Inbound only when it is sent, against the
# options last offered to that person:
#   ("text", text)                       typed text
#   ("press", data, fallback_text)       press the option with this data; if it
#                                        is not on offer, type fallback_text
#   ("press_task", k, fallback_text)     press the k-th (mod n) "t:" option on
#                                        offer; if none, type fallback_text

EVIDENCE = [
    "Kế hoạch số 181/KH-VP ngày 23/02/2026", "Báo cáo số 45/BC-VP ngày 10/03/2026",
    "Quyết định số 312/QĐ-UBND ngày 05/04/2026", "Công văn số 1204/VP-HCQT ngày 12/04/2026",
    "Thông báo số 77/TB-VP ngày 14/04/2026",
]
NOTES = [
    "Đang chờ ý kiến của Sở Nội vụ", "Phối hợp với Trung tâm Tin học", "Chưa bố trí được kinh phí",
    "Thiếu nhân lực thực hiện", "Chờ hướng dẫn của cấp trên", "Hệ thống phần mềm chưa hoàn thiện",
]
STUCK_NOTES = [
    "Chưa có hướng dẫn của Sở Nội vụ", "Chưa được bố trí kinh phí", "Phần mềm một cửa bị lỗi kết nối",
    "Thiếu cán bộ chuyên trách",
]
STATUS_WORDS = {
    "in_progress": ["đang thực hiện", "đang làm", "dang thuc hien"],
    "done": ["hoàn thành", "đã xong", "xong"],
    "stuck": ["vướng mắc", "gặp khó khăn"],
    "not_started": ["chưa triển khai", "chưa thực hiện"],
}
STATUSES = ["in_progress", "done", "stuck", "not_started"]
STATUS_WEIGHTS = [55, 20, 10, 15]
CHATTER = ["alo", "cảm ơn", "ok", "chào bot", "báo cáo thế nào?", "xin chào"]


@dataclass
class Person_:
    index: int
    user: str
    unit_id: int
    codes: list[str]  # tasks of the person's unit
    others: list[str]  # plan tasks not of the unit
    queue: list[tuple] = field(default_factory=list)


def _form_steps(rng: random.Random, redo: bool = True) -> list[tuple]:
    """Status -> percent -> evidence -> note -> confirm, with the odd slip."""
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    steps: list[tuple] = []
    roll = rng.random()
    if roll < 0.05:
        steps.append(("text", "không rõ"))  # not a status: hint, asked again
    if roll < 0.85:
        steps.append(("press", f"s:{status}", rng.choice(STATUS_WORDS[status])))
    else:
        steps.append(("text", rng.choice(STATUS_WORDS[status])))
    if status == "in_progress":
        if rng.random() < 0.04:  # back to the status question, then the same answer
            steps += [("text", "quay lại"), ("press", f"s:{status}", rng.choice(STATUS_WORDS[status]))]
        if rng.random() < 0.10:
            steps.append(("text", rng.choice(["abc", "150", "khoảng một nửa", "-3"])))
        percent = rng.randrange(5, 100, 5)
        steps.append(("text", f"{percent}%" if rng.random() < 0.3 else str(percent)))
    if status in ("in_progress", "done"):
        if status == "done" or rng.random() < 0.5:
            if status == "done" and rng.random() < 0.05:
                steps.append(("text", "   "))  # evidence required: hint
            steps.append(("text", rng.choice(EVIDENCE)))
        else:
            steps.append(("press", "skip", "bỏ qua"))
    if status == "stuck":
        if rng.random() < 0.1:
            steps.append(("text", "  "))  # a stuck report needs its note: hint
        steps.append(("text", rng.choice(STUCK_NOTES)))
    elif rng.random() < 0.3:
        steps.append(("text", rng.choice(NOTES)))
    else:
        steps.append(("press", "skip", "bỏ qua"))
    roll = rng.random()
    if roll < 0.04:
        steps.append(("press", "c:cancel", "hủy"))
    elif roll < 0.08 and redo:
        steps.append(("press", "c:edit", "sửa lại"))
        steps += _form_steps(rng, redo=False)
    else:
        if roll < 0.12:
            steps.append(("text", rng.choice(["9", "ok", "được"])))  # not an option: hint
        steps.append(("press", "c:yes", "xác nhận"))
    return steps


def conversation(rng: random.Random, person: Person_) -> list[tuple]:
    """One thing a person does: one event or a whole /baocao conversation."""
    kind = rng.choices(
        ["pick", "direct", "quick", "quick_form", "abandon", "tasks", "help", "chatter", "cancel"],
        [36, 10, 28, 3, 5, 9, 4, 3, 2],
    )[0]
    code = rng.choice(person.codes)
    if kind == "pick":
        steps = [("text", "/baocao")]
        if rng.random() < 0.1:
            steps.append(("press", "more", "Xem thêm"))
        steps.append(("press_task", rng.randrange(8), code))
        return steps + _form_steps(rng)
    if kind == "direct":
        return [("text", f"/baocao {code}")] + _form_steps(rng)
    if kind == "abandon":
        steps = [("text", "/baocao"), ("press_task", rng.randrange(8), code)]
        if rng.random() < 0.5:
            steps.append(("press", "s:in_progress", "đang thực hiện"))
        return steps + [("text", "/huy")]
    if kind == "quick_form":  # "đang thực hiện" without a percent opens the form at the percent
        return [("text", f"{code} đang thực hiện"), ("text", str(rng.randrange(10, 100, 10))),
                ("press", "skip", "bỏ qua"), ("press", "skip", "bỏ qua"), ("press", "c:yes", "xác nhận")]
    if kind == "quick":
        if rng.random() < 0.08:
            code = rng.choice(person.others) if person.others else "IX.9"  # not the unit's task: hint
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        if status == "in_progress":
            written = rng.choice([code, code.lower()])
            return [("text", f"{written} {rng.choice(STATUS_WORDS[status])} {rng.randrange(5, 100, 5)}%")]
        if status == "done":
            return [("text", f"{code} hoàn thành, {rng.choice(EVIDENCE)}")]
        if status == "stuck":
            return [("text", f"{code} vướng mắc: {rng.choice(STUCK_NOTES)}")]
        return [("text", f"{code} chưa triển khai")]
    if kind == "tasks":
        return [("text", "/nhiemvu")]
    if kind == "help":
        return [("text", rng.choice(["/help", "/trogiup"]))]
    if kind == "chatter":
        return [("text", rng.choice(CHATTER))]
    return [("text", "/huy")]


@dataclass
class Step:
    person: int
    action: tuple
    at: datetime
    message_id: str


def build_script(people: list[Person_], events: int, seed: int = SEED) -> list[Step]:
    """Interleaved: each event goes to a random person, who carries on with
    what they were doing or starts something new; many conversations are in
    flight at once."""
    rng = random.Random(seed)
    at = START
    queues: list[list[tuple]] = [[] for _ in people]
    script = []
    for number in range(events):
        who = rng.randrange(len(people))
        if not queues[who]:
            queues[who] = conversation(rng, people[who])
        at += timedelta(seconds=rng.randint(1, 6))
        script.append(Step(who, queues[who].pop(0), at, f"m{number}"))
    return script


# --- database setup -----------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def prepare_db(path: Path, people: int, seed: int = SEED):
    """Migrated, sample loaded, `people` officers added. Returns (engine, sessions)."""
    engine = create_engine(sqlite_url(path))
    await migrate(engine)
    sessions = session_factory(engine)
    await ensure_sample(sessions, START, VN)
    rng = random.Random(seed + 1)
    async with sessions() as session, session.begin():
        unit_ids = sorted((await session.scalars(select(Unit.id))).all())
        for i in range(people):
            session.add(Person(
                name=person_name(rng), unit_id=unit_ids[i % len(unit_ids)], role="officer",
                identities=[ChatIdentity(platform=PLATFORM, external_id=f"p{i}")],
            ))
    return engine, sessions


async def load_people(sessions, people: int) -> list[Person_]:
    """Who is who, and which plan tasks each unit has (for writing the script)."""
    async with sessions() as session:
        org = await Organisation.load(session)
        plan = await current_plan(session)
        views = await task_views(session, plan)
        rows = (await session.execute(
            select(ChatIdentity.external_id, Person.unit_id).join(Person).where(ChatIdentity.platform == PLATFORM)
        )).all()
    unit_of = dict(rows)
    all_codes = [v.task.code for v in views]
    by_unit: dict[int, list[str]] = {}
    result = []
    for i in range(people):
        unit_id = unit_of[f"p{i}"]
        if unit_id not in by_unit:
            by_unit[unit_id] = [v.task.code for v in views if org.role_of(v.task.assignments, {unit_id})]
        codes = by_unit[unit_id]
        result.append(Person_(i, f"p{i}", unit_id, codes, [c for c in all_codes if c not in codes]))
    return result


# --- replies ------------------------------------------------------------------

_SENTINEL = "\x00"
_HINTS = [
    ("report_pick_task_hint", {}), ("report_task_not_yours", {"code": _SENTINEL}), ("report_status_hint", {}),
    ("percent_hint", {"value": _SENTINEL}), ("evidence_required", {"evidence": _SENTINEL}),
    ("text_too_long", {"limit": _SENTINEL}), ("note_required", {}), ("confirm_hint", {}),
    ("option_expired", {}), ("text_not_understood", {}), ("command_unknown", {"command": _SENTINEL}),
    ("dialog_expired", {}), ("not_registered", {}), ("not_allowed", {}),
]


def hint_patterns() -> list[tuple[str, re.Pattern]]:
    patterns = []
    for name, params in _HINTS:
        text = t(name, **params)
        patterns.append((name, re.compile(re.escape(text).replace(re.escape(_SENTINEL), ".*?"), re.S)))
    patterns.append(("not_understood_help", re.compile(re.escape("Tôi chưa hiểu ý bạn"))))
    return patterns


def classify(messages: list[Outbound], chat_id: str, patterns) -> str:
    own = [m for m in messages if m.chat_id == chat_id]
    if not own:
        return "no reply"
    text = own[0].text
    if text.startswith("Đã ghi báo cáo"):
        return "report recorded"
    for name, pattern in patterns:
        if pattern.match(text):
            return f"hint: {name}"
    return "other reply"


# --- the two handlers, timed --------------------------------------------------


@dataclass
class RunResult:
    times: list[float]  # seconds per event
    wall: float
    cpu: float = 0.0  # process CPU time (all threads) over the loop
    outcomes: Counter = field(default_factory=Counter)
    fallbacks: int = 0
    status_updates: int = 0
    alerts: int = 0

    @property
    def eps(self) -> float:
        return len(self.times) / sum(self.times)

    @property
    def mean_ms(self) -> float:
        return 1000 * statistics.fmean(self.times)

    @property
    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.times)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.times)
        return 1000 * ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def resolve(step: Step, person: Person_, offered: list) -> tuple[Inbound, bool]:
    """The Inbound an action becomes, given the options last offered to the person."""
    kind = step.action[0]
    text, option, fallback = "", None, False
    if kind == "text":
        text = step.action[1]
    elif kind == "press":
        _, data, typed = step.action
        if any(o.data == data for o in offered):
            option = data
        else:
            text, fallback = typed, True
    elif kind == "press_task":
        _, k, typed = step.action
        tasks = [o.data for o in offered if o.data.startswith("t:")]
        if tasks:
            option = tasks[k % len(tasks)]
        else:
            text, fallback = typed, True
    else:
        raise ValueError(f"unknown action {step.action!r}")
    inbound = Inbound(
        platform=PLATFORM, chat_id=person.user, user_id=person.user, at=step.at, text=text, option=option,
        message_id=step.message_id,
    )
    return inbound, fallback


def settle() -> None:
    """Before a timed loop: no pending disk writeback from setup, no garbage."""
    if hasattr(os, "sync"):
        os.sync()
    gc.collect()


def make_app(sessions, clock: FixedClock, files_dir: Path) -> App:
    settings = Settings(database_url="unused://", files_dir=files_dir)
    return App(settings, sessions, clock)


async def run_full(db: Path, people_count: int, script: list[Step], files_dir: Path,
                   minimal_db: Path | None = None, profiler: cProfile.Profile | None = None,
                   count_sql: bool = False):
    """Drive the script through Core.handle. With `minimal_db`, each event is
    also handed, right after, to the minimal handler on its own database, so
    both see the same machine load. Returns (full, minimal or None, inbounds,
    SQL statements of each full event)."""
    engine, sessions = await prepare_db(db, people_count)
    minimal_engine = None
    sql_counts: list[Counter] = []
    try:
        people = await load_people(sessions, people_count)
        clock = FixedClock(START)
        core = build_core(make_app(sessions, clock, files_dir))
        minimal = minimal_times = None
        if minimal_db is not None:
            minimal_engine, minimal_sessions = await prepare_db(minimal_db, people_count)
            minimal_handler = MinimalHandler(minimal_sessions, clock)
            minimal_times = []
            minimal = RunResult(minimal_times, 0.0)
        patterns = hint_patterns()
        if count_sql:
            current = Counter()

            @sa_event.listens_for(engine.sync_engine, "before_cursor_execute")
            def _count(conn, cursor, statement, parameters, context, executemany):
                current[statement] += 1

        offered: dict[int, list] = {}
        inbounds, times = [], []
        result = RunResult(times, 0.0)
        settle()
        cpu, wall = time.process_time(), time.perf_counter()
        for step in script:
            person = people[step.person]
            inbound, fallback = resolve(step, person, offered.get(step.person, []))
            result.fallbacks += fallback
            inbounds.append(inbound)
            clock.set(inbound.at)
            if count_sql:
                current.clear()
            if profiler is not None:
                profiler.enable()
            start = time.perf_counter()
            messages = await core.handle(inbound)
            times.append(time.perf_counter() - start)
            if profiler is not None:
                profiler.disable()
            if count_sql:
                sql_counts.append(Counter(current))
            if minimal is not None:
                start = time.perf_counter()
                replies = await minimal_handler.handle(inbound)
                minimal_times.append(time.perf_counter() - start)
                if len(replies) != 1:
                    raise RuntimeError(f"minimal handler dropped {inbound.message_id}")
            own = [m for m in messages if m.chat_id == person.user]
            offered[step.person] = own[-1].options if own else []
            result.alerts += sum(1 for m in messages if m.chat_id != person.user)
            result.outcomes[classify(messages, person.user, patterns)] += 1
        result.wall = time.perf_counter() - wall
        result.cpu = time.process_time() - cpu
        async with sessions() as session:
            result.status_updates = await session.scalar(select(func.count()).select_from(StatusUpdate))
        if minimal is not None:
            minimal.wall, minimal.cpu = result.wall, result.cpu  # one loop for both
            await check_minimal(minimal_sessions, inbounds)
    finally:
        await engine.dispose()
        if minimal_engine is not None:
            await minimal_engine.dispose()
    return result, minimal, inbounds, sql_counts


class MinimalHandler:
    """Stores each message and replies "ok", through the same database layer:
    one session and transaction, the event claimed in processed_events, the
    text kept as the sender's DialogState row (select, then insert or update)."""

    def __init__(self, sessions, clock: FixedClock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def handle(self, event: Inbound) -> list[Outbound]:
        async with self.sessions() as session, session.begin():
            if event.message_id is not None:
                key = f"{event.chat_id}:{event.message_id}"
                if not await claim_event(session, event.platform, key, self.clock.now()):
                    return []
            now = self.clock.now()
            state = await load_state(session, event.platform, event.chat_id, event.user_id)
            data = {"text": event.text, "option": event.option}
            if state is None:
                session.add(DialogState(
                    platform=event.platform, chat_id=event.chat_id, user_id=event.user_id, dialog="echo",
                    data=data, filled=[], options=[], updated_at=now,
                ))
            else:
                state.data = data
                state.updated_at = now
            return [Outbound(event.platform, event.chat_id, "ok")]


async def run_minimal(db: Path, people_count: int, inbounds: list[Inbound]) -> RunResult:
    engine, sessions = await prepare_db(db, people_count)
    try:
        clock = FixedClock(START)
        handler = MinimalHandler(sessions, clock)
        times = []
        result = RunResult(times, 0.0)
        settle()
        cpu, wall = time.process_time(), time.perf_counter()
        for inbound in inbounds:
            clock.set(inbound.at)
            start = time.perf_counter()
            messages = await handler.handle(inbound)
            times.append(time.perf_counter() - start)
            if len(messages) != 1:
                raise RuntimeError(f"minimal handler dropped {inbound.message_id}")
        result.wall = time.perf_counter() - wall
        result.cpu = time.process_time() - cpu
        await check_minimal(sessions, inbounds)
    finally:
        await engine.dispose()
    return result


async def check_minimal(sessions, inbounds: list[Inbound]) -> None:
    async with sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(DialogState))
    if stored != len({i.user_id for i in inbounds}):
        raise RuntimeError(f"minimal handler stored {stored} states")


# --- reporting ----------------------------------------------------------------


def git_commit() -> str:
    """The commit, and whether the product's own files differ from it."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", *PRODUCT_DIRS],
                                 capture_output=True, text=True).stdout.splitlines()
    except OSError:
        return "?"
    if not head:
        return "?"
    return head + (f" + uncommitted changes in {len(changed)} product files" if changed else "")


def med(values) -> float:
    return statistics.median(values)


def table(full: list[RunResult], minimal: list[RunResult]) -> str:
    def row(name, results):
        return (f"| {name} | {med([r.eps for r in results]):,.0f} | {med([r.mean_ms for r in results]):.2f} "
                f"| {med([r.p50_ms for r in results]):.2f} | {med([r.p99_ms for r in results]):.2f} "
                f"| {min(r.eps for r in results):,.0f}–{max(r.eps for r in results):,.0f} |")

    ratio_p50 = med([f.p50_ms / m.p50_ms for f, m in zip(full, minimal)])
    ratio_mean = med([f.mean_ms / m.mean_ms for f, m in zip(full, minimal)])
    ratio_p99 = med([f.p99_ms / m.p99_ms for f, m in zip(full, minimal)])
    lines = [
        "| handler | events/s | mean ms | p50 ms | p99 ms | events/s range over runs |",
        "|---|---:|---:|---:|---:|---:|",
        row("full pipeline (Core.handle)", full),
        row("minimal (claim + store + \"ok\")", minimal),
        f"| **ratio full / minimal** | — | **{ratio_mean:.1f}×** | **{ratio_p50:.1f}×** | {ratio_p99:.1f}× | — |",
    ]
    return "\n".join(lines)


def sql_summary(counts: list[Counter], inbounds: list[Inbound], top: int = 15) -> str:
    per_event = [sum(c.values()) for c in counts]
    total = Counter()
    for c in counts:
        total.update(c)
    kinds = Counter()
    for statement, n in total.items():
        kinds[_shorten(statement)] += n
    lines = [
        f"SQL statements per event: mean {statistics.fmean(per_event):.1f}, median {med(per_event):.0f}, "
        f"max {max(per_event)} (minimal handler: 5 — SAVEPOINT, INSERT, RELEASE, SELECT, INSERT or UPDATE)",
        "",
        "| statements per event | statement (shortened) |",
        "|---:|---|",
    ]
    for statement, n in kinds.most_common(top):
        lines.append(f"| {n / len(counts):.2f} | `{statement}` |")
    return "\n".join(lines)


def _shorten(statement: str) -> str:
    s = " ".join(statement.split())
    s = re.sub(r"\(\?(, \?)*\)", "(?…)", s)
    s = re.sub(r"(IN \()[^)]*\)", r"\1…)", s)
    if s.startswith("SELECT"):
        frm = s.find(" FROM ")
        cols = s[7:frm]
        s = "SELECT " + (cols[:40] + "…" if len(cols) > 40 else cols) + s[frm:]
    return s[:200] + ("…" if len(s) > 200 else "")


async def profile_full(db: Path, people: int, script: list[Step], files_dir: Path, top: int = 30) -> str:
    profiler = cProfile.Profile()
    result, _, inbounds, counts = await run_full(db, people, script, files_dir, profiler=profiler, count_sql=True)
    out = io.StringIO()
    out.write(f"One full run under cProfile + SQL counting: {len(script):,} events, "
              f"{sum(result.times):.1f} s in Core.handle (profiled, slower than the timed runs).\n\n")
    out.write(sql_summary(counts, inbounds) + "\n\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs()
    out.write("### top by cumulative time\n\n```\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write("```\n\n### top by own time\n\n```\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write("```\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark scripted conversations through the conversation core.")
    parser.add_argument("--events", type=int, default=10_000, help="scripted events per run (default 10000)")
    parser.add_argument("--people", type=int, default=500, help="generated officers (default 500)")
    parser.add_argument("--runs", type=int, default=3, help="runs, each on fresh databases (default 3)")
    parser.add_argument("--profile", action="store_true", help="also profile one full run (cProfile, SQL counts)")
    parser.add_argument("--sequential", action="store_true",
                        help="run the minimal handler over the whole script after (or before) the full one, "
                             "instead of event by event alongside it")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.events < 1 or args.people < 1:
        parser.error("--runs, --events and --people must be at least 1")

    commit = git_commit()  # before the runs: the code imported is the code of this moment
    full: list[RunResult] = []
    minimal: list[RunResult] = []
    profile = None
    with tempfile.TemporaryDirectory(prefix="tiendo-bench-conv-") as tmp_name:
        tmp = Path(tmp_name)
        files_dir = tmp / "files"

        async def setup_script() -> list[Step]:
            engine, sessions = await prepare_db(tmp / "script.db", args.people)
            try:
                people = await load_people(sessions, args.people)
            finally:
                await engine.dispose()
            return build_script(people, args.events)

        script = asyncio.run(setup_script())
        reference: list[Inbound] | None = None
        load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
        for run in range(args.runs):
            if args.sequential and reference is not None and run % 2 == 1:  # alternate: minimal first
                minimal.append(asyncio.run(run_minimal(tmp / f"min{run}.db", args.people, reference)))
            result, paired, inbounds, _ = asyncio.run(run_full(
                tmp / f"full{run}.db", args.people, script, files_dir,
                minimal_db=None if args.sequential else tmp / f"min{run}.db",
            ))
            full.append(result)
            if paired is not None:
                minimal.append(paired)
            if reference is None:
                reference = inbounds
            elif inbounds != reference:
                print(f"warning: run {run + 1} resolved the script into other events than run 1", file=sys.stderr)
            if args.sequential and run % 2 == 0:
                minimal.append(asyncio.run(run_minimal(tmp / f"min{run}.db", args.people, reference)))
            for leftover in tmp.glob("*.db*"):
                if not leftover.name.startswith("script"):
                    leftover.unlink()
        load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
        if args.profile:
            profile = asyncio.run(profile_full(tmp / "profile.db", args.people, script, files_dir))

    first = full[0]
    eps = med([r.eps for r in full])
    ratio_p50 = med([f.p50_ms / m.p50_ms for f, m in zip(full, minimal)])
    ratio_mean = med([f.mean_ms / m.mean_ms for f, m in zip(full, minimal)])
    print(f"## Conversation benchmark ({args.events:,} events, {args.people} people, {args.runs} runs, "
          f"fresh SQLite file database per run and handler)\n")
    print(f"Commit {commit}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
          + (f", load average {load_before[0]:.1f} before / {load_after[0]:.1f} after" if load_before else "") + "\n")
    cpu_share = med([r.cpu / r.wall for r in full])
    if cpu_share < 0.85:
        print(f"**The benchmark process was on a CPU only {cpu_share:.0%} of the time: the machine was busy with "
              "other work (or the disk was slow). Absolute figures are pessimistic; the ratio is the steadier "
              "figure" + ("" if args.sequential else " (both handlers see each event back to back)") + ".**\n")
    print(table(full, minimal))
    print()
    print("- events/s: events / Σ time in handle; mean/p50/p99: time of one `await handle(event)`; "
          "medians over runs (ratios: per run, then median)")
    if args.sequential:
        print(f"- sequential: each handler on the whole script in turn (which goes first alternates by run); "
              f"loop wall time, run 1: full {first.wall:.1f} s, minimal {minimal[0].wall:.1f} s; "
              f"process CPU / wall: full {med([r.cpu / r.wall for r in full]):.0%}, "
              f"minimal {med([r.cpu / r.wall for r in minimal]):.0%}")
    else:
        print(f"- interleaved: each event goes to the full pipeline, then the same Inbound to the minimal handler "
              f"(own database, same setup); loop wall time, run 1: {first.wall:.1f} s; process CPU / wall "
              f"{med([r.cpu / r.wall for r in full]):.0%} (below ~100 %: waiting for the disk or for other processes)")
    block = max(1, args.events // 10)

    def blocks(result: RunResult) -> str:
        return " · ".join(f"{1000 * statistics.fmean(result.times[i:i + block]):.1f}"
                          for i in range(0, len(result.times), block))

    print(f"- mean ms per event by blocks of {block:,} events, run 1 — full: {blocks(first)}; "
          f"minimal: {blocks(minimal[0])}")
    print(f"\nGoal 1: at least {GOAL_EPS:.0f} events/s through the full pipeline — "
          f"{'PASS' if eps >= GOAL_EPS else 'FAIL'} ({eps:,.0f} events/s)")
    verdict = "PASS" if ratio_p50 <= GOAL_RATIO else "FAIL"
    print(f"Goal 2: at most {GOAL_RATIO:.0f}× the minimal handler's time per event — {verdict} "
          f"(p50 {ratio_p50:.1f}×, mean {ratio_mean:.1f}×; judged on p50)")

    print("\n### Sanity (run 1)\n")
    recorded = first.outcomes["report recorded"]
    hints = sum(n for k, n in first.outcomes.items() if k.startswith("hint:"))
    print(f"- status updates in the database at the end: {first.status_updates:,} "
          f"(replies \"Đã ghi báo cáo\": {recorded:,}{'' if recorded == first.status_updates else ' — MISMATCH'})")
    print(f"- events answered with an error hint: {hints:,}; stuck alerts sent to leaders: {first.alerts:,}; "
          f"presses not on offer (typed instead): {first.fallbacks:,}")
    print(f"- other runs: status updates {[r.status_updates for r in full[1:]]}")
    print("\n| first reply of the event | events |\n|---|---:|")
    for outcome, n in sorted(first.outcomes.items(), key=lambda item: -item[1]):
        print(f"| {outcome} | {n:,} |")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "events": args.events, "people": args.people, "runs": args.runs,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "full": [{"eps": r.eps, "mean_ms": r.mean_ms, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms} for r in full],
            "minimal": [{"eps": r.eps, "mean_ms": r.mean_ms, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms} for r in minimal],
            "ratio_p50": ratio_p50, "ratio_mean": ratio_mean,
            "goals": {"eps": eps >= GOAL_EPS, "ratio": ratio_p50 <= GOAL_RATIO},
            "status_updates": first.status_updates, "outcomes": dict(first.outcomes),
        }, ensure_ascii=False, indent=1))
    if profile:
        print("\n## Profile of one full run\n")
        print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
