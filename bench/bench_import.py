"""Benchmark: importing a large plan file (parse + import + commit).

Run from the project root, in the project's virtualenv:

    python bench/bench_import.py [--runs 5] [--out bench/out] [--profile]

What it does (see bench/README.md):

1. Generates, deterministically (seeded), a 2,000-task XLSX plan over 150 units
   and a 300-task DOCX plan over 40 units, into ``--out``.
2. Imports each file ``--runs`` times, each time into a fresh, already migrated
   SQLite file database, timing parse + import + commit (as ``python -m bot
   import FILE`` does, in one transaction). Migration is not timed.
3. Measures peak memory of one import in a child process (a fresh interpreter).
4. Times a baseline: a plain ``INSERT`` executemany of as many rows as the file
   has tasks, through the same SQLAlchemy engine, into a one-table SQLite file,
   so the figures can be compared across machines (ratio import / baseline).
5. Prints a Markdown table and the goal line; exits 0 whatever the figures,
   non-zero only if something fails (e.g. the importer reads the wrong number
   of tasks, units or assignments from the generated files).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz
from sqlalchemy import func, select, text

from domain.text import key
from services.importers.plan_file import parse_plan_file
from services.texts import say
from storage.db import create_engine, migrate, session_factory
from storage.models import Assignment, Task, Unit, UnitGroup
from storage.plans import import_plan

SEED = 2026
PLAN_YEAR = 2026
NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
FIXED_TIME = datetime(2025, 12, 15, 8, 0, 0)  # document properties, zip entries
GOAL_TASKS, GOAL_SECONDS = 2000, 2.0

HEADER = [
    "STT", "Nội dung", "Tài liệu kiểm chứng", "Đơn vị chủ trì", "Đơn vị phối hợp",
    "Thời gian thực hiện", "Kinh phí (đồng)", "Ghi chú",
]
AREAS = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"),
    ("II", "CẢI CÁCH THỂ CHẾ"),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY"),
    ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ"),
    ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG"),
    ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH PHỦ ĐIỆN TỬ, CHÍNH PHỦ SỐ"),
]
GROUP = "Các phòng, ban, trung tâm"
# (text, weight)
TIMELINES = [
    ("Thường xuyên", 3), ("Trong năm", 5), ("Quý II/2026", 2), ("Tháng 6/2026", 2),
    ("Quý IV/2025; Trong năm", 1), ("Khi có văn bản hướng dẫn", 1),
]

# --- unit names --------------------------------------------------------------
# Distinct units of one province. Names that differ only by a number
# ("Phòng Kinh tế số 17" / "số 18") are NOT used: the importer's fuzzy unit
# matching (domain/units.py, fuzz.ratio >= 90) merges them into one unit, which
# would shrink the workload to a handful of units (see bench/README.md).
_UNITS_BY_TYPE = {
    "Phòng": [
        "Tư pháp", "Nội vụ", "Tài chính – Kế hoạch", "Văn hóa – Xã hội", "Kinh tế", "Kinh tế – Hạ tầng",
        "Quản lý đô thị", "Tài nguyên và Môi trường", "Y tế", "Giáo dục và Đào tạo",
        "Lao động – Thương binh và Xã hội", "Nông nghiệp và Phát triển nông thôn", "Dân tộc",
        "Hành chính – Tổng hợp", "Tổ chức cán bộ", "Kế hoạch – Tài vụ", "Pháp chế", "Thi đua – Khen thưởng",
        "Văn thư – Lưu trữ", "Công nghệ thông tin", "Quản lý chất lượng", "Kiểm soát thủ tục hành chính",
        "Xây dựng chính quyền", "Cải cách hành chính", "Kinh tế số", "Hợp tác quốc tế", "Đất đai",
        "Khoáng sản", "Quy hoạch – Kiến trúc", "Giao thông vận tải", "Bảo trợ xã hội", "Người có công",
        "Giáo dục tiểu học", "Giáo dục trung học", "Nghiệp vụ Y", "Nghiệp vụ Dược", "Kế toán", "Du lịch",
        "Thể dục thể thao", "Gia đình", "Quản lý ngân sách", "Tài chính đầu tư", "Quản lý giá và công sản",
        "Tin học – Thống kê", "Quản trị – Tài vụ", "Công chức – Viên chức", "Tổ chức biên chế",
        "Đào tạo – Bồi dưỡng", "Thanh tra – Pháp chế", "Quản lý khoa học", "Sở hữu trí tuệ",
        "Bưu chính – Viễn thông", "Báo chí – Xuất bản", "Quản lý xây dựng", "Nhà ở và Thị trường bất động sản",
        "Vật liệu xây dựng", "Quản lý vận tải", "Quản lý thương mại", "Quản lý công nghiệp", "Xúc tiến đầu tư",
        "Đăng ký kinh doanh", "Kinh tế đối ngoại", "Lãnh sự", "Kiểm tra văn bản", "Phổ biến giáo dục pháp luật",
        "Hành chính tư pháp", "Bổ trợ tư pháp", "Theo dõi thi hành pháp luật",
    ],
    "Trung tâm": [
        "Dịch vụ nông nghiệp", "Phục vụ hành chính công", "Công nghệ thông tin và Truyền thông",
        "Văn hóa – Thể thao và Truyền thanh", "Phát triển quỹ đất", "Kiểm soát bệnh tật",
        "Giáo dục nghề nghiệp – Giáo dục thường xuyên", "Quan trắc tài nguyên và môi trường",
        "Lưu trữ lịch sử", "Trợ giúp pháp lý nhà nước", "Dịch vụ việc làm", "Công tác xã hội",
        "Khuyến nông", "Nước sạch và Vệ sinh môi trường nông thôn", "Đăng kiểm xe cơ giới",
        "Tin học và Công báo", "Hội nghị tỉnh", "Dịch vụ đấu giá tài sản", "Kỹ thuật tiêu chuẩn đo lường",
        "Giống cây trồng", "Phát thanh – Truyền hình", "Xúc tiến đầu tư và Thương mại", "Pháp y",
        "Giám định y khoa", "Chuyển đổi số", "Phát triển hạ tầng kỹ thuật", "Kiểm nghiệm thuốc",
    ],
    "Chi cục": [
        "Thủy lợi", "Kiểm lâm", "Chăn nuôi và Thú y", "Trồng trọt và Bảo vệ thực vật", "Quản lý thị trường",
        "Dân số – Kế hoạch hóa gia đình", "An toàn vệ sinh thực phẩm", "Tiêu chuẩn Đo lường Chất lượng",
        "Bảo vệ môi trường", "Phát triển nông thôn", "Thủy sản", "Giám định xây dựng", "Quản lý đất đai",
    ],
    "Ban": [
        "Tôn giáo", "Quản lý dự án đầu tư xây dựng", "Quản lý các khu công nghiệp", "Tiếp công dân",
        "Bồi thường – Giải phóng mặt bằng", "Chỉ đạo ISO", "Quản lý rừng phòng hộ",
    ],
    "Sở": [
        "Nội vụ", "Tư pháp", "Tài chính", "Xây dựng", "Y tế", "Công Thương", "Giáo dục và Đào tạo",
        "Khoa học và Công nghệ", "Nông nghiệp và Môi trường", "Văn hóa – Thể thao và Du lịch",
        "Dân tộc và Tôn giáo", "Ngoại vụ",
    ],
    "Văn phòng": ["UBND tỉnh", "Đoàn ĐBQH và HĐND tỉnh", "Điều phối nông thôn mới", "Đăng ký đất đai"],
    "Đội": ["Quản lý trật tự đô thị", "Kiểm tra liên ngành"],
    "": ["Thanh tra tỉnh", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Kho bạc Nhà nước khu vực"],
}
_PLACES = [
    "Tân An", "An Khánh", "Bình Minh", "Hòa Lạc", "Phú Mỹ", "Long Hải", "Thạnh Phú", "Vĩnh Hưng",
    "Đông Hòa", "Tây Sơn", "Nam Cường", "Bắc Sơn", "Hưng Lợi", "Phước Long", "Thuận An", "Quang Trung",
    "Cát Tiên", "Ninh Kiều", "Trà Nóc", "Xuân Khánh", "Thới An", "Định Môn", "Nhơn Ái", "Mỹ Xuyên",
    "Long Xuyên", "Châu Đốc", "Tịnh Biên", "Tri Tôn", "Chợ Mới", "Thoại Sơn", "Cái Răng", "Ô Môn",
]
# Two keys at or above this fuzz.ratio are not both used (the importer merges
# names at >= 90; keep a margin).
_DISTINCT_BELOW = 85

_VERBS = [
    "Rà soát", "Xây dựng", "Triển khai", "Tổ chức", "Kiểm tra", "Tuyên truyền", "Tham mưu ban hành",
    "Theo dõi, đôn đốc", "Đánh giá", "Cập nhật", "Hướng dẫn", "Tổng hợp, báo cáo", "Duy trì",
    "Nâng cao chất lượng", "Công khai",
]
_OBJECTS = [
    "kế hoạch cải cách hành chính", "thủ tục hành chính thuộc thẩm quyền giải quyết",
    "văn bản quy phạm pháp luật", "quy chế làm việc của cơ quan", "vị trí việc làm và cơ cấu ngạch công chức",
    "cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập", "hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
    "dịch vụ công trực tuyến toàn trình", "việc sử dụng chữ ký số trong xử lý văn bản",
    "mức độ hài lòng của người dân, doanh nghiệp", "công tác văn thư, lưu trữ điện tử",
    "phương án đơn giản hóa thủ tục hành chính nội bộ", "việc tiếp nhận, xử lý phản ánh, kiến nghị",
    "chỉ số cải cách hành chính (PAR INDEX)", "công tác đào tạo, bồi dưỡng cán bộ, công chức",
    "việc số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "kỷ luật, kỷ cương hành chính",
]
_QUALIFIERS = [
    "", "", " năm 2026", " trên địa bàn tỉnh", " theo quy định hiện hành", " thuộc phạm vi quản lý",
    " tại các cơ quan, đơn vị", " giai đoạn 2026 – 2030",
]
_EVIDENCE = [
    "Báo cáo", "Kế hoạch", "Kế hoạch; Báo cáo", "Quyết định ban hành", "Văn bản chỉ đạo",
    "Báo cáo kết quả rà soát", "Biên bản kiểm tra; Báo cáo kết quả kiểm tra", "Tin, bài đăng tải",
    "Hồ sơ, tài liệu hội nghị", "",
]
_NOTES = ["Nguồn chi thường xuyên", "Lồng ghép với nhiệm vụ chuyên môn", "Chỉ tiêu 100%"]


def unit_pool() -> list[str]:
    """Every candidate unit name, in a fixed order."""
    names = [f"{kind} {name}".strip() for kind, names in _UNITS_BY_TYPE.items() for name in names]
    names += [f"UBND {'phường' if i % 2 else 'xã'} {place}" for i, place in enumerate(_PLACES)]
    return names


def pick_units(rng: random.Random, count: int) -> list[str]:
    """`count` names no two of which the importer could take for one unit."""
    pool = unit_pool()
    rng.shuffle(pool)
    chosen: list[str] = []
    keys: list[str] = []
    for name in pool:
        k = key(name)
        if all(fuzz.ratio(k, other) < _DISTINCT_BELOW for other in keys):
            chosen.append(name)
            keys.append(k)
            if len(chosen) == count:
                return chosen
    raise RuntimeError(f"only {len(chosen)} distinct unit names available, {count} wanted")


def spelling(rng: random.Random, name: str) -> str:
    """The name as written in a cell: mostly as is, sometimes another case or '&' for 'và'."""
    roll = rng.random()
    if roll < 0.08 and " và " in name:
        return name.replace(" và ", " & ")
    if roll < 0.16:
        kind, _, rest = name.partition(" ")
        return f"{kind} {rest.lower()}" if not kind.isupper() else name.lower()
    if roll < 0.20:
        return name.lower()
    return name


@dataclass
class TaskRow:
    stt: int
    content: str
    evidence: str
    lead: str
    coordinating: str
    timeline: str
    budget: str
    note: str


@dataclass
class Spec:
    """A generated plan file and what the importer must read from it."""

    kind: str  # "xlsx" | "docx"
    path: Path
    tasks: int
    areas: int
    units: int
    groups: int
    assignments: int
    sections: list[tuple[str, str, list[TaskRow]]] = field(default_factory=list, repr=False)


def generate_plan(seed: int, tasks: int, units: int) -> tuple[list[tuple[str, str, list[TaskRow]]], dict]:
    rng = random.Random(seed)
    names = pick_units(rng, units)
    # Area sizes: 7 random positive parts summing to `tasks`.
    cuts = sorted(rng.sample(range(1, tasks), len(AREAS) - 1))
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [tasks])]
    timelines, weights = zip(*TIMELINES)

    # Leads cycle through every unit (each unit leads at least one task).
    leads: list[str] = []
    while len(leads) < tasks:
        cycle = list(names)
        rng.shuffle(cycle)
        leads.extend(cycle)

    used_units: set[str] = set()
    group_used = False
    assignments = 0
    sections = []
    i = 0
    for (roman, area_name), size in zip(AREAS, sizes):
        rows = []
        for n in range(1, size + 1):
            lead_name = leads[i]
            i += 1
            if rng.random() < 0.03:
                lead_cell, lead_units = GROUP, []
                group_used = True
            else:
                lead_cell, lead_units = spelling(rng, lead_name), [lead_name]
            roll = rng.random()
            if roll < 0.25:
                coord_cell, coord_units, coord_count = "", [], 0
            elif roll < 0.40:
                coord_cell, coord_units, coord_count = GROUP, [], 1
                group_used = True
            else:
                others = rng.sample([u for u in names if u not in lead_units], rng.randint(1, 3))
                coord_cell = "; ".join(spelling(rng, u) for u in others)
                coord_units, coord_count = others, len(others)
            used_units.update(lead_units, coord_units)
            assignments += 1 + coord_count
            content = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{rng.choice(_QUALIFIERS)}"
            if rng.random() < 0.2:
                content += f" ({rng.choice(names)} chủ động phối hợp)"
            budget = "" if rng.random() < 0.6 else f"{rng.randint(1, 500) * 1_000_000:,}".replace(",", ".")
            rows.append(TaskRow(
                stt=n,
                content=content,
                evidence=rng.choice(_EVIDENCE),
                lead=lead_cell,
                coordinating=coord_cell,
                timeline=rng.choices(timelines, weights)[0],
                budget=budget,
                note=rng.choice(_NOTES) if rng.random() < 0.1 else "",
            ))
        sections.append((roman, area_name, rows))
    expected = {"units": len(used_units), "groups": int(group_used), "assignments": assignments}
    return sections, expected


TITLES = [
    "PHỤ LỤC",
    f"CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH TRỌNG TÂM NĂM {PLAN_YEAR}",
    "(Ban hành kèm theo Kế hoạch số 215/KH-UBND ngày 20/12/2025 của UBND tỉnh Bình An)",
]


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps so the bytes are reproducible
    (openpyxl also stamps the save time into docProps/core.xml: fixed too)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            dst.writestr(entry, content)
    return out.getvalue()


def write_xlsx(path: Path, sections) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    ws.title = "Phụ lục"
    last = len(HEADER)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for r, title in enumerate(TITLES, start=1):
        ws.cell(row=r, column=1, value=title).font = bold
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
    r = len(TITLES) + 2  # one blank row
    for c, title in enumerate(HEADER, start=1):
        cell = ws.cell(row=r, column=c, value=title)
        cell.font, cell.alignment = bold, wrap
    r += 1
    for roman, area_name, rows in sections:
        ws.cell(row=r, column=1, value=roman).font = bold
        ws.cell(row=r, column=2, value=area_name).font = bold
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=last)
        r += 1
        for task in rows:
            values = [task.stt, task.content, task.evidence, task.lead, task.coordinating,
                      task.timeline, task.budget, task.note]
            for c, value in enumerate(values, start=1):
                if value != "":
                    ws.cell(row=r, column=c, value=value).alignment = wrap
            r += 1
    for letter, width in zip("ABCDEFGH", [6, 50, 24, 26, 30, 16, 14, 14]):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_normalize_zip(buffer.getvalue()))


def write_docx(path: Path, sections) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    for title in TITLES:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(title).bold = True
    table = doc.add_table(rows=1, cols=len(HEADER))
    table.style = doc.styles["Table Grid"]
    for cell, title in zip(table.rows[0].cells, HEADER):
        cell.paragraphs[0].add_run(title).bold = True
    for roman, area_name, rows in sections:
        row = table.add_row()
        row.cells[0].paragraphs[0].add_run(f"Lĩnh vực {roman}").bold = True
        merged = row.cells[1].merge(row.cells[-1])
        merged.paragraphs[0].add_run(area_name).bold = True
        for task in rows:
            cells = table.add_row().cells
            values = [str(task.stt), task.content, task.evidence, task.lead, task.coordinating,
                      task.timeline, task.budget, task.note]
            for cell, value in zip(cells, values):
                if value:
                    cell.paragraphs[0].add_run(value)
    props = doc.core_properties
    props.author = props.last_modified_by = "UBND tỉnh Bình An"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(_normalize_zip(buffer.getvalue()))


def generate(out: Path) -> list[Spec]:
    out.mkdir(parents=True, exist_ok=True)
    specs = []
    for kind, tasks, units, seed, writer in (
        ("xlsx", 2000, 150, SEED, write_xlsx),
        ("docx", 300, 40, SEED + 1, write_docx),
    ):
        sections, expected = generate_plan(seed, tasks, units)
        path = out / f"bench_plan_{tasks}_tasks.{kind}"
        writer(path, sections)
        specs.append(Spec(kind, path, tasks, len(AREAS), expected["units"], expected["groups"],
                          expected["assignments"], sections))
    return specs


# --- measuring ---------------------------------------------------------------


def sqlite_url(db: Path) -> str:
    return f"sqlite+aiosqlite:///{db}"


async def import_once(path: Path, db: Path, spec: Spec | None = None) -> tuple[float, float]:
    """(parse seconds, parse + import + commit seconds) into a fresh database."""
    engine = create_engine(sqlite_url(db))
    try:
        await migrate(engine)  # not timed
        sessions = session_factory(engine)
        t0 = time.perf_counter()
        parsed = parse_plan_file(path)
        t1 = time.perf_counter()
        async with sessions() as session, session.begin():
            summary = await import_plan(session, parsed, path.name, NOW, say)
        t2 = time.perf_counter()
        if spec is not None:
            await verify(sessions, summary, spec)
    finally:
        await engine.dispose()
    return t1 - t0, t2 - t0


def check(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(f"generated file mis-read: {message}")


async def verify(sessions, summary, spec: Spec) -> None:
    """The import read what the generator wrote (outside the timing)."""
    name = spec.path.name
    check(summary.tasks == spec.tasks, f"{name}: {summary.tasks} tasks imported, {spec.tasks} written")
    check(summary.new_tasks == spec.tasks, f"{name}: {summary.new_tasks} new tasks, {spec.tasks} written")
    check(summary.areas == spec.areas, f"{name}: {summary.areas} areas, {spec.areas} written")
    check(summary.year == PLAN_YEAR, f"{name}: plan year {summary.year}, {PLAN_YEAR} written")
    check(len(summary.new_units) == spec.units,
          f"{name}: {len(summary.new_units)} units created, {spec.units} distinct units written")
    check(not summary.warnings, f"{name}: unexpected warnings {summary.warnings[:5]}")
    async with sessions() as session:
        counts = {
            model.__name__: await session.scalar(select(func.count()).select_from(model))
            for model in (Task, Assignment, Unit, UnitGroup)
        }
    check(counts["Task"] == spec.tasks, f"{name}: {counts['Task']} task rows stored")
    check(counts["Assignment"] == spec.assignments,
          f"{name}: {counts['Assignment']} assignments stored, {spec.assignments} written")
    check(counts["Unit"] == spec.units, f"{name}: {counts['Unit']} units stored")
    check(counts["UnitGroup"] == spec.groups, f"{name}: {counts['UnitGroup']} groups stored")


def baseline_rows(spec: Spec) -> list[dict]:
    return [
        {"code": f"{roman}.{t.stt}", "content": t.content, "lead": t.lead, "timeline": t.timeline,
         "budget": t.budget or None}
        for roman, _, rows in spec.sections for t in rows
    ]


async def baseline_once(rows: list[dict], db: Path) -> float:
    """Plain executemany INSERT of `rows` into a one-table SQLite file, same engine setup."""
    engine = create_engine(sqlite_url(db))
    try:
        async with engine.begin() as conn:  # not timed
            await conn.execute(text(
                "CREATE TABLE bench_tasks (id INTEGER PRIMARY KEY, code VARCHAR(20), content TEXT, "
                "lead VARCHAR(300), timeline VARCHAR(500), budget VARCHAR(100))"
            ))
        t0 = time.perf_counter()
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO bench_tasks (code, content, lead, timeline, budget) "
                     "VALUES (:code, :content, :lead, :timeline, :budget)"),
                rows,
            )
        t1 = time.perf_counter()
        async with engine.connect() as conn:
            stored = await conn.scalar(text("SELECT count(*) FROM bench_tasks"))
        check(stored == len(rows), f"baseline stored {stored} rows of {len(rows)}")
    finally:
        await engine.dispose()
    return t1 - t0


def _proc_status_kib(field_name: str) -> int | None:
    """A memory figure of this process from /proc/self/status (Linux), in KiB."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _maxrss_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def memory_child(path: Path, db: Path) -> None:
    """Run in a fresh interpreter: print JSON of RSS before and peak after one import.

    The peak is VmHWM (this address space's peak RSS) where /proc exists. On
    Linux getrusage().ru_maxrss of a child started by subprocess (vfork+exec)
    starts at the *parent's* high-water mark, so after the timed runs it shows
    the benchmark process's peak rather than this import's; VmHWM is the same
    measure (peak resident set) without that carry-over. Without /proc,
    ru_maxrss is used.
    """
    import docx  # noqa: F401  (the readers import these lazily; count them as "imports")
    import openpyxl  # noqa: F401

    async def main() -> dict:
        engine = create_engine(sqlite_url(db))
        try:
            await migrate(engine)
            sessions = session_factory(engine)
            gc.collect()
            before = {
                "rss_before_kib": _proc_status_kib("VmRSS"),
                "hwm_before_kib": _proc_status_kib("VmHWM"),
                "maxrss_before_kib": _maxrss_kib(),
            }
            parsed = parse_plan_file(path)
            async with sessions() as session, session.begin():
                summary = await import_plan(session, parsed, path.name, NOW, say)
            return {
                **before,
                "hwm_after_kib": _proc_status_kib("VmHWM"),
                "maxrss_after_kib": _maxrss_kib(),
                "tasks": summary.tasks,
            }
        finally:
            await engine.dispose()

    print(json.dumps(asyncio.run(main())))


