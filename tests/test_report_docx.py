"""The periodic report as Word: written from the template, opened again with
python-docx, and its text checked sentence by sentence against the counts of
a fixture plan with known statuses (tests/report_fixture.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from domain.periods import CALENDAR, DECREE09
from domain.report_periods import parse_period_text
from scripts.build_report_template import build
from services.reports import DOCX_TEMPLATE, write_md, write_report
from services.texts import t
from storage.models import Task
from storage.report_data import gather
from storage.tasks import add_update, current_plan, task_views
from storage.units import find_unit
from tests.conftest import VN
from tests.report_fixture import TTPV, at, load_fixture


@pytest.fixture
async def planned(app, tmp_path):
    await load_fixture(app, tmp_path)
    return app


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


def table_rows(path: Path) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in Document(str(path)).tables for row in table.rows]


async def docx(app, tmp_path, period: str, *, mode=CALENDAR, unit=None, name="r.docx") -> Path:
    async with app.sessions() as session:
        plan = await current_plan(session)
        found = await find_unit(session, unit) if unit else None
        return await write_report(session, plan, parse_period_text(period, mode), "docx", tmp_path / name,
                                  zone=VN, now=app.clock.now(), mode=mode, unit=found)


Q1_PROGRESS = (
    "Trong quý I năm 2026, Văn phòng UBND tỉnh tổ chức thực hiện các nhiệm vụ theo Kế hoạch đề ra, cụ thể: "
    "nhiệm vụ về CCHC (có 13 nhiệm vụ, trong đó: có 02/13 nhiệm vụ thường xuyên (đạt 100%); quý I/2026 có "
    "05/13 nhiệm vụ, đã thực hiện 01/05 nhiệm vụ (đạt 20%), 03/05 nhiệm vụ đang thực hiện, 01/05 nhiệm vụ "
    "chưa triển khai)."
)
Q1_FOUR_WAY = (
    "Tính đến hết ngày 31/03/2026, trong 06 nhiệm vụ có thời hạn đến ngày này: có 02 nhiệm vụ hoàn thành "
    "trong hạn, 00 nhiệm vụ hoàn thành quá hạn, 03 nhiệm vụ đang thực hiện trong hạn và 01 nhiệm vụ quá hạn."
)


async def test_quarter_report_reads_like_the_seed_sentence_by_sentence(planned, tmp_path):
    path = await docx(planned, tmp_path, "2026-Q1")
    text = paragraphs(path)
    expected_in_order = [
        "BÁO CÁO",
        "Công tác cải cách hành chính định kỳ Quý I năm 2026",
        "Thực hiện Kế hoạch số 181/KH-VP, Văn phòng UBND tỉnh báo cáo công tác cải cách hành chính quý I năm 2026 "
        "(số liệu tính đến hết ngày 31/03/2026) với các nội dung như sau:",
        "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH",
        "1. Tiến độ thực hiện Kế hoạch CCHC",
        Q1_PROGRESS,
        "Trong số nhiệm vụ đang thực hiện có 01 nhiệm vụ gặp vướng mắc (nêu tại mục III).",
        "Ngoài ra có 01 nhiệm vụ thực hiện khi có văn bản hướng dẫn, chưa xác định thời hạn.",
        "Tổng kinh phí thực hiện các nhiệm vụ theo Kế hoạch: 17.500.000 đồng.",
        "2. Kết quả theo dõi, đánh giá việc thực hiện nhiệm vụ",
        Q1_FOUR_WAY,
        "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
        "1. Công tác chỉ đạo, điều hành",
        "Phòng Hành chính – Quản trị:",
        "- I.2. Ban hành Kế hoạch CCHC năm 2026: đã hoàn thành ngày 10/03/2026; tài liệu kiểm chứng: Kế hoạch số "
        "181/KH-VP ngày 23/02/2026 (báo cáo ngày 10/03/2026); người báo cáo: Lê Thị Mai Anh.",
        "- I.3. Ban hành Kế hoạch kiểm tra CCHC: đang thực hiện, đạt 30%; người báo cáo: Lê Thị Mai Anh.",
        "2. Cải cách thể chế",
        "Trung tâm Phục vụ Hành chính công:",
        "- II.1. Rà soát văn bản quy phạm pháp luật: đang thực hiện, đạt 60%; tài liệu kiểm chứng: Dự thảo báo cáo "
        "rà soát (báo cáo ngày 20/03/2026); người báo cáo: Phạm Văn Bình.",
        "- II.2. Xây dựng quy chế phối hợp: gặp vướng mắc (Chưa có hướng dẫn của Sở Nội vụ); người báo cáo: Phạm Văn Bình.",
        "3. Cải cách thủ tục hành chính",
        "Phòng Hành chính – Quản trị:",
        "- III.4. Khảo sát sự hài lòng: đã hoàn thành ngày 20/03/2026; tài liệu kiểm chứng: Báo cáo số 45/BC-VP "
        "ngày 19/03/2026 (báo cáo ngày 20/03/2026); người báo cáo: Lê Thị Mai Anh.",
        "4. Cải cách tổ chức bộ máy",
        "- IV.2. Rà soát vị trí việc làm: đang thực hiện, đạt 30%; người báo cáo: Lê Thị Mai Anh.",
        "5. Kết quả thực hiện các chỉ tiêu",
        "III. ĐÁNH GIÁ CHUNG",
        "Trong quý I năm 2026, Văn phòng UBND tỉnh đã hoàn thành 02/06 nhiệm vụ có thời hạn đến hết ngày 31/03/2026 "
        "(đạt 33,33%); còn 01 nhiệm vụ quá hạn chưa hoàn thành. Trong kỳ có 06 nhiệm vụ được các đơn vị báo cáo kết quả.",
        "1. Khó khăn, vướng mắc",
        "- II.2. Xây dựng quy chế phối hợp (Trung tâm Phục vụ Hành chính công): Chưa có hướng dẫn của Sở Nội vụ "
        "(báo cáo ngày 25/03/2026, Phạm Văn Bình).",
        "2. Nhiệm vụ quá hạn",
        "Có 01 nhiệm vụ quá hạn chưa hoàn thành:",
        "- III.3. Niêm yết TTHC tại Bộ phận Một cửa (Phòng Hành chính – Quản trị; thời hạn 10/03/2026).",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ",
        "1. Tiếp tục tăng cường công tác lãnh đạo, chỉ đạo đối với công tác cải cách hành chính; đôn đốc thực hiện "
        "các nhiệm vụ theo Kế hoạch số 181/KH-VP.",
        "2. Tập trung thực hiện 02 nhiệm vụ có thời hạn trong quý II năm 2026:",
        "- III.2. Số hóa hồ sơ TTHC (Trung tâm Phục vụ Hành chính công; thời hạn 30/06/2026; kinh phí 14.000.000 đồng).",
        "- III.5. Rà soát quy trình nội bộ (Trung tâm Phục vụ Hành chính công; thời hạn 30/06/2026).",
        "3. Khẩn trương hoàn thành 01 nhiệm vụ quá hạn và tháo gỡ 01 vướng mắc nêu tại mục III.",
        "Trên đây là báo cáo công tác cải cách hành chính quý I năm 2026 của Văn phòng UBND tỉnh./.",
    ]
    position = -1
    for sentence in expected_in_order:
        assert sentence in text[position + 1:], f"missing or out of order: {sentence}"
        position = text.index(sentence, position + 1)
    assert not any("{{" in p or "{%" in p or "}}" in p for p in text)
    assert not any("III.3" in p for p in text[text.index("II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"):
                                             text.index("III. ĐÁNH GIÁ CHUNG")])  # nobody reported on it

    rows = table_rows(path)
    assert ["VĂN PHÒNG UBND TỈNH\nSố:        /BC-……",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n……, ngày 15 tháng 4 năm 2026"] in rows
    assert ["I. Công tác chỉ đạo, điều hành", "01", "00", "01", "00"] in rows
    assert ["II. Cải cách thể chế", "00", "00", "02", "00"] in rows
    assert ["III. Cải cách thủ tục hành chính", "01", "00", "00", "01"] in rows
    assert ["1", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "≥ 100%", "98,6% (31/03/2026)", "Chưa đạt"] in rows
    assert ["2", "Tỷ lệ cắt giảm thời gian thực hiện TTHC", "≥ 30%", "32% (31/03/2026)", "Đạt"] in rows
    assert ["3", "Hộ nghèo theo chuẩn đa chiều", "≤ 1%", "—", "Chưa có số liệu"] in rows


async def test_report_on_the_due_date_counts_tasks_due_that_day_as_open_on_time(planned, tmp_path):
    planned.clock.set(datetime(2026, 3, 31, 16, 0, tzinfo=VN))
    async with planned.sessions() as session, session.begin():
        task = await session.scalar(select(Task).where(Task.code == "I.3"))
        await add_update(session, task, status="done", at=at("2026-03-31", 15), source="console", evidence="KH 190")
    text = paragraphs(await docx(planned, tmp_path, "2026-Q1"))
    assert ("Tính đến hết ngày 31/03/2026, trong 06 nhiệm vụ có thời hạn đến ngày này: có 03 nhiệm vụ hoàn thành "
            "trong hạn, 00 nhiệm vụ hoàn thành quá hạn, 02 nhiệm vụ đang thực hiện trong hạn và 01 nhiệm vụ quá hạn.") in text
    assert any("đã thực hiện 02/05 nhiệm vụ (đạt 40%), 02/05 nhiệm vụ đang thực hiện" in p for p in text)
    assert "- I.3. Ban hành Kế hoạch kiểm tra CCHC: đã hoàn thành ngày 31/03/2026; tài liệu kiểm chứng: KH 190 (báo cáo ngày 31/03/2026)." in text


async def test_report_after_the_period_ignores_later_reports_and_the_next_quarter_sees_them(planned, tmp_path):
    planned.clock.set(datetime(2026, 7, 10, 9, 0, tzinfo=VN))
    q1 = paragraphs(await docx(planned, tmp_path, "2026-Q1", name="q1.docx"))
    assert Q1_PROGRESS in q1 and Q1_FOUR_WAY in q1  # I.3, done on 05/04, is still open in Q1
    q2 = paragraphs(await docx(planned, tmp_path, "2026-Q2", name="q2.docx"))
    assert any("quý II/2026 có 03/13 nhiệm vụ, đã thực hiện 02/03 nhiệm vụ (đạt 66,67%), 01/03 nhiệm vụ chưa triển khai)." in p
               for p in q2)
    assert ("Tính đến hết ngày 30/06/2026, trong 09 nhiệm vụ có thời hạn đến ngày này: có 04 nhiệm vụ hoàn thành "
            "trong hạn, 01 nhiệm vụ hoàn thành quá hạn, 01 nhiệm vụ đang thực hiện trong hạn và 03 nhiệm vụ quá hạn.") in q2
    assert ("- I.3. Ban hành Kế hoạch kiểm tra CCHC: đã hoàn thành ngày 05/04/2026 (quá hạn); tài liệu kiểm chứng: "
            "Kế hoạch số 200/KH-VP ngày 04/04/2026 (báo cáo ngày 05/04/2026); người báo cáo: Lê Thị Mai Anh.") in q2
    assert "Trong kỳ không có báo cáo vướng mắc." in q2
    assert "2. Không có nhiệm vụ có thời hạn trong quý III năm 2026; tiếp tục thực hiện các nhiệm vụ thường xuyên và các nhiệm vụ chưa hoàn thành." in q2


async def test_a_period_still_running_stops_its_data_now(planned, tmp_path):
    text = paragraphs(await docx(planned, tmp_path, "2026-Q2"))  # the clock says 15/04/2026
    assert any("(số liệu tính đến hết ngày 15/04/2026)" in p for p in text)
    assert any("quý II/2026 có 03/13 nhiệm vụ, đã thực hiện 01/03 nhiệm vụ (đạt 33,33%), 02/03 nhiệm vụ chưa triển khai)" in p
               for p in text)  # III.5, reported done for 10/05, is not done yet


async def test_decree09_cut_off_takes_data_from_15_december_to_14_march(planned, tmp_path):
    async with planned.sessions() as session, session.begin():
        tasks = {t.code: t for t in await session.scalars(select(Task))}
        await add_update(session, tasks["IV.2"], status="in_progress", percent=50, at=datetime(2026, 3, 14, 23, 30, tzinfo=VN), source="console")
        await add_update(session, tasks["III.2"], status="in_progress", percent=10, at=datetime(2026, 3, 15, 0, 10, tzinfo=VN), source="console")
    text = paragraphs(await docx(planned, tmp_path, "2026-Q1", mode=DECREE09))
    assert any("(số liệu tính đến hết ngày 14/03/2026)" in p for p in text)
    # The quarter's tasks are still those due in quý I; only I.2 is done by 14/03.
    assert any("quý I/2026 có 05/13 nhiệm vụ, đã thực hiện 01/05 nhiệm vụ (đạt 20%), 01/05 nhiệm vụ đang thực hiện, "
               "03/05 nhiệm vụ chưa triển khai)" in p for p in text)
    assert ("Tính đến hết ngày 14/03/2026, trong 02 nhiệm vụ có thời hạn đến ngày này: có 01 nhiệm vụ hoàn thành "
            "trong hạn, 00 nhiệm vụ hoàn thành quá hạn, 00 nhiệm vụ đang thực hiện trong hạn và 01 nhiệm vụ quá hạn.") in text
    results = "\n".join(text)
    assert "- III.1. Công bố danh mục TTHC: đã hoàn thành ngày 20/12/2025" in results  # 20/12/2025 is in the window
    assert "- IV.2. Rà soát vị trí việc làm: đang thực hiện, đạt 50%" in results  # 14/03 23:30: in
    assert "III.2. Số hóa hồ sơ TTHC: đang thực hiện" not in results  # 15/03 00:10: out
    assert "II.1. Rà soát" not in results.split("III. ĐÁNH GIÁ CHUNG")[0].split("II. KẾT QUẢ")[1]  # reported 20/03
    assert any("từ ngày 15/12/2025 đến hết ngày 14/03/2026 (Nghị định số 09/2019/NĐ-CP)" in p for p in text)


async def test_unit_report_covers_the_tasks_the_unit_leads(planned, tmp_path):
    text = paragraphs(await docx(planned, tmp_path, "2026-Q1", unit="TT PVHCC"))
    assert f"(Các nhiệm vụ do {TTPV} chủ trì)" in text
    assert any(f"nhiệm vụ về CCHC do {TTPV} chủ trì (có 05 nhiệm vụ, trong đó: có 01/05 nhiệm vụ thường xuyên (đạt 100%); "
               "quý I/2026 có 02/05 nhiệm vụ, đã thực hiện 00/02 nhiệm vụ (đạt 0%), 02/02 nhiệm vụ đang thực hiện)." in p
               for p in text)
    assert not any(p.startswith("- I.2.") or "Kết quả thực hiện các chỉ tiêu" in p for p in text)
    assert any(p.startswith("Thực hiện Kế hoạch số 181/KH-VP, Trung tâm Phục vụ Hành chính công báo cáo") for p in text)


async def test_special_characters_are_written_as_text(planned, tmp_path):
    async with planned.sessions() as session, session.begin():
        task = await session.scalar(select(Task).where(Task.code == "I.1"))
        await add_update(session, task, status="in_progress", at=at("2026-03-05"), source="console",
                         evidence="Bài viết <số 3> & ảnh", note="Thiếu kinh phí \"tuyên truyền\"")
    text = paragraphs(await docx(planned, tmp_path, "2026-Q1"))
    assert "Trung tâm Tin học & Công báo:" in text
    assert ("- I.1. Tuyên truyền công tác CCHC: đang thực hiện; tài liệu kiểm chứng: Bài viết <số 3> & ảnh "
            "(báo cáo ngày 05/03/2026).") in text


async def test_markdown_says_the_same_sentences(planned, tmp_path):
    path = await docx(planned, tmp_path, "2026-Q1")
    async with planned.sessions() as session:
        data = await gather(session, await current_plan(session), parse_period_text("2026-Q1"), zone=VN, now=planned.clock.now())
    markdown = write_md(data)
    lines = markdown.splitlines()
    for sentence in (Q1_PROGRESS, Q1_FOUR_WAY):
        assert sentence in lines
    for paragraph in paragraphs(path):
        if paragraph.startswith("- ") and paragraph.count(".") > 1:
            assert paragraph in lines or f"   {paragraph}" in lines, paragraph
    assert "| 1 | Tỷ lệ hồ sơ TTHC giải quyết đúng hạn | ≥ 100% | 98,6% (31/03/2026) | Chưa đạt |" in lines


async def test_report_data_agree_with_task_views(planned):
    """The report's own queries give each task the status and category task_views gives."""
    async with planned.sessions() as session, session.begin():
        tasks = {t.code: t for t in await session.scalars(select(Task))}
        stamp = at("2026-03-01", 8)  # two reports at the same instant: the later id wins
        await add_update(session, tasks["IV.2"], status="done", at=stamp, source="console")
        await add_update(session, tasks["IV.2"], status="stuck", at=stamp, note="x", source="console")
        await add_update(session, tasks["III.3"], status="done", at=at("2026-03-02"), source="console")
        await add_update(session, tasks["III.3"], status="in_progress", at=at("2026-03-03"), source="console")
        await add_update(session, tasks["III.3"], status="done", at=at("2026-03-12"), source="console")
        await add_update(session, tasks["III.3"], status="done", at=at("2026-03-13"), source="console")
    for period in ("2026-Q1", "2026-M2", "2026-03-01..2026-03-12", "2026-H1"):
        p = parse_period_text(period)
        async with planned.sessions() as session:
            plan = await current_plan(session)
            data = await gather(session, plan, p, zone=VN, now=planned.clock.now())
            as_of = data.as_of
            views = {v.task.code: v for v in await task_views(session, plan, as_of=as_of)}
        for line in data.tasks:
            view = views[line.code]
            done_on = view.done_at.astimezone(VN).date() if view.done_at and view.status == "done" else None
            assert (line.status, line.percent, line.category, line.done_on) == (
                view.status, view.percent, view.category(data.as_of_day, VN), done_on), (period, line.code)


def test_committed_template_is_what_the_script_builds(tmp_path):
    built = build(tmp_path / "t.docx")
    assert paragraphs(built) == paragraphs(DOCX_TEMPLATE)
    assert table_rows(built) == table_rows(DOCX_TEMPLATE)
    assert t("periodic_format_unknown", value="pdf").startswith("Định dạng «pdf»")
