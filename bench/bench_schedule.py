"""Benchmark: the scheduler at province size (10,000 tasks, 2,000 people, 300 groups).

Run from the project root, in the project's virtualenv:

    python bench/bench_schedule.py [--runs 3] [--out bench/out] [--profile tick|digests]

What it does:

1. Builds, deterministically (seeded), a migrated SQLite file: one plan of
   10,000 tasks in 7 areas led by 150 units (15 departments of 9 sub-units
   each, 3 % of tasks led by a group of 5 units; 15 % recurring, 5 %
   conditional, the rest due across 2026), 2,000 people (a leader per unit,
   the rest officers, 20 organisation-wide leaders), each with a Telegram
   account, 24,000 status updates in the first half of 2026, and 300 Telegram
   groups linked to the whole plan (10) or to a unit (the others, each unit
   about twice). Built once into --out and reused.
2. For each run, on a fresh copy of that file (nothing claimed yet):
   - "tick, first of the day": Tuesday 23/06/2026 07:30, the day of the
     quarter report's 7-day reminders (every unit with unreported tasks), plus
     the task reminders and overdue reminders standing that day: the whole
     tick (read, plan, claim, log, render, enqueue, commit);
   - "tick, steady": the same at 07:31, when everything is claimed (the cost
     of the tick that runs every minute);
   - "300 digests with charts": Friday 26/06/2026 16:00, composing each
     group's digest (text fitted to Telegram's caption, chart PNG) from one
     read of the data, with an empty chart folder; charts are shared by
     groups that show the same figures (same scope), so the number drawn is
     reported;
   - "tick with 300 digests": the Friday 16:00 tick itself (digests claimed
     and enqueued with their reminders);
   - "300 distinct charts": the worst case, 300 charts none of which is shared.
3. Prints a Markdown table of medians and the goal lines (tick < 2 s,
   300 digests < 30 s); exits 0 whatever the figures, non-zero if a run fails
   or sends nothing. Results also go to <out>/schedule_results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import resource
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select

from storage.db import create_engine, migrate, session_factory
from storage.models import (
    Area,
    Assignment,
    ChatIdentity,
    GroupLink,
    OutboxMessage,
    Person,
    Plan,
    StatusUpdate,
    Task,
    Unit,
    UnitGroup,
    UnitGroupMember,
)

SEED = 2026
TASKS, PEOPLE, GROUPS, DEPARTMENTS, SUBUNITS = 10_000, 2_000, 300, 15, 9
UPDATES = 24_000
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_TICK = datetime(2026, 6, 23, 7, 30, tzinfo=ZONE)
DIGEST_TICK = datetime(2026, 6, 26, 16, 0, tzinfo=ZONE)
AREAS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"), ("II", "CẢI CÁCH THỂ CHẾ"), ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY"), ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ"), ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG"),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ"),
]
DEPARTMENT_NAMES = ["Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Xây dựng", "Sở Y tế", "Sở Công Thương",
                    "Sở Giáo dục và Đào tạo", "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ",
                    "Sở Nông nghiệp và Môi trường", "Sở Dân tộc và Tôn giáo", "Thanh tra tỉnh",
                    "Văn phòng UBND tỉnh", "Ban Quản lý Khu kinh tế", "Sở Ngoại vụ"]
SUBUNIT_NAMES = ["Văn phòng", "Thanh tra", "Phòng Kế hoạch – Tài chính", "Phòng Tổ chức cán bộ",
                 "Phòng Pháp chế", "Phòng Quản lý chuyên ngành", "Trung tâm Dịch vụ công", "Chi cục Quản lý",
                 "Phòng Chuyển đổi số"]
VERBS = ["Rà soát", "Ban hành", "Xây dựng", "Tổ chức", "Triển khai", "Kiểm tra", "Tuyên truyền", "Số hóa"]
OBJECTS = ["kế hoạch CCHC", "quy chế làm việc", "danh mục TTHC", "hồ sơ công việc", "văn bản QPPL",
           "quy trình nội bộ", "cơ sở dữ liệu", "vị trí việc làm", "dịch vụ công trực tuyến"]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the chart workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _due(rng: random.Random) -> tuple[date | None, bool, bool, str]:
    roll = rng.random()
    if roll < 0.15:
        return None, True, False, "Thường xuyên"
    if roll < 0.20:
        return None, False, True, "Khi có văn bản hướng dẫn"
    day = date(2026, 1, 15) + timedelta(days=rng.randint(0, 350))
    return day, False, False, f"trước ngày {day:%d/%m/%Y}"


async def build(db: Path) -> None:
    rng = random.Random(SEED)
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        plan = Plan(name="KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026", number="181/KH-UBND", year=2026,
                    issuing_unit="UBND tỉnh", imported_at=datetime(2026, 1, 5, tzinfo=ZONE))
        session.add(plan)
        await session.flush()
        areas = [Area(plan_id=plan.id, code=code, name=name, position=i) for i, (code, name) in enumerate(AREAS)]
        session.add_all(areas)
        departments = [Unit(name=name, key=f"dept {i}") for i, name in enumerate(DEPARTMENT_NAMES)]
        session.add_all(departments)
        await session.flush()
        subunits = [Unit(name=f"{sub} {dept.name}", key=f"sub {d} {s}", parent_id=dept.id)
                    for d, dept in enumerate(departments) for s, sub in enumerate(SUBUNIT_NAMES)]
        session.add_all(subunits)
        await session.flush()
        units = departments + subunits[: len(subunits) - len(departments)]  # 150 units in all
        groups = []
        for g in range(20):
            group = UnitGroup(name=f"Các đơn vị khối {g + 1}", key=f"group {g}", all_units=False)
            session.add(group)
            groups.append(group)
        await session.flush()
        await session.execute(insert(UnitGroupMember), [
            {"group_id": group.id, "unit_id": unit.id} for group in groups for unit in rng.sample(units, 5)
        ])
        people, identity = [], 200_000
        for unit in units:
            people.append({"name": f"Lãnh đạo {unit.name}", "unit_id": unit.id, "role": "leader"})
        for n in range(20):
            people.append({"name": f"Lãnh đạo tỉnh {n + 1}", "unit_id": None, "role": "leader"})
        while len(people) < PEOPLE:
            people.append({"name": f"Cán bộ {len(people):04d}", "unit_id": units[len(people) % len(units)].id,
                           "role": "officer"})
        await session.execute(insert(Person), people)
        person_ids = list((await session.scalars(select(Person.id).order_by(Person.id))).all())
        await session.execute(insert(ChatIdentity), [
            {"person_id": pid, "platform": "telegram", "external_id": str(identity + i), "unreachable_at": None}
            for i, pid in enumerate(person_ids)
        ])
        rows, numbers = [], {a.code: 0 for a in areas}
        for position in range(TASKS):
            area = areas[position * len(areas) // TASKS]
            numbers[area.code] += 1
            due, recurring, conditional, timeline = _due(rng)
            rows.append({
                "plan_id": plan.id, "area_id": area.id, "code": f"{area.code}.{numbers[area.code]}",
                "position": position, "content": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} đợt {position + 1}",
                "evidence": rng.choice(["Kế hoạch", "Báo cáo", "Quyết định", None]), "timeline": timeline,
                "due_date": due, "recurring": recurring, "conditional": conditional, "milestones": [],
                "budget_vnd": None, "budget_text": None, "note": None, "warnings": [], "active": True,
            })
        await session.execute(insert(Task), rows)
        task_ids = list((await session.scalars(select(Task.id).order_by(Task.position))).all())
        assignments = []
        for task_id in task_ids:
            if rng.random() < 0.03:
                assignments.append({"task_id": task_id, "role": "lead", "position": 0, "unit_id": None,
                                    "group_id": rng.choice(groups).id})
            else:
                assignments.append({"task_id": task_id, "role": "lead", "position": 0,
                                    "unit_id": rng.choice(units).id, "group_id": None})
            if rng.random() < 0.5:
                assignments.append({"task_id": task_id, "role": "coordinating", "position": 1,
                                    "unit_id": rng.choice(units).id, "group_id": None})
        await session.execute(insert(Assignment), assignments)
        start, end = datetime(2026, 1, 5, 8, 0, tzinfo=ZONE), datetime(2026, 6, 22, 17, 0, tzinfo=ZONE)
        span = (end - start).total_seconds()
        progress = dict.fromkeys(task_ids, 0)
        updates = []
        for at in sorted(start + timedelta(seconds=rng.random() * span) for _ in range(UPDATES)):
            task_id = rng.choice(task_ids)
            progress[task_id] = min(100, progress[task_id] + rng.choice([20, 30, 50]))
            status = "done" if progress[task_id] >= 100 else ("stuck" if rng.random() < 0.05 else "in_progress")
            updates.append({
                "task_id": task_id, "status": status, "percent": progress[task_id] if status == "in_progress" else None,
                "evidence": "Văn bản số 12/VP" if status == "done" else None, "file_ref": None,
                "note": "Chưa có hướng dẫn" if status == "stuck" else None, "reporter_id": rng.choice(person_ids),
                "reported_at": at, "source": "telegram", "corrects_id": None,
            })
        await session.execute(insert(StatusUpdate), updates)
        links = []
        for g in range(GROUPS):
            scope = None if g < 10 else units[(g - 10) % len(units)].id
            links.append({"platform": "telegram", "chat_id": str(-1_000_000 - g), "scope_unit_id": scope,
                          "linked_by_id": None, "linked_at": datetime(2026, 6, 22, 17, 0, tzinfo=ZONE), "active": True,
                          "digest_weekday": None, "digest_time": None, "digest_enabled": True})
        await session.execute(insert(GroupLink), links)
    await engine.dispose()


class Settings:
    """The bot's settings with the files under the benchmark's folder."""

    def __new__(cls, files_dir: Path, database: Path):
        from bot.settings import Settings as Real

        return Real(database_url=f"sqlite+aiosqlite:///{database}", files_dir=files_dir)


async def run_once(db: Path, work: Path, profile: str | None) -> dict:
    from domain.clock import FixedClock
    from domain.digest import Bar
    from services.charts import chart_path
    from services.digest import compose, draw_charts, load_source
    from services.scheduler import Scheduler

    copy = work / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copy(db, copy)
    files = work / "files"
    shutil.rmtree(files, ignore_errors=True)
    settings = Settings(files, copy)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    clock = FixedClock(FIRST_TICK)
    scheduler = Scheduler(sessions, clock, settings)
    profiler = cProfile.Profile() if profile else None
    result = {}

    async def timed(name, coroutine_factory, profiled=False):
        if profiled and profiler:
            profiler.enable()
        started, cpu = time.perf_counter(), _cpu()
        value = await coroutine_factory()
        result[name] = time.perf_counter() - started
        result[name[:-2] + "_cpu_s"] = _cpu() - cpu
        if profiled and profiler:
            profiler.disable()
        return value

    first = await timed("tick_first_s", lambda: scheduler.tick(FIRST_TICK), profile == "tick")
    result["tick_first_messages"] = len(first.messages)
    steady = await timed("tick_steady_s", lambda: scheduler.tick(FIRST_TICK + timedelta(minutes=1)))
    result["tick_steady_messages"] = len(steady.messages)

    async def digests():
        async with sessions() as session:
            source = await load_source(session, settings, DIGEST_TICK)
            links = (await session.scalars(select(GroupLink).order_by(GroupLink.id))).all()
        composed = [compose(source, link.scope_unit_id, link.platform, draw=False) for link in links]
        await draw_charts(source.files_dir, composed)
        return composed

    composed = await timed("digests_s", digests, profile == "digests")
    result["digests"] = len(composed)
    result["charts_drawn"] = len({m.files[0] for m in composed if m.files})
    result["digest_chars_max"] = max(len(m.text) for m in composed)
    shutil.rmtree(files / "charts", ignore_errors=True)
    friday = await timed("tick_digests_s", lambda: scheduler.tick(DIGEST_TICK))
    result["tick_digests_messages"] = len(friday.messages)
    result["tick_digests_groups"] = sum(1 for m in friday.messages if m.chat_id.startswith("-"))

    legend = ("Hoàn thành trong hạn", "Hoàn thành quá hạn", "Đang thực hiện, trong hạn", "Quá hạn")
    rng = random.Random(SEED)

    async def distinct():
        from services.digest import DigestMessage

        messages = []
        for n in range(GROUPS):
            bars = [Bar(f"{code}. Lĩnh vực {name.lower()}", tuple(rng.randint(0, 40) for _ in range(4)))
                    for code, name in AREAS]
            spec = (f"Tiến độ theo lĩnh vực, biểu đồ {n}", legend, bars)
            messages.append(DigestMessage("", [str(chart_path(files / "distinct", *spec))], spec))
        await draw_charts(files / "distinct", messages)

    await timed("charts_distinct_s", distinct)
    async with sessions() as session:
        result["outbox_rows"] = await session.scalar(select(func.count()).select_from(OutboxMessage))
    await engine.dispose()
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--profile", choices=("tick", "digests"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / f"bench_schedule_{TASKS}_{PEOPLE}_{GROUPS}_{SEED}.db"
    if not db.exists():
        started = time.perf_counter()
        asyncio.run(build(db))
        print(f"built {db.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    work = out / "schedule_run"
    work.mkdir(exist_ok=True)
    runs = []
    for n in range(args.runs):
        runs.append(asyncio.run(run_once(db, work, args.profile if n == 0 else None)))
        print(json.dumps(runs[-1]), file=sys.stderr)
    if not runs[0]["tick_first_messages"] or not runs[0]["tick_digests_groups"]:
        print("the scheduler sent nothing", file=sys.stderr)
        return 1

    def median(key):
        return statistics.median(r[key] for r in runs)

    r = runs[0]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Scheduler at province size: {TASKS:,} tasks, {PEOPLE:,} people, {GROUPS} groups "
          f"(median of {len(runs)}; load average {load:.1f} on {os.cpu_count()} CPUs)\n")
    print("| what | wall, median | min | max | CPU, median | detail |")
    print("|---|---|---|---|---|---|")
    rows = [
        ("tick, first of the day (23/06 07:30)", "tick_first_s", f"{r['tick_first_messages']} messages"),
        ("tick, steady (07:31, all claimed)", "tick_steady_s", f"{r['tick_steady_messages']} messages"),
        ("300 digests with charts (compose)", "digests_s",
         f"{r['digests']} digests, {r['charts_drawn']} charts drawn, longest text {r['digest_chars_max']} chars"),
        ("tick with 300 digests (26/06 16:00)", "tick_digests_s",
         f"{r['tick_digests_messages']} messages, {r['tick_digests_groups']} digests"),
        ("300 distinct charts (worst case)", "charts_distinct_s", "no chart shared"),
    ]
    for label, key, detail in rows:
        values = [run[key] for run in runs]
        cpu = median(key[:-2] + "_cpu_s")
        print(f"| {label} | {median(key):.2f} s | {min(values):.2f} s | {max(values):.2f} s | {cpu:.2f} s | {detail} |")
    print()
    tick = max(median("tick_first_s"), median("tick_steady_s"))
    digests = max(median("digests_s"), median("tick_digests_s"))
    print(f"Goal tick < 2 s: {'PASS' if tick < 2 else 'FAIL'} ({tick:.2f} s)")
    print(f"Goal 300 digests < 30 s: {'PASS' if digests < 30 else 'FAIL'} ({digests:.2f} s)")
    (out / "schedule_results.json").write_text(json.dumps({"runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