def measure_memory(path: Path, tmp: Path) -> dict:
    db = tmp / f"memory_{path.stem}.db"
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--_memory-child", str(path), "--_db", str(db)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{result.stderr}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    if data["hwm_after_kib"] is not None:
        data["source"] = "VmHWM"
        peak, before = data["hwm_after_kib"], data["rss_before_kib"]
    else:
        data["source"] = "ru_maxrss"
        peak, before = data["maxrss_after_kib"], data["maxrss_before_kib"]
    data["peak_mib"] = peak / 1024
    data["delta_mib"] = (peak - before) / 1024
    return data


@dataclass
class Result:
    file: str
    tasks: int
    totals: list[float]
    parses: list[float]
    baselines: list[float]
    memory: dict

    @property
    def median(self) -> float:
        return statistics.median(self.totals)

    @property
    def ratio(self) -> float:
        return self.median / statistics.median(self.baselines)


async def bench_file(spec: Spec, runs: int, tmp: Path) -> Result:
    totals, parses, baselines = [], [], []
    rows = baseline_rows(spec)
    for run in range(runs):
        db = tmp / f"{spec.kind}_run{run}.db"
        parse, total = await import_once(spec.path, db, spec if run == 0 else None)
        parses.append(parse)
        totals.append(total)
        baselines.append(await baseline_once(rows, tmp / f"{spec.kind}_baseline{run}.db"))
        for leftover in tmp.glob("*.db*"):
            leftover.unlink()
    return Result(spec.path.name, spec.tasks, totals, parses, baselines, {})


