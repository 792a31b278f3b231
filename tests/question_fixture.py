"""A plan with known statuses for the questions tests (not a test module),
imported through the real CSV importer into the sample organisation (the
`org_app` fixture), with status updates at known times. It becomes the
current plan. The clock stands at Wednesday 15/04/2026 09:00.

As of 15/04/2026 (week 13/04–19/04, Q2 = 01/04–30/06):
  recurring (3): I.1 (in progress), II.3 (none), VII.4 (done)
  done on time (3): III.1 (20/12/2025, due 31/12/2025), I.2 (10/03, due 31/03), III.5 (08/04, due 30/06)
  done late (3): V.2 (20/01, due 31/12/2025), VII.1 (done 05/03, reopened 20/03, done again 06/04; due 31/03),
                 I.4 (12/04, due 10/04)
  overdue (2): I.3 (in progress 30%, due 31/03), II.1 (stuck, due 31/03)
  open on time (13): II.2 (all units), II.4 (group khối NC-TH), III.2 (60%, due 17/04), III.3 (due 30/04),
                 III.4 (20%, due 31/05), III.6, IV.1 (conditional, 30%), IV.2, V.1, VI.1 (50%), VI.2 (Phòng Kinh tế,
                 due 31/05), VII.2 (stuck), VII.3
  Reports in Q2 by the units leading open tasks: HCQT, TT PVHCC, TT Tin học, Ban ISO; not QTTV (last 03/03),
  not Phòng Kinh tế (never).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from services.importers.plan_file import parse_plan_file
from services.texts import say
from storage.models import ChatIdentity, Person, Task
from storage.people import person_by_identity
from storage.plans import import_plan
from tests.conftest import VN

HCQT = "Phòng Hành chính – Quản trị"
PVHCC = "Trung tâm Phục vụ Hành chính công"
QTTV = "Phòng Quản trị - Tài vụ"
TTTH = "Trung tâm Tin học & Công báo"
ALL = "Các phòng, ban, trung tâm"
KHOI = "Các phòng thuộc khối nghiên cứu – tổng hợp"

HEADER = ["STT", "Nội dung", "Tài liệu kiểm chứng", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện", "Kinh phí", "Ghi chú"]
ROWS = [
    ["I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"],
    ["1", "Tuyên truyền công tác CCHC trên Cổng thông tin điện tử", "Đăng tin bài", TTTH, HCQT, "Thường xuyên"],
    ["2", "Ban hành Kế hoạch CCHC năm 2026", "Kế hoạch", "Phòng HCQT", "", "Quý I/2026"],
    ["3", "Ban hành Kế hoạch kiểm tra công tác CCHC", "Kế hoạch", HCQT, "", "Quý I/2026"],
    ["4", "Báo cáo kết quả CCHC quý I", "Báo cáo", HCQT, "", "trước ngày 10/04/2026"],
    ["II", "CẢI CÁCH THỂ CHẾ"],
    ["1", "Rà soát văn bản quy phạm pháp luật", "Báo cáo", PVHCC, "", "Quý I/2026"],
    ["2", "Xây dựng quy chế phối hợp", "Quyết định", ALL, "", "Quý II/2026"],
    ["3", "Theo dõi thi hành pháp luật", "", "TT PVHCC", "", "Thường xuyên"],
    ["4", "Tham mưu văn bản chuyên ngành", "", KHOI, "", "Quý III/2026"],
    ["III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"],
    ["1", "Công bố danh mục TTHC", "Quyết định", QTTV, "", "Quý IV/2025"],
    ["2", "Số hóa hồ sơ TTHC", "Báo cáo", PVHCC, HCQT, "trước ngày 17/04/2026"],
    ["3", "Niêm yết TTHC tại Bộ phận Một cửa", "", HCQT, "", "trước ngày 30/04/2026"],
    ["4", "Khảo sát sự hài lòng của người dân", "Báo cáo", HCQT, "", "Tháng 5/2026"],
    ["5", "Tập huấn nghiệp vụ kiểm soát TTHC", "Hội nghị, tập huấn", PVHCC, QTTV, "Quý II/2026"],
    ["6", "Rà soát quy trình nội bộ", "", PVHCC, "", "Quý III/2026"],
    ["IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY"],
    ["1", "Sắp xếp tổ chức bộ máy", "Đề án", HCQT, "", "Khi có văn bản hướng dẫn của cấp trên"],
    ["2", "Rà soát vị trí việc làm", "", HCQT, "", "Trong năm"],
    ["V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ"],
    ["1", "Đánh giá, phân loại công chức", "", HCQT, "", "Quý IV/2026"],
    ["2", "Xây dựng kế hoạch đào tạo, bồi dưỡng", "Kế hoạch", HCQT, "", "Quý IV/2025"],
    ["VI", "CẢI CÁCH TÀI CHÍNH CÔNG"],
    ["1", "Thực hiện cơ chế tự chủ tài chính", "", QTTV, "", "Trong năm"],
    ["2", "Thẩm định dự toán kinh phí CCHC", "", "Phòng Kinh tế", "", "Tháng 5/2026"],
    ["VII", "HIỆN ĐẠI HÓA NỀN HÀNH CHÍNH"],
    ["1", "Xây dựng Kế hoạch chuyển đổi số năm 2026", "Kế hoạch", "Trung tâm Tin học và Công báo", ALL, "Quý I/2026"],
    ["2", "Duy trì hệ thống quản lý chất lượng ISO 9001:2015", "", "Ban Chỉ đạo ISO", "", "Trong năm"],
    ["3", "Triển khai Hệ thống thông tin báo cáo", "", TTTH, "", "Tháng 6/2026"],
    ["4", "Vận hành phần mềm quản lý văn bản", "", TTTH, "", "Thường xuyên"],
]

# (code, day, reporter's chat id, platform, status, percent, note)
UPDATES = [
    ("III.1", "2025-12-20", "100003", "telegram", "done", None, None),
    ("V.2", "2026-01-20", "canbo", "console", "done", None, None),
    ("VII.1", "2026-02-01", "100005", "telegram", "in_progress", 40, None),
    ("I.3", "2026-02-15", "canbo", "console", "in_progress", 30, None),
    ("VI.1", "2026-03-03", "100003", "telegram", "in_progress", 50, None),
    ("VII.1", "2026-03-05", "100005", "telegram", "done", None, None),
    ("I.2", "2026-03-10", "canbo", "console", "done", None, None),
    ("VII.1", "2026-03-20", "100005", "telegram", "in_progress", 90, "Bổ sung theo góp ý của Sở"),
    ("II.1", "2026-03-25", "100007", "telegram", "stuck", None, "Chưa có hướng dẫn của Sở Nội vụ"),
    ("IV.1", "2026-03-28", "canbo", "console", "in_progress", 30, None),
    ("III.4", "2026-04-01", "canbo", "console", "in_progress", 20, None),
    ("VII.4", "2026-04-01", "100005", "telegram", "done", None, None),
    ("I.1", "2026-04-02", "100005", "telegram", "in_progress", None, None),
    ("VII.1", "2026-04-06", "100005", "telegram", "done", None, None),
    ("III.5", "2026-04-08", "100007", "telegram", "done", None, None),
    ("III.2", "2026-04-10", "100007", "telegram", "in_progress", 60, None),
    ("I.4", "2026-04-12", "canbo", "console", "done", None, None),
    ("VII.2", "2026-04-14", "100009", "telegram", "stuck", None, "Chờ kinh phí đánh giá lại"),
]


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VN)


def write_plan_csv(directory: Path) -> Path:
    path = directory / "ke_hoach_hoi_dap.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(row + [""] * (len(HEADER) - len(row)) for row in ROWS)
    return path


async def load_question_plan(app, directory: Path) -> None:
    """Import the plan into the sample organisation and add the updates."""
    from storage.tasks import add_update

    parsed = parse_plan_file(write_plan_csv(directory), plan_year=2026, plan_name="Kế hoạch CCHC năm 2026 (hỏi đáp)")
    async with app.sessions() as session, session.begin():
        await import_plan(session, parsed, "ke_hoach_hoi_dap.csv", at("2026-01-05"), say)
        plan_id = max(await session.scalars(select(Task.plan_id)))
        tasks = {t.code: t for t in await session.scalars(select(Task).where(Task.plan_id == plan_id))}
        for code, day, user, platform, status, percent, note in UPDATES:
            reporter = await person_by_identity(session, platform, user)
            await add_update(session, tasks[code], status=status, at=at(day), source=platform,
                             reporter=reporter, percent=percent, note=note)


async def add_identities(app, platform: str, telegram_id: str, user_id: str) -> None:
    """Let a sample person known on Telegram chat on another platform too."""
    async with app.sessions() as session, session.begin():
        person = await session.scalar(
            select(Person).join(ChatIdentity).where(ChatIdentity.platform == "telegram", ChatIdentity.external_id == telegram_id)
        )
        session.add(ChatIdentity(person_id=person.id, platform=platform, external_id=user_id))
