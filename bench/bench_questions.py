"""Benchmark: leaders' questions on a province-sized database.

Run from the project root, in the project's virtualenv:

    python bench/bench_questions.py [--runs 30] [--out bench/out]

What it does (see bench/README.md):

1. Builds, deterministically (seeded), a province: 200 units (the provincial
   People's Committee, 19 departments with 10 units each), one plan of 10,000
   tasks in 7 areas, 200,000 status updates; into a SQLite file and, when
   TEST_POSTGRES_URL is set, into a schema of its own on that server (dropped
   afterwards).
2. For each kind of question, asks it `--runs` times through the real core
   (`Core.handle`, what a chat message goes through: person, conversation
   state, parse, queries, templates) and times, separately, the parse alone
   and a bare hand-written SQL query giving the rows the answer shows (its
   count and its first page, or its counts). The first answer is checked
   against the bare query's rows: a mismatch is an error.
3. Prints a Markdown table per database (p50 / p95 in milliseconds; ratio =
   answer p50 / bare p50) and the goal lines; results also go to
   `<out>/questions.json`. Exits non-zero only if an answer is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import App
from bot.settings import Settings
from bot.wiring import build_core
from domain.clock import FixedClock
from domain.messages import Inbound
from domain.questions import QuestionParser
from domain.text import key
from domain.unit_mentions import UnitMentions
from domain.units import KnownUnit
from storage.db import create_engine, migrate, session_factory
from storage.models import (
    Area,
    Assignment,
    ChatIdentity,
    Person,
    Plan,
    StatusUpdate,
    Task,
    Unit,
    UnitAlias,
    UnitGroup,
    UnitGroupMember,
)

SEED = 2026
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 4, 15, 9, 0, tzinfo=ZONE)
TODAY = NOW.date()
UNITS, TASKS, UPDATES = 200, 10_000, 200_000
GOAL_P95_MS, GOAL_RATIO = 50.0, 2.0

AREAS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"), ("II", "CẢI CÁCH THỂ CHẾ"), ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY"), ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ"), ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG"),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH PHỦ ĐIỆN TỬ, CHÍNH PHỦ SỐ"),
]
DEPARTMENTS = [
    ("Sở Nội vụ", "SNV"), ("Sở Tư pháp", "STP"), ("Sở Tài chính", "STC"), ("Sở Xây dựng", "SXD"),
    ("Sở Y tế", "SYT"), ("Sở Công Thương", "SCT"), ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Khoa học và Công nghệ", "SKHCN"), ("Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"), ("Sở Dân tộc và Tôn giáo", "SDTTG"), ("Sở Ngoại vụ", "SNgV"),
    ("Thanh tra tỉnh", "TTT"), ("Ban Quản lý các khu công nghiệp", "BQLKCN"), ("Văn phòng UBND tỉnh", "VPUBND"),
    ("Sở Lao động và Việc làm", "SLĐVL"), ("Đài Phát thanh và Truyền hình tỉnh", "PTTH"),
    ("Trường Chính trị tỉnh", "TCT"), ("Ban Quản lý dự án đầu tư xây dựng tỉnh", "BQLDA"),
]
# The units of each department: "{name} – {department}" keeps every name distinct.
SUBUNITS = [
    "Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch – Tài chính", "Phòng Pháp chế", "Phòng Thanh tra",
    "Phòng Quản lý chuyên ngành", "Phòng Cải cách hành chính", "Trung tâm Dịch vụ công", "Trung tâm Công nghệ số",
    "Chi cục Quản lý chất lượng",
]
VERBS = [
    "Rà soát", "Xây dựng", "Triển khai", "Tổ chức tập huấn về", "Kiểm tra", "Tuyên truyền", "Tham mưu ban hành",
    "Theo dõi, đôn đốc", "Đánh giá", "Cập nhật", "Hướng dẫn", "Tổng hợp, báo cáo", "Duy trì", "Công khai",
    "Số hóa",
]
OBJECTS = [
    "kế hoạch cải cách hành chính", "thủ tục hành chính thuộc thẩm quyền giải quyết", "văn bản quy phạm pháp luật",
    "quy chế làm việc của cơ quan", "vị trí việc làm và cơ cấu ngạch công chức",
    "cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập", "hệ thống quản lý chất lượng TCVN ISO 9001:2015",
    "dịch vụ công trực tuyến toàn trình", "chữ ký số trong xử lý văn bản", "mức độ hài lòng của người dân",
    "công tác văn thư, lưu trữ điện tử", "phương án đơn giản hóa thủ tục hành chính nội bộ",
    "phản ánh, kiến nghị của cá nhân, tổ chức", "chỉ số cải cách hành chính (PAR INDEX)",
    "công tác đào tạo, bồi dưỡng cán bộ, công chức", "hồ sơ, kết quả giải quyết thủ tục hành chính",
    "kỷ luật, kỷ cương hành chính", "kế hoạch chuyển đổi số",
]
QUALIFIERS = ["", "", " năm 2026", " trên địa bàn tỉnh", " theo quy định", " tại các cơ quan, đơn vị"]


# --- the province ---------------------------------------------------------------------------


@dataclass
class Province:
    units: list[tuple[int, str, int | None]] = field(default_factory=list)  # id, name, parent
    aliases: list[tuple[int, str]] = field(default_factory=list)
    rows: dict[str, list[dict]] = field(default_factory=dict)  # table -> rows, in insertion order


def _due(rng: random.Random) -> tuple[date | None, bool, bool, str]:
    roll = rng.random()
    if roll < 0.10:
        return None, True, False, "Thường xuyên"
    if roll < 0.13:
        return None, False, True, "Khi có văn bản hướng dẫn"
    month = rng.choice([3, 6, 9, 12] * 3 + list(range(1, 13)))
    year = 2025 if rng.random() < 0.15 else 2026
    end = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
    if rng.random() < 0.2:
        end = end.replace(day=rng.randint(5, 28))
    return end, False, False, f"trước ngày {end:%d/%m/%Y}"


def build(seed: int = SEED) -> Province:
    rng = random.Random(seed)
    p = Province()
    p.units.append((1, "UBND tỉnh", None))
    for _d, (name, short) in enumerate(DEPARTMENTS):
        dept_id = len(p.units) + 1
        p.units.append((dept_id, name, 1))
        p.aliases.append((dept_id, short))
        for sub in SUBUNITS:
            if len(p.units) < UNITS:
                p.units.append((len(p.units) + 1, f"{sub} – {name}", dept_id))
    assert len(p.units) == UNITS
    now = NOW.astimezone(UTC)
    p.rows["plans"] = [dict(id=1, name="Kế hoạch CCHC tỉnh năm 2026", number="15/KH-UBND", year=2026,
                            issuing_unit="UBND tỉnh", source_file="bench", imported_at=now)]
    p.rows["areas"] = [dict(id=i + 1, plan_id=1, code=c, name=n, position=i) for i, (c, n) in enumerate(AREAS)]
    p.rows["units"] = [dict(id=i, name=n, key=key(n), parent_id=parent) for i, n, parent in p.units]
    p.rows["unit_aliases"] = [dict(id=i + 1, unit_id=u, alias=a, key=key(a)) for i, (u, a) in enumerate(p.aliases)]
    p.rows["unit_groups"] = [dict(id=1, name="Các phòng, ban, trung tâm", key="cac phong ban trung tam", all_units=True),
                             dict(id=2, name="Các sở, ngành", key="cac so nganh", all_units=False)]
    p.rows["unit_group_members"] = [dict(group_id=2, unit_id=i) for i, _, parent in p.units if parent == 1]
    tasks, assignments = [], []
    per_area = [0] * len(AREAS)
    for t in range(1, TASKS + 1):
        area = rng.randrange(len(AREAS))
        per_area[area] += 1
        due, recurring, conditional, timeline = _due(rng)
        content = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(QUALIFIERS)}"
        tasks.append(dict(id=t, plan_id=1, area_id=area + 1, code=f"{AREAS[area][0]}.{per_area[area]}", position=t,
                          content=content, evidence="Báo cáo", timeline=timeline, due_date=due, recurring=recurring,
                          conditional=conditional, milestones=[], warnings=[], active=True))
        roll = rng.random()
        lead = dict(unit_id=None, group_id=1 if roll < 0.03 else 2) if roll < 0.05 else dict(
            unit_id=rng.randint(2, UNITS), group_id=None)
        assignments.append(dict(task_id=t, role="lead", position=0, **lead))
        for k in range(rng.choice([0, 0, 1, 2])):
            assignments.append(dict(task_id=t, role="coordinating", position=k + 1, unit_id=rng.randint(2, UNITS),
                                    group_id=None))
    p.rows["tasks"] = tasks
    p.rows["assignments"] = [dict(id=i + 1, **a) for i, a in enumerate(assignments)]
    officers = [dict(id=1, name="Chủ tịch UBND tỉnh", unit_id=None, role="leader")]
    officers += [dict(id=i + 1, name=f"Cán bộ {n}", unit_id=u, role="officer") for i, (u, n, _) in enumerate(p.units[1:], 1)]
    officers.append(dict(id=len(officers) + 1, name="Giám đốc Sở Y tế", unit_id=_unit_id(p, "Sở Y tế"), role="leader"))
    p.rows["people"] = officers
    p.rows["chat_identities"] = [
        dict(id=1, person_id=1, platform="console", external_id="lanhdao"),
        dict(id=2, person_id=len(officers), platform="console", external_id="giamdoc"),
        dict(id=3, person_id=2, platform="console", external_id="canbo"),
    ]
    p.rows["status_updates"] = _updates(rng, tasks, {a["task_id"]: a["unit_id"] for a in assignments if a["role"] == "lead"})
    return p


def _unit_id(p: Province, name: str) -> int:
    return next(i for i, n, _ in p.units if n == name)


def _updates(rng: random.Random, tasks: list[dict], leads: dict[int, int | None]) -> list[dict]:
    """About 20 reports a task, 200,000 in all, from 01/11/2025 to the day before the clock."""
    start = datetime(2025, 11, 1, 8, tzinfo=ZONE).astimezone(UTC)
    span = (NOW - timedelta(days=1)).astimezone(UTC) - start
    weights = [rng.random() ** 2 for _ in tasks]
    counts = [0] * len(tasks)
    for index in rng.choices(range(len(tasks)), weights=weights, k=UPDATES):
        counts[index] += 1
    rows = []
    for task, n in zip(tasks, counts):
        times = sorted(start + span * rng.random() for _ in range(n))
        finishes = rng.random() < 0.55
        percent = 0
        for k, at in enumerate(times):
            last = k == n - 1
            if last and finishes:
                status, value = "done", None
            elif rng.random() < 0.04:
                status, value = "stuck", None
            else:
                percent = min(95, percent + rng.randint(1, 10))
                status, value = "in_progress", percent
            reporter = (leads[task["id"]] or 1)  # the lead unit's officer has the unit's id (UBND tỉnh: the leader)
            rows.append(dict(task_id=task["id"], status=status, percent=value, reporter_id=reporter,
                             reported_at=at, source="console", note="Chờ hướng dẫn" if status == "stuck" else None))
    for i, row in enumerate(rows, 1):
        row["id"] = i
    return rows


async def load(engine, province: Province) -> None:
    tables = [("plans", Plan), ("areas", Area), ("units", Unit), ("unit_aliases", UnitAlias),
              ("unit_groups", UnitGroup), ("unit_group_members", UnitGroupMember), ("tasks", Task),
              ("assignments", Assignment), ("people", Person), ("chat_identities", ChatIdentity),
              ("status_updates", StatusUpdate)]
    async with engine.begin() as conn:
        for name, model in tables:
            rows = province.rows[name]
            for chunk in range(0, len(rows), 5000):
                await conn.execute(insert(model), rows[chunk : chunk + 5000])
        if engine.dialect.name == "postgresql":
            for name, _ in tables:
                if name != "unit_group_members":
                    await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                            f"(SELECT max(id) FROM {name}))"))
    # As a database that has run for a while: statistics gathered, (PostgreSQL) visibility map set.
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


# --- questions and their bare queries -------------------------------------------------------

NEWEST = "SELECT s.id FROM status_updates s WHERE s.task_id = t.id ORDER BY s.reported_at DESC, s.id DESC LIMIT 1"


def newest_join(dialect: str) -> str:
    """Each task's newest report as each database does it best: PostgreSQL
    hash-joins on a correlated subquery, so LATERAL there."""
    if dialect == "postgresql":
        return ("LEFT JOIN LATERAL (SELECT s.status, s.percent FROM status_updates s WHERE s.task_id = t.id "
                "ORDER BY s.reported_at DESC, s.id DESC LIMIT 1) u ON TRUE")
    return f"LEFT JOIN status_updates u ON u.id = ({NEWEST})"

SINCE = """(SELECT n.{column} FROM status_updates n WHERE n.task_id = t.id AND n.status <> 'done'
  ORDER BY n.reported_at DESC, n.id DESC LIMIT 1)"""
FIRST_DONE = f"""(SELECT min(d.reported_at) FROM status_updates d WHERE d.task_id = t.id AND d.status = 'done'
  AND d.reported_at >= coalesce({SINCE.format(column="reported_at")}, :epoch)
  AND ({SINCE.format(column="reported_at")} IS NULL OR d.reported_at > {SINCE.format(column="reported_at")}
  OR d.id > {SINCE.format(column="id")}))"""
LEAD = """(SELECT coalesce(un.name, g.name) FROM assignments a LEFT JOIN units un ON un.id = a.unit_id
  LEFT JOIN unit_groups g ON g.id = a.group_id WHERE a.task_id = y.id AND a.role = 'lead' ORDER BY a.position LIMIT 1)"""
SUBTREE = "(SELECT id FROM units WHERE id = :unit OR parent_id = :unit)"


def led_by(units: str) -> str:
    return f"""t.id IN (SELECT a.task_id FROM assignments a WHERE a.role = 'lead'
  AND (a.unit_id IN {units} OR a.group_id IN (SELECT id FROM unit_groups WHERE all_units)
  OR a.group_id IN (SELECT group_id FROM unit_group_members WHERE unit_id IN {units})))"""


LED_BY_SUBTREE = led_by(SUBTREE)


def page_sql(dialect: str, where: str, status: str = "TRUE", extra: str = "", done_at: bool = False) -> str:
    """The count and the first page of tasks, as a person would write it."""
    return f"""SELECT y.code, y.total, {LEAD} AS lead FROM (
  SELECT x.*, count(*) OVER () AS total FROM (
    SELECT t.id, t.code, t.content, t.due_date, t.position, t.recurring, coalesce(u.status, 'not_started') AS status,
      u.percent{", " + FIRST_DONE + " AS done_at" if done_at else ""}
    FROM tasks t {newest_join(dialect)}
    WHERE t.plan_id = 1 AND t.active AND {where}) x
  WHERE {status} {extra}
  ORDER BY x.due_date IS NULL, x.due_date, x.position LIMIT 8) y ORDER BY y.due_date IS NULL, y.due_date, y.position"""


def local_day(column: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"date({column}, '+7 hours')"
    return f"(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"


@dataclass
class Kind:
    name: str
    user: str
    question: str
    bare: object  # (dialect) -> [(sql, params)]
    check: str  # how the answer is compared with the bare rows: "page" | "progress" | "units" | "task"


OPEN = "x.status <> 'done'"


def kinds(province: Province) -> list[Kind]:
    health, justice = _unit_id(province, "Sở Y tế"), _unit_id(province, "Sở Tư pháp")
    legal = _unit_id(province, "Phòng Pháp chế – Sở Tư pháp")
    return [
        Kind("quá hạn, toàn tỉnh", "lanhdao", "nhiệm vụ nào quá hạn?",
             lambda d: [(page_sql(d, "NOT t.recurring AND t.due_date < :today", OPEN), {})], "page"),
        Kind("quá hạn, một sở (11 đơn vị)", "lanhdao", "Sở Y tế có việc nào quá hạn không?",
             lambda d: [(page_sql(d, f"NOT t.recurring AND t.due_date < :today AND {LED_BY_SUBTREE}", OPEN),
                         {"unit": health})], "page"),
        Kind("chưa xong, một phòng", "lanhdao", "phòng pháp chế sở tư pháp còn việc gì chưa xong?",
             lambda d: [(page_sql(d, LED_BY_SUBTREE, OPEN), {"unit": legal})], "page"),
        Kind("lĩnh vực, đếm", "lanhdao", "lĩnh vực III còn mấy việc chưa xong",
             lambda d: [(page_sql(d, "t.area_id = 3", OPEN), {})], "page"),
        Kind("sắp đến hạn", "lanhdao", "việc nào sắp đến hạn",
             lambda d: [(page_sql(d, "t.due_date >= :today AND t.due_date <= :soon", OPEN), {})], "page"),
        Kind("tháng 5, đếm", "lanhdao", "tháng 5 có bao nhiêu nhiệm vụ",
             lambda d: [(page_sql(d, "t.due_date >= :may1 AND t.due_date <= :may31"), {})], "page"),
        Kind("vướng mắc", "lanhdao", "việc nào đang vướng mắc?",
             lambda d: [(page_sql(d, "TRUE", "x.status = 'stuck'"), {})], "page"),
        Kind("hoàn thành quá hạn", "lanhdao", "hoàn thành quá hạn có mấy việc",
             lambda d: [(page_sql(d, "NOT t.recurring AND t.due_date IS NOT NULL", "x.status = 'done'",
                                  f"AND {local_day('x.done_at', d)} > x.due_date", done_at=True), {})], "page"),
        Kind("tìm theo nội dung", "lanhdao", "việc tập huấn thế nào",
             lambda d: [(page_sql(d, "t.content LIKE :words"), {"words": "%tập huấn%"})], "page"),
        Kind("tiến độ, toàn tỉnh", "lanhdao", "tiến độ kế hoạch thế nào", lambda d: [(progress_sql(d, ""), {})],
             "progress"),
        Kind("tiến độ, một sở", "lanhdao", "tiến độ Sở Tư pháp",
             lambda d: [(progress_sql(d, f"AND {LED_BY_SUBTREE}"), {"unit": justice})], "progress"),
        Kind("một nhiệm vụ", "lanhdao", "III.25 đến đâu rồi", lambda d: [
            ("SELECT t.id, t.code, t.content, t.due_date FROM tasks t WHERE t.plan_id = 1 AND t.code = 'III.25'", {}),
            ("SELECT s.status, s.percent, s.reported_at FROM status_updates s JOIN tasks t ON t.id = s.task_id "
             "WHERE t.plan_id = 1 AND t.code = 'III.25' ORDER BY s.reported_at, s.id", {}),
        ], "task"),
        Kind("chưa báo cáo quý này", "lanhdao", "đơn vị nào chưa báo cáo", lambda d: [(not_reported_sql(d), {})], "units"),
        Kind("cán bộ: quá hạn của đơn vị", "canbo", "việc nào quá hạn",
             lambda d: [(page_sql(d, f"NOT t.recurring AND t.due_date < :today AND {led_by('(:unit)')}", OPEN),
                         {"unit": 2})], "page"),
    ]


def progress_sql(dialect: str, where: str) -> str:
    late = f"t.due_date IS NOT NULL AND {local_day(FIRST_DONE, dialect)} > t.due_date"
    return f"""SELECT category, count(*) FROM (SELECT CASE
    WHEN t.recurring THEN 'recurring'
    WHEN coalesce(u.status, 'not_started') = 'done' THEN CASE WHEN {late} THEN 'done_late' ELSE 'done_on_time' END
    WHEN t.due_date < :today THEN 'overdue' ELSE 'open_on_time' END AS category
  FROM tasks t {newest_join(dialect)} WHERE t.plan_id = 1 AND t.active {where}) x GROUP BY category"""


def not_reported_sql(dialect: str) -> str:
    return f"""SELECT un.name, count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id
  JOIN units un ON un.id = a.unit_id
  {newest_join(dialect)}
  WHERE a.role = 'lead' AND t.plan_id = 1 AND t.active AND coalesce(u.status, 'not_started') <> 'done'
  AND a.unit_id NOT IN (SELECT a2.unit_id FROM assignments a2 JOIN status_updates s2 ON s2.task_id = a2.task_id
    WHERE a2.role = 'lead' AND a2.unit_id IS NOT NULL AND s2.reported_at >= :q_start AND s2.reported_at < :q_end)
  GROUP BY un.name ORDER BY un.name"""


def params(dialect: str) -> dict:
    def at(day: date):
        moment = datetime.combine(day, datetime.min.time(), ZONE).astimezone(UTC)
        return moment.replace(tzinfo=None).isoformat(" ", "microseconds") if dialect == "sqlite" else moment

    return {
        "today": TODAY, "soon": TODAY + timedelta(days=30), "may1": date(2026, 5, 1), "may31": date(2026, 5, 31),
        "q_start": at(date(2026, 4, 1)), "q_end": at(date(2026, 7, 1)),
        "epoch": datetime(1, 1, 1, tzinfo=UTC) if dialect != "sqlite" else "0001-01-01 00:00:00.000000",
    }


# --- timing ---------------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Timing:
    kind: str
    parse: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    answer_sql: list[float] = field(default_factory=list)
    answer_cpu: list[float] = field(default_factory=list)
    bare_cpu: list[float] = field(default_factory=list)

    def row(self) -> dict:
        out = {"kind": self.kind}
        for name in ("parse", "answer", "bare", "answer_sql", "answer_cpu", "bare_cpu"):
            values = getattr(self, name)
            out[name] = {"p50": statistics.median(values), "p95": pct(values, 0.95)}
        out["ratio"] = out["answer"]["p50"] / out["bare"]["p50"]
        out["ratio_sql"] = out["answer_sql"]["p50"] / out["bare"]["p50"]
        out["ratio_cpu"] = out["answer_cpu"]["p50"] / out["bare_cpu"]["p50"]
        return out


class StatementClock:
    """Time spent executing SQL statements (sent, run, rows fetched) on an engine."""

    def __init__(self, engine) -> None:
        self.total = 0.0
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, conn, *args) -> None:
        conn.info["started"] = time.perf_counter()

    def _after(self, conn, *args) -> None:
        self.total += time.perf_counter() - conn.info.pop("started")


async def timed(timing: Timing, name: str, work, clock: StatementClock | None = None) -> None:
    """Wall-clock time, the process's CPU time (the database runs in the
    process: SQLite in aiosqlite's thread; PostgreSQL's server is not counted)
    and, with a clock, the time in SQL statements."""
    if clock is not None:
        clock.total = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    await work
    getattr(timing, name).append(ms(time.perf_counter() - wall))
    if hasattr(timing, f"{name}_cpu"):
        getattr(timing, f"{name}_cpu").append(ms(time.process_time() - cpu))
    if clock is not None:
        getattr(timing, f"{name}_sql").append(ms(clock.total))


class WrongAnswer(Exception):
    pass


async def run_bare(engine, statements, values) -> list:
    rows = []
    async with engine.connect() as conn:
        for sql, extra in statements:
            rows = (await conn.execute(text(sql), {**values, **extra})).all()
    return rows


def compare(kind: Kind, answer: str, rows: list) -> None:
    """The answer shows what the bare query gives."""
    if kind.check == "page":
        codes = re.findall(r"^• ([IVX]+\.\d+) — ", answer, re.M)
        m = re.search(r"^(?:Có (\d+) nhiệm vụ|Không có nhiệm vụ nào)", answer, re.M)
        total = int(m.group(1) or 0) if m else None
        expected = ([r[0] for r in rows], rows[0][1] if rows else 0)
        got = (codes, total)
        if kind.question.startswith("việc tập huấn") and len(rows) == 1:
            got = ([answer.split(" — ")[0]], 1)
    elif kind.check == "progress":
        got = [int(n) for n in re.findall(r"^• .+?: (\d+)/", answer, re.M)]
        counts = dict(rows)
        expected = [counts.get(c, 0) for c in ("done_on_time", "done_late", "open_on_time", "overdue")]
    elif kind.check == "units":
        got = re.findall(r"^• (.+) — (\d+) nhiệm vụ", answer, re.M)
        expected = [(name, f"{count:02d}") for name, count in rows]
    else:
        got, expected = answer.split(" — ")[0], "III.25"
    if got != expected:
        raise WrongAnswer(f"{kind.name}: answer {got} but the bare query gives {expected}\n{answer}")


async def bench_engine(engine, sessions, province: Province, runs: int) -> list[dict]:
    settings = Settings(database_url="unused://", files_dir=Path(tempfile.mkdtemp()))
    clock = FixedClock(NOW)
    core = build_core(App(settings, sessions, clock))
    known = [KnownUnit(i, n, [a for u, a in province.aliases if u == i]) for i, n, _ in province.units]
    parser = QuestionParser(UnitMentions(known), dict(AREAS))
    values = params(engine.dialect.name)
    clock = StatementClock(engine)
    floor = Timing("floor")
    idle = Inbound(platform="console", chat_id="lanhdao", user_id="lanhdao", at=NOW, text="/huy")
    for _ in range(runs):
        await timed(floor, "answer", core.handle(idle))
    results = [{"kind": "/huy (a message that does nothing)", "floor": statistics.median(floor.answer)}]
    for kind in kinds(province):
        timing = Timing(kind.name)
        statements = kind.bare(engine.dialect.name)
        event = Inbound(platform="console", chat_id=kind.user, user_id=kind.user, at=NOW, text=kind.question)
        [first] = await core.handle(event)  # warms what a running bot has warm (parser, compiled SQL, pages)
        compare(kind, first.text, await run_bare(engine, statements, values))
        for _ in range(2):
            await core.handle(event)
            await run_bare(engine, statements, values)
        for _ in range(runs):
            started = time.perf_counter()
            parser.parse(kind.question, TODAY)
            timing.parse.append(ms(time.perf_counter() - started))
            await timed(timing, "answer", core.handle(event), clock)
            await timed(timing, "bare", run_bare(engine, statements, values))
        results.append(timing.row())
        print(f"  {kind.name}: answer p50 {results[-1]['answer']['p50']:.1f} ms", file=sys.stderr)
    return results


def table(title: str, results: list[dict]) -> str:
    lines = [
        f"**{title}**", "",
        "| question | parse p50 / p95 | answer p50 / p95 | its SQL p50 | bare SQL p50 / p95 | answer / bare | "
        "its SQL / bare | CPU p50 answer / bare |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "floor" in r:
            continue
        lines.append(
            f"| {r['kind']} | {r['parse']['p50']:.2f} / {r['parse']['p95']:.2f} | {r['answer']['p50']:.1f} / "
            f"{r['answer']['p95']:.1f} | {r['answer_sql']['p50']:.1f} | {r['bare']['p50']:.1f} / "
            f"{r['bare']['p95']:.1f} | {r['ratio']:.2f}× | {r['ratio_sql']:.2f}× | "
            f"{r['answer_cpu']['p50']:.1f} / {r['bare_cpu']['p50']:.1f} |"
        )
    floor = next(r["floor"] for r in results if "floor" in r)
    lines += ["", f"A message that does nothing (/huy) takes {floor:.1f} ms through the same core (p50)."]
    return "\n".join(lines)


def goals(results: list[dict]) -> str:
    results = [r for r in results if "floor" not in r]
    worst = max(results, key=lambda r: r["answer"]["p95"])
    ratio = max(results, key=lambda r: r["ratio"])
    return (
        f"p95 answer under {GOAL_P95_MS:.0f} ms: {'PASS' if worst['answer']['p95'] < GOAL_P95_MS else 'FAIL'} "
        f"(slowest: {worst['kind']}, {worst['answer']['p95']:.1f} ms); "
        f"answer at most {GOAL_RATIO:.0f}× the bare query: {'PASS' if ratio['ratio'] <= GOAL_RATIO else 'FAIL'} "
        f"(highest: {ratio['kind']}, {ratio['ratio']:.2f}×)"
    )


async def sqlite_run(province: Province, runs: int, tmp: Path) -> list[dict]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'province.db'}")
    try:
        await migrate(engine)
        await load(engine, province)
        return await bench_engine(engine, session_factory(engine), province, runs)
    finally:
        await engine.dispose()


async def postgres_run(url: str, province: Province, runs: int) -> list[dict]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate(engine)
        await load(engine, province)
        return await bench_engine(engine, session_factory(engine), province, runs)
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    province = build()
    print(f"province built in {time.perf_counter() - started:.1f} s: {len(province.units)} units, "
          f"{len(province.rows['tasks'])} tasks, {len(province.rows['status_updates'])} status updates",
          file=sys.stderr)
    out: dict = {"machine": platform.platform(), "python": platform.python_version(), "runs": args.runs}
    tables = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out["sqlite"] = asyncio.run(sqlite_run(province, args.runs, Path(tmp)))
        tables.append(table("SQLite (file, WAL)", out["sqlite"]) + "\n\n" + goals(out["sqlite"]))
        url = os.environ.get("TEST_POSTGRES_URL")
        if url:
            out["postgresql"] = asyncio.run(postgres_run(url, province, args.runs))
            tables.append(table("PostgreSQL", out["postgresql"]) + "\n\n" + goals(out["postgresql"]))
    except WrongAnswer as error:
        print(f"WRONG ANSWER: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "questions.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{UNITS} units, {TASKS:,} tasks, {UPDATES:,} status updates; times in ms, {args.runs} runs each; "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at the end.\n")
    print("\n\n".join(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