def profile_import(path: Path, tmp: Path, top: int = 25) -> str:
    async def run() -> None:
        engine = create_engine(sqlite_url(tmp / "profile.db"))
        try:
            await migrate(engine)
            sessions = session_factory(engine)
            profiler = cProfile.Profile()
            profiler.enable()
            parsed = parse_plan_file(path)
            async with sessions() as session, session.begin():
                await import_plan(session, parsed, path.name, NOW, say)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(top)
            stats.sort_stats("tottime").print_stats(top)
            report.append(out.getvalue())
        finally:
            await engine.dispose()

    report: list[str] = []
    asyncio.run(run())
    return report[0]


def table(results: list[Result]) -> str:
    lines = [
        "| file | tasks | median s | min s | max s | parse-only median s | peak RSS MiB (Δ import) "
        "| baseline median s | ratio to baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.file} | {r.tasks:,} | {r.median:.3f} | {min(r.totals):.3f} | {max(r.totals):.3f} "
            f"| {statistics.median(r.parses):.3f} | {r.memory['peak_mib']:.1f} (+{r.memory['delta_mib']:.1f}) "
            f"| {statistics.median(r.baselines):.4f} | {r.ratio:.0f}× |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark plan import (parse + import + commit).")
    parser.add_argument("--runs", type=int, default=5, help="timed imports per file (default 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where generated files go")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one 2,000-task import")
    parser.add_argument("--_memory-child", dest="memory_child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_db", dest="db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        memory_child(args.memory_child, args.db)
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    specs = generate(args.out)
    results = []
    with tempfile.TemporaryDirectory(prefix="tiendo-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for spec in specs:
            result = asyncio.run(bench_file(spec, args.runs, tmp))
            result.memory = measure_memory(spec.path, tmp)
            results.append(result)
        profile = profile_import(specs[0].path, tmp) if args.profile else None

    print(f"## Plan import benchmark ({args.runs} runs per file, fresh SQLite file database per run)\n")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs\n")
    print(table(results))
    print()
    for spec in specs:
        print(f"- {spec.path.name}: {spec.tasks:,} tasks, {spec.areas} areas, {spec.units} units, "
              f"{spec.assignments:,} assignments (checked after the first run)")
    print("- median/min/max: parse + import + commit; parse-only: reading the file into ParsedPlan; "
          "baseline: executemany INSERT of the same number of rows into a one-table SQLite file")
    big = next(r for r in results if r.tasks == GOAL_TASKS)
    verdict = "PASS" if big.median < GOAL_SECONDS else "FAIL"
    print(f"\nGoal: 2,000 tasks imported in under 2 s — {verdict} (median {big.median:.3f} s)")

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({
        "runs": args.runs,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "goal": {"tasks": GOAL_TASKS, "seconds": GOAL_SECONDS, "verdict": verdict},
        "results": [{**asdict(r), "median": r.median, "ratio": r.ratio} for r in results],
    }, ensure_ascii=False, indent=1))
    if profile:
        print("\n## cProfile of one 2,000-task import\n")
        print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
