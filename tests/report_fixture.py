"""A small plan with known statuses for the periodic-report tests (not a test
module). Imported through the real CSV importer; updates added at known times.

Q1/2026 (calendar, as of 31/03/2026 23:59) — what the report must say:
  13 tasks; recurring I.1, II.3 (02/13, đạt 100%); conditional IV.1.
  due in Q1: I.2, I.3, II.1, II.2, III.3          -> 05/13
    done by 31/03: I.2                            -> 01/05 (đạt 20%)
    in progress or stuck: I.3, II.1, II.2         -> 03/05 (II.2 stuck)
    not started: III.3                            -> 01/05
  four-way over tasks due by 31/03 (I.2, I.3, II.1, II.2, III.1, III.3):
    done on time I.2, III.1 = 02; done late 00;
    open on time (due 31/03, the report's day) I.3, II.1, II.2 = 03; overdue III.3 = 01
  next period (Q2): III.2, III.5 still open; III.4 done early (20/03).
Q2/2026 (as of 30/06): due in Q2: III.2, III.4, III.5 -> 03/13; done III.4, III.5 -> 02/03 (66,67%).
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from services.importers.plan_file import parse_plan_file
from services.texts import say
from storage.indicators import add_value, upsert_indicator
from storage.models import ChatIdentity, Person, Plan, Task, Unit
from storage.plans import import_plan
from storage.tasks import add_update
from tests.conftest import VN

HCQT = "Phòng Hành chính – Quản trị"
TTPV = "Trung tâm Phục vụ Hành chính công"
QTTV = "Phòng Quản trị - Tài vụ"
TTTH = "Trung tâm Tin học & Công báo"

HEADER = ["STT", "Nội dung", "Tài liệu kiểm chứng", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện", "Kinh phí", "Ghi chú"]
ROWS = [
    ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "", "", "", "", "", ""],
    ["1", "Tuyên truyền công tác CCHC", "Bài viết", TTTH, HCQT, "Thường xuyên", "", ""],
    ["2", "Ban hành Kế hoạch CCHC năm 2026", "Kế hoạch", HCQT, "", "Quý I/2026", "", ""],
    ["3", "Ban hành Kế hoạch kiểm tra CCHC", "Kế hoạch", HCQT, "", "Quý I/2026", "", ""],
    ["II", "CẢI CÁCH THỂ CHẾ", "", "", "", "", "", ""],
    ["1", "Rà soát văn bản quy phạm pháp luật", "Báo cáo", TTPV, "", "Quý I/2026", "", ""],
    ["2", "Xây dựng quy chế phối hợp", "Quyết định", TTPV, HCQT, "Quý I/2026", "", ""],
    ["3", "Theo dõi thi hành pháp luật", "", TTPV, "", "Thường xuyên", "", ""],
    ["III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", "", "", "", "", ""],
    ["1", "Công bố danh mục TTHC", "Quyết định", QTTV, "", "Quý IV/2025", "", ""],
    ["2", "Số hóa hồ sơ TTHC", "Báo cáo", TTPV, "", "Quý II/2026", "14.000.000", ""],
    ["3", "Niêm yết TTHC tại Bộ phận Một cửa", "", HCQT, "", "trước ngày 10/03/2026", "", ""],
    ["4", "Khảo sát sự hài lòng", "Báo cáo", HCQT, "", "Quý II/2026", "3.500.000", ""],
    ["5", "Rà soát quy trình nội bộ", "", TTPV, "", "Quý II/2026", "", ""],
    ["IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY", "", "", "", "", "", ""],
    ["1", "Sắp xếp tổ chức bộ máy", "Đề án", HCQT, "", "Khi có văn bản hướng dẫn của cấp trên", "", ""],
    ["2", "Rà soát vị trí việc làm", "", HCQT, "", "Trong năm", "", ""],
]

PEOPLE = [
    ("Lê Thị Mai Anh", HCQT, "officer", "canbo"),
    ("Phạm Văn Bình", TTPV, "officer", "canbo2"),
    ("Đỗ Thu Hằng", QTTV, "officer", "canbo3"),
    ("Nguyễn Văn Hùng", None, "leader", "lanhdao"),
    ("Trần Thị Thu Hà", None, "admin", "quantri"),
]


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VN)


# (code, when, reporter user id, status, percent, evidence, note)
UPDATES = [
    ("III.1", "2025-12-20", "canbo3", "done", None, "Quyết định số 12/QĐ-VP ngày 18/12/2025", None),
    ("I.3", "2026-02-15", "canbo", "in_progress", 30, None, None),
    ("I.2", "2026-03-10", "canbo", "done", None, "Kế hoạch số 181/KH-VP ngày 23/02/2026", None),
    ("II.1", "2026-03-20", "canbo2", "in_progress", 60, "Dự thảo báo cáo rà soát", None),
    ("III.4", "2026-03-20", "canbo", "done", None, "Báo cáo số 45/BC-VP ngày 19/03/2026", None),
    ("II.2", "2026-03-25", "canbo2", "stuck", None, None, "Chưa có hướng dẫn của Sở Nội vụ"),
    ("IV.2", "2026-03-28", "canbo", "in_progress", 30, None, None),
    ("I.3", "2026-04-05", "canbo", "done", None, "Kế hoạch số 200/KH-VP ngày 04/04/2026", None),
    ("III.5", "2026-05-10", "canbo2", "done", None, "Quy trình nội bộ số 3", None),
]


def write_plan_csv(directory: Path) -> Path:
    path = directory / "ke_hoach_bao_cao.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


async def load_fixture(app, directory: Path, updates=UPDATES) -> None:
    parsed = parse_plan_file(write_plan_csv(directory), plan_year=2026, plan_name="Kế hoạch cải cách hành chính năm 2026")
    async with app.sessions() as session, session.begin():
        await import_plan(session, parsed, "ke_hoach_bao_cao.csv", at("2026-01-05"), say)
        plan = await session.scalar(select(Plan))
        plan.number, plan.issuing_unit = "181/KH-VP", "Văn phòng UBND tỉnh"
        units = {u.name: u for u in await session.scalars(select(Unit))}
        people = {}
        for name, unit, role, user_id in PEOPLE:
            person = Person(name=name, unit_id=units[unit].id if unit else None, role=role)
            person.identities.append(ChatIdentity(platform="console", external_id=user_id))
            session.add(person)
            people[user_id] = person
        await session.flush()
        tasks = {t.code: t for t in await session.scalars(select(Task))}
        for code, day, user, status, percent, evidence, note in updates:
            await add_update(session, tasks[code], status=status, at=at(day), source="console",
                             reporter=people[user], percent=percent, evidence=evidence, note=note)
        rate = await upsert_indicator(session, plan, "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "%", Decimal(100), ">=")
        await add_value(session, rate, Decimal("98.6"), at("2026-03-31", 17))
        cut = await upsert_indicator(session, plan, "Tỷ lệ cắt giảm thời gian thực hiện TTHC", "%", Decimal(30), ">=")
        await add_value(session, cut, Decimal("32"), at("2026-03-31", 17))
        await upsert_indicator(session, plan, "Hộ nghèo theo chuẩn đa chiều", "%", Decimal(1), "<=")
