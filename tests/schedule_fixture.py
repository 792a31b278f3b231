"""A small plan for the scheduler tests (not a test module): three units, a
few tasks due in quý II/2026, people on the console, two linked groups.

Q2/2026 working days: Monday–Friday less 27/4 (Giỗ Tổ Hùng Vương, observed:
26/4 is a Sunday), 30/4 and 1/5.

  I.1   HCQT  Thường xuyên
  I.2   HCQT  due Wed 15/04: 7 days before 08/04, 1 day before 14/04, on the day 15/04,
              overdue 16/04, then every 3 working days (21/04, 24/04, 04/05 …)
  III.1 TTPV  due Mon 04/05: 7 days before = Mon 27/04, a holiday -> Fri 24/04;
              1 day before = Sun 03/05 -> Wed 29/04; on the day 04/05; overdue 05/05, 08/05, 13/05, 18/05 …
  III.2 QTTV  due Fri 29/05: 22/05, 28/05, 29/05; overdue 01/06, 04/06, 09/06, 12/06, 17/06, 22/06, 25/06, 30/06
  V.1   HCQT  Quý II/2026 (due Tue 30/06): 23/06, 29/06, 30/06
  V.2   TTPV  Trong năm (due 31/12)
Report period quý II/2026 (calendar) ends 30/06: reminders 23/06 and 29/06.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from services.importers.plan_file import parse_plan_file
from services.texts import say
from storage.conversations import link_group
from storage.models import ChatIdentity, Person, Unit
from storage.plans import import_plan
from tests.conftest import VN

HCQT = "Phòng Hành chính – Quản trị"
TTPV = "Trung tâm Phục vụ Hành chính công"
QTTV = "Phòng Quản trị - Tài vụ"

HEADER = ["STT", "Nội dung", "Tài liệu kiểm chứng", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện", "Kinh phí", "Ghi chú"]
ROWS = [
    ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "", "", "", "", "", ""],
    ["1", "Tuyên truyền công tác CCHC", "Bài viết", HCQT, "", "Thường xuyên", "", ""],
    ["2", "Ban hành Kế hoạch kiểm tra công tác CCHC", "Kế hoạch", HCQT, "", "trước ngày 15/04/2026", "", ""],
    ["III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", "", "", "", "", ""],
    ["1", "Công bố danh mục thủ tục hành chính", "Quyết định", TTPV, "", "trước ngày 04/05/2026", "", ""],
    ["2", "Số hóa hồ sơ, kết quả giải quyết TTHC", "Báo cáo", QTTV, "", "trước ngày 29/05/2026", "", ""],
    ["V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", "", "", "", "", "", ""],
    ["1", "Rà soát vị trí việc làm", "Báo cáo", HCQT, "", "Quý II/2026", "", ""],
    ["2", "Đánh giá, phân loại công chức", "", TTPV, "", "Trong năm", "", ""],
]

# (name, unit, role, console user id)
PEOPLE = [
    ("Lê Thị Mai Anh", HCQT, "officer", "canbo"),
    ("Trần Văn Bình", HCQT, "officer", "canbo_b"),
    ("Phạm Quốc Bảo", HCQT, "leader", "ld_hcqt"),
    ("Ngô Thị Kim Oanh", TTPV, "officer", "canbo2"),
    ("Đỗ Văn Khải", TTPV, "leader", "ld_ttpv"),
    ("Hoàng Thị Ngọc Lan", QTTV, "officer", "canbo3"),
    ("Nguyễn Văn Hùng", None, "leader", "lanhdao"),
    ("Trần Thị Thu Hà", None, "admin", "quantri"),
]

PLAN_GROUP, TTPV_GROUP = "-100", "-200"


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=VN)


def write_plan_csv(directory: Path) -> Path:
    path = directory / "ke_hoach_lich.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


async def load_fixture(app, directory: Path, *, groups: bool = True, platform: str = "console") -> None:
    parsed = parse_plan_file(write_plan_csv(directory), plan_year=2026, plan_name="Kế hoạch CCHC năm 2026")
    async with app.sessions() as session, session.begin():
        await import_plan(session, parsed, "ke_hoach_lich.csv", at("2026-01-05"), say)
        units = {u.name: u for u in await session.scalars(select(Unit))}
        for name, unit, role, user_id in PEOPLE:
            person = Person(name=name, unit_id=units[unit].id if unit else None, role=role)
            person.identities.append(ChatIdentity(platform=platform, external_id=user_id))
            session.add(person)
        await session.flush()
        if groups:
            await link_group(session, platform, PLAN_GROUP, None, None, at("2026-03-31", "12:00"))
            ttpv = await link_group(session, platform, TTPV_GROUP, units[TTPV].id, None, at("2026-03-31", "12:00"))
            ttpv.digest_weekday, ttpv.digest_time = 0, "08:00"
