"""Benchmark: the periodic report over 10,000 tasks and 200,000 status updates.

Run from the project root, in the project's virtualenv:

    python bench/bench_report.py [--runs 3] [--out bench/out] [--period 2026-Q2] [--profile]

What it does:

1. Builds, deterministically (seeded), a migrated SQLite file with one plan of
   10,000 tasks in 7 areas over 60 units (one lead and 0–2 coordinating units
   each; 15 % recurring, 5 % conditional, the rest due across 2026), 120
   officers, and 200,000 status updates spread over 2026 (about 20 per task,
   statuses moving forward, stuck ones with a note, done ones with evidence).
   Built once into --out and reused while the seed and sizes are the same.
2. For each format (docx, xlsx), in a fresh child interpreter, --runs times:
   gather the report data (storage.report_data.gather) and write the file,
   as `python -m bot report --period P --format F` does. Reports the median
   total, the median of the gathering step alone, and the child's peak RSS
   (VmHWM from /proc/self/status) with, in parentheses, the peak minus the
   RSS once the imports were done.
3. Prints a Markdown table and the goal line (< 3 s each); exits 0 whatever
   the figures, non-zero if a run fails or the report has the wrong number of
   tasks. Results also go to <out>/report_results.json.
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
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select

from storage.db import create_engine, migrate, session_factory
from storage.models import Area, Assignment, Person, Plan, StatusUpdate, Task, Unit

SEED = 2026
TASKS, UPDATES, UNITS, PEOPLE = 10_000, 200_000, 60, 120
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 28, 9, 0, tzinfo=ZONE)
GOAL_SECONDS = 3.0
AREAS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"), ("II", "CẢI CÁCH THỂ CHẾ"), ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY"), ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ"), ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG"),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ"),
]
VERBS = ["Rà soát", "Ban hành", "Xây dựng", "Tổ chức", "Triển khai", "Kiểm tra", "Tuyên truyền", "Số hóa"]
OBJECTS = ["kế hoạch CCHC", "quy chế làm việc", "danh mục TTHC", "hồ sơ công việc", "văn bản QPPL",
           "quy trình nội bộ", "cơ sở dữ liệu", "vị trí việc làm", "dịch vụ công trực tuyến"]


def _peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _due(rng: random.Random) -> tuple[date | None, bool, bool, str]:
    roll = rng.random()
    if roll < 0.15:
        return None, True, False, "Thường xuyên"
    if roll < 0.20:
        return None, False, True, "Khi có văn bản hướng dẫn"
    quarter = rng.randint(1, 4)
    end = [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)][quarter - 1]
    return end, False, False, f"Quý {['I', 'II', 'III', 'IV'][quarter - 1]}/2026"


async def build(db: Path) -> None:
    rng = random.Random(SEED)
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        plan = Plan(name="KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026", number="181/KH-VP", year=2026,
                    issuing_unit="Văn phòng UBND tỉnh", imported_at=NOW - timedelta(days=360))
        session.add(plan)
        await session.flush()
        areas = []
        for position, (code, name) in enumerate(AREAS):
            area = Area(plan_id=plan.id, code=code, name=name, position=position)
            session.add(area)
            areas.append(area)
        units = [Unit(name=f"Phòng nghiệp vụ {n:02d}", key=f"phong nghiep vu {n:02d}") for n in range(1, UNITS + 1)]
        session.add_all(units)
        await session.flush()
        people = [Person(name=f"Cán bộ {n:03d}", unit_id=units[n % UNITS].id, role="officer") for n in range(PEOPLE)]
        session.add_all(people)
        await session.flush()
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
                "budget_vnd": rng.choice([None, None, None, 14_000_000, 3_500_000]), "budget_text": None,
                "note": None, "warnings": [], "active": True,
            })
        await session.execute(insert(Task), rows)
        task_ids = list((await session.scalars(select(Task.id).where(Task.plan_id == plan.id).order_by(Task.position))).all())
        assignments = []
        for task_id in task_ids:
            chosen = rng.sample(units, 3)
            assignments.append({"task_id": task_id, "role": "lead", "position": 0, "unit_id": chosen[0].id, "group_id": None})
            for order in range(rng.randint(0, 2)):
                assignments.append({"task_id": task_id, "role": "coordinating", "position": order,
                                    "unit_id": chosen[1 + order].id, "group_id": None})
        await session.execute(insert(Assignment), assignments)
        start = datetime(2026, 1, 2, 8, 0, tzinfo=ZONE)
        span = (NOW - start).total_seconds()
        stamps = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(UPDATES))
        progress = dict.fromkeys(task_ids, 0)
        updates = []
        for at in stamps:
            task_id = rng.choice(task_ids)
            progress[task_id] = min(100, progress[task_id] + rng.choice([10, 20, 30]))
            status = "done" if progress[task_id] >= 100 else ("stuck" if rng.random() < 0.05 else "in_progress")
            updates.append({
                "task_id": task_id, "status": status,
                "percent": progress[task_id] if status == "in_progress" else None,
                "evidence": f"Văn bản số {rng.randint(1, 999)}/VP" if status == "done" else None,
                "file_ref": None, "note": "Chưa có hướng dẫn của cấp trên" if status == "stuck" else None,
                "reporter_id": rng.choice(people).id, "reported_at": at, "source": "console", "corrects_id": None,
            })
        for chunk in range(0, len(updates), 20_000):
            await session.execute(insert(StatusUpdate), updates[chunk:chunk + 20_000])
    await engine.dispose()


async def one_report(db: Path, fmt: str, period_text: str, out: Path, profile: bool) -> dict:
    from domain.periods import parse_period
    from services.reports import write_data
    from storage.report_data import gather
    from storage.tasks import current_plan

    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    sessions = session_factory(engine)
    rss_before = _rss_mib()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    async with sessions() as session:
        plan = await current_plan(session)
        data = await gather(session, plan, parse_period(period_text), zone=ZONE, now=NOW)
    gathered = time.perf_counter()
    path = write_data(data, fmt, out / f"bench_report.{fmt}")
    finished = time.perf_counter()
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    await engine.dispose()
    return {
        "format": fmt, "total_s": finished - started, "gather_s": gathered - started, "write_s": finished - gathered,
        "tasks": len(data.tasks), "reported": data.reported_in_period, "bytes": path.stat().st_size,
        "peak_rss_mib": _peak_rss_mib(), "rss_before_mib": rss_before,
    }


def child(args) -> int:
    result = asyncio.run(one_report(Path(args.db), args.format, args.period, Path(args.out), args.profile))
    print(json.dumps(result))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--period", default="2026-Q2")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child-format", dest="format", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.format:
        return child(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / f"bench_report_{TASKS}_{UPDATES}_{SEED}.db"
    if not db.exists():
        started = time.perf_counter()
        asyncio.run(build(db))
        print(f"built {db.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    results = {}
    for fmt in ("docx", "xlsx"):
        runs = []
        for _ in range(args.runs):
            command = [sys.executable, __file__, "--child-format", fmt, "--db", str(db), "--out", str(out),
                       "--period", args.period] + (["--profile"] if args.profile else [])
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            if args.profile:
                print(done.stderr, file=sys.stderr)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if any(r["tasks"] != TASKS for r in runs):
            print(f"wrong number of tasks in the {fmt} report: {runs[0]['tasks']}", file=sys.stderr)
            return 1
        results[fmt] = {
            "median_s": statistics.median(r["total_s"] for r in runs),
            "min_s": min(r["total_s"] for r in runs), "max_s": max(r["total_s"] for r in runs),
            "gather_median_s": statistics.median(r["gather_s"] for r in runs),
            "write_median_s": statistics.median(r["write_s"] for r in runs),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
            "peak_over_start_mib": max(r["peak_rss_mib"] - r["rss_before_mib"] for r in runs),
            "bytes": runs[0]["bytes"], "reported_tasks": runs[0]["reported"],
        }
    print(f"Report over {TASKS:,} tasks and {UPDATES:,} updates, period {args.period}, median of {args.runs} "
          f"(fresh interpreter each), {os.cpu_count()} CPUs\n")
    print("| format | total (median) | gather | write | peak RSS (over start) | file |")
    print("|---|---|---|---|---|---|")
    for fmt, r in results.items():
        print(f"| {fmt} | {r['median_s']:.2f} s (min {r['min_s']:.2f}, max {r['max_s']:.2f}) | {r['gather_median_s']:.2f} s "
              f"| {r['write_median_s']:.2f} s | {r['peak_rss_mib']:.0f} MiB ({r['peak_over_start_mib']:.0f}) "
              f"| {r['bytes'] / 1024:.0f} KiB |")
    verdict = all(r["median_s"] < GOAL_SECONDS for r in results.values())
    print(f"\nGoal: each format under {GOAL_SECONDS:.0f} s: {'PASS' if verdict else 'FAIL'}")
    (out / "report_results.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
