"""The XLSX appendix, read back with openpyxl: summary counts, the plan table
grouped by area with status, percent, evidence, last report and reporter,
and the indicators."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook

from domain.report_periods import parse_period_text
from services.reports import write_report
from storage.tasks import current_plan
from tests.conftest import VN
from tests.report_fixture import HCQT, TTPV, load_fixture


@pytest.fixture
async def workbook(app, tmp_path):
    await load_fixture(app, tmp_path)
    async with app.sessions() as session:
        plan = await current_plan(session)
        path = await write_report(session, plan, parse_period_text("2026-Q1"), "xlsx", tmp_path / "r.xlsx",
                                  zone=VN, now=app.clock.now(), mode="calendar")
    return load_workbook(path)


def rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_sheets_and_summary(workbook):
    assert workbook.sheetnames == ["Tổng hợp", "Phụ lục", "Chỉ tiêu"]
    summary = rows(workbook["Tổng hợp"])
    assert summary[0][0] == "PHỤ LỤC: TIẾN ĐỘ THỰC HIỆN KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2026"
    assert summary[3][0].startswith("Trong quý I năm 2026, Văn phòng UBND tỉnh") and "đã thực hiện 01/05 nhiệm vụ (đạt 20%)" in summary[3][0]
    table = {row[0]: row[1:3] for row in summary if row and isinstance(row[1], int)}
    assert table["Tổng số nhiệm vụ"] == [13, None]
    assert table["Nhiệm vụ thường xuyên"] == [2, 1.0]
    assert table["Nhiệm vụ có thời hạn trong quý I/2026"] == [5, None]
    assert table["Trong đó: đã hoàn thành"] == [1, pytest.approx(0.2)]
    assert table["Trong đó: đang thực hiện"][0] == 3 and table["Trong đó: chưa triển khai"][0] == 1
    header = summary.index(["Lĩnh vực", "Hoàn thành trong hạn", "Hoàn thành quá hạn", "Đang thực hiện, trong hạn", "Quá hạn", "Cộng"])
    assert summary[header + 1] == ["I. Công tác chỉ đạo, điều hành", 1, 0, 1, 0, 2]
    assert summary[header + 5] == ["Cộng", 2, 0, 3, 1, 6]
    assert workbook["Tổng hợp"].cell(row=header + 7, column=2).number_format == "0.00%"


def test_plan_table_grouped_by_area_with_status_and_last_report(workbook):
    ws = workbook["Phụ lục"]
    table = rows(ws)
    assert table[3] == ["Mã", "Nội dung nhiệm vụ", "Tài liệu kiểm chứng (yêu cầu)", "Đơn vị chủ trì", "Đơn vị phối hợp",
                        "Thời gian thực hiện", "Thời hạn", "Kinh phí (đồng)", "Trạng thái", "Tỷ lệ (%)", "Phân loại",
                        "Tài liệu kiểm chứng (đã báo cáo)", "Ngày báo cáo gần nhất", "Người báo cáo", "Ghi chú, vướng mắc"]
    codes = [row[0] for row in table[4:]]
    assert codes == ["I", "I.1", "I.2", "I.3", "II", "II.1", "II.2", "II.3", "III", "III.1", "III.2", "III.3", "III.4",
                     "III.5", "IV", "IV.1", "IV.2"]
    by_code = {row[0]: row for row in table[4:]}
    assert by_code["I"][1] == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"
    assert by_code["I.2"] == ["I.2", "Ban hành Kế hoạch CCHC năm 2026", "Kế hoạch", HCQT, None, "Quý I/2026",
                              datetime(2026, 3, 31), None, "Hoàn thành", 100, "hoàn thành trong hạn",
                              "Kế hoạch số 181/KH-VP ngày 23/02/2026", datetime(2026, 3, 10), "Lê Thị Mai Anh", None]
    assert by_code["II.2"][8:] == ["Gặp vướng mắc", None, "đang thực hiện, trong hạn", None, datetime(2026, 3, 25),
                                   "Phạm Văn Bình", "Chưa có hướng dẫn của Sở Nội vụ"]
    assert by_code["III.2"][7] == 14_000_000 and by_code["III.2"][8:11] == ["Chưa triển khai", None, "chưa đến hạn"]
    assert by_code["III.3"][10] == "quá hạn"
    assert by_code["III.4"][10] == "hoàn thành trước hạn"
    assert by_code["I.1"][10] == "thường xuyên" and by_code["IV.1"][10] == "chưa xác định thời hạn"
    assert by_code["II.1"][3] == TTPV and by_code["II.1"][9] == 60
    # Formats: dates dd/mm/yyyy, budgets with thousands; tasks one outline level under their area.
    i2 = codes.index("I.2") + 5
    assert ws.cell(row=i2, column=7).number_format == "DD/MM/YYYY"
    assert ws.cell(row=i2, column=13).number_format == "DD/MM/YYYY"
    assert ws.cell(row=codes.index("III.2") + 5, column=8).number_format == "#,##0"
    assert ws.row_dimensions[i2].outline_level == 1 and ws.row_dimensions[5].outline_level == 0
    assert ws.freeze_panes == "C5" and ws.auto_filter.ref == "A4:O21"


def test_indicators_sheet(workbook):
    assert rows(workbook["Chỉ tiêu"]) == [
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu", "Kết quả", "Ngày cập nhật", "Đánh giá"],
        [1, "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "%", "≥ 100%", 98.6, datetime(2026, 3, 31), "Chưa đạt"],
        [2, "Tỷ lệ cắt giảm thời gian thực hiện TTHC", "%", "≥ 30%", 32, datetime(2026, 3, 31), "Đạt"],
        [3, "Hộ nghèo theo chuẩn đa chiều", "%", "≤ 1%", None, None, "Chưa có số liệu"],
    ]
