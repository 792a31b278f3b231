"""Excel both ways: the status form a unit fills, and reading it back as
status updates, all or nothing, every error with its row; the CLI commands
`report`, `export-form`, `import-status`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import CliError, build_parser, main
from services.texts import say
from storage.models import StatusUpdate, Task
from storage.units import UnitError
from tests.conftest import VN
from tests.report_fixture import HCQT, load_fixture, write_plan_csv


@pytest.fixture
async def planned(app, tmp_path):
    await load_fixture(app, tmp_path)
    return app


@pytest.fixture
def cli(capsys):
    async def run(app, *argv) -> tuple[int, str, str]:
        capsys.readouterr()
        args = build_parser().parse_args([str(a) for a in argv])
        try:
            code = await args.run(app, args)
        except CliError as error:
            print(str(error), file=sys.stderr)
            code = 1
        except UnitError as error:
            print(say(error.notice), file=sys.stderr)
            code = 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


def fill(path: Path, rows: dict[str, list], out: Path | None = None) -> Path:
    """Fill the input columns (Trạng thái, Tỷ lệ, Tài liệu kiểm chứng, Ngày, Ghi chú) of the rows with these codes."""
    workbook = load_workbook(path)
    ws = workbook.active
    for row in ws.iter_rows(min_row=5):
        code = row[0].value
        if code in rows:
            for offset, value in enumerate(rows[code]):
                row[6 + offset].value = value
    workbook.save(out or path)
    return out or path


async def update_count(app) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count(StatusUpdate.id)))


async def test_export_form_lists_the_units_tasks_with_empty_status_columns(planned, cli, tmp_path):
    path = tmp_path / "form.xlsx"
    code, out, _ = await cli(planned, "export-form", "--unit", "Phòng HCQT", "--out", path)
    assert code == 0 and out.strip() == f"Đã ghi biểu mẫu 08 nhiệm vụ: {path}"
    ws = load_workbook(path).active
    assert ws["A1"].value == f"BIỂU CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH — {HCQT.upper()}"
    header = [c.value for c in ws[4]]
    assert header == ["Mã", "Nội dung nhiệm vụ", "Tài liệu kiểm chứng (yêu cầu)", "Đơn vị chủ trì", "Thời hạn",
                      "Trạng thái hiện tại", "Trạng thái cập nhật", "Tỷ lệ (%)", "Tài liệu kiểm chứng", "Ngày", "Ghi chú, vướng mắc"]
    tasks = [[c.value for c in row] for row in ws.iter_rows(min_row=5) if row[0].value]
    # Tasks HCQT leads or coordinates (its officers report on both), in plan order.
    assert [r[0] for r in tasks] == ["I.1", "I.2", "I.3", "II.2", "III.3", "III.4", "IV.1", "IV.2"]
    assert tasks[2][:6] == ["I.3", "Ban hành Kế hoạch kiểm tra CCHC", "Kế hoạch", HCQT, "Quý I/2026", "Hoàn thành"]
    assert tasks[7][5] == "Đang thực hiện (30%)"
    assert all(r[6:] == [None] * 5 for r in tasks)
    [statuses, percent] = ws.data_validations.dataValidation
    assert statuses.type == "list" and statuses.formula1 == '"Chưa triển khai,Đang thực hiện,Hoàn thành,Gặp vướng mắc"'
    assert str(statuses.sqref) == "G5:G16"
    assert (percent.type, percent.formula1, percent.formula2) == ("whole", "0", "100")


async def test_filled_form_becomes_status_updates(planned, cli, tmp_path):
    path = tmp_path / "form.xlsx"
    await cli(planned, "export-form", "--out", path)
    workbook = load_workbook(path)
    ws = workbook.active
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "III.2":  # 60% typed into a cell formatted as percent: Excel keeps 0.6
            row[7].value, row[7].number_format = 0.6, "0%"
    workbook.save(path)
    fill(path, {
        "III.3": ["Hoàn thành", None, None, datetime(2026, 4, 2)],
        "III.2": ["đang thực hiện"],
        "IV.1": ["Gặp vướng mắc", None, None, "14/04/2026", "Chờ hướng dẫn của Sở Nội vụ"],
        "II.1": ["Hoàn thành", "100", "Báo cáo số 9/BC-TTPV", None, None],
    })
    before = await update_count(planned)
    code, out, err = await cli(planned, "import-status", path, "--by", "quantri")
    assert (code, err) == (0, "")
    assert out.strip() == "Đã ghi 04 cập nhật trạng thái từ tệp Excel: II.1, III.2, III.3, IV.1."
    assert await update_count(planned) == before + 4
    async with planned.sessions() as session:
        rows = (await session.execute(
            select(Task.code, StatusUpdate.status, StatusUpdate.percent, StatusUpdate.evidence, StatusUpdate.note,
                   StatusUpdate.reported_at, StatusUpdate.source)
            .join(Task).where(StatusUpdate.source == "excel").order_by(Task.code)
        )).all()
    now = planned.clock.now()
    assert [tuple(r) for r in rows] == [
        ("II.1", "done", None, "Báo cáo số 9/BC-TTPV", None, now, "excel"),
        ("III.2", "in_progress", 60, None, None, now, "excel"),
        ("III.3", "done", None, None, None, datetime(2026, 4, 2, 23, 59, 59, tzinfo=VN), "excel"),
        ("IV.1", "stuck", None, None, "Chờ hướng dẫn của Sở Nội vụ", datetime(2026, 4, 14, 23, 59, 59, tzinfo=VN), "excel"),
    ]


async def test_every_bad_row_is_reported_with_its_row_and_nothing_is_written(planned, cli, tmp_path):
    path = tmp_path / "form.xlsx"
    await cli(planned, "export-form", "--out", path)
    workbook = load_workbook(path)
    ws = workbook.active
    ws.append(["IX.9", None, None, None, None, None, "Hoàn thành"])  # row 22
    ws.append([None, None, None, None, None, None, "Hoàn thành"])  # row 23
    ws.append(["III.5", None, None, None, None, None, "Đang thực hiện", 20])  # row 24: III.5 again
    workbook.save(path)
    fill(path, {
        "I.1": ["Đang thực hiện", 150],  # row 6
        "I.2": ["Xong rồi nhé"],  # row 7
        "I.3": ["Hoàn thành", None, "KH 12", "20/04/2026"],  # row 8: after 15/04/2026
        "II.1": ["Đang thực hiện", 40, None, "31/02/2026"],  # row 10
        "II.2": ["Gặp vướng mắc"],  # row 11: no note
        "III.2": ["Hoàn thành"],  # row 15: the plan asks for a report as evidence
        "III.3": ["Chưa triển khai", 40],  # row 16
        "III.5": ["Hoàn thành", None, "Quy trình số 3"],  # row 18
        "IV.2": ["Đang thực hiện", 45],  # row 21: a good row, not written either
    })
    before = await update_count(planned)
    code, out, err = await cli(planned, "import-status", path)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "Dòng 6: tỷ lệ «150» không hợp lệ, phải là số từ 0 đến 100.",
        "Dòng 7: trạng thái «Xong rồi nhé» không hợp lệ (Chưa triển khai, Đang thực hiện, Hoàn thành, Gặp vướng mắc).",
        "Dòng 8: ngày 20/04/2026 ở tương lai (hôm nay là 15/04/2026).",
        "Dòng 10: ngày «31/02/2026» không hợp lệ, ghi theo dạng dd/mm/yyyy.",
        "Dòng 11: nhiệm vụ II.2 gặp vướng mắc cần ghi rõ vướng mắc ở cột Ghi chú.",
        "Dòng 15: nhiệm vụ III.2 cần tài liệu kiểm chứng để ghi nhận hoàn thành (Báo cáo).",
        "Dòng 16: tỷ lệ 40% chỉ dùng với trạng thái «Đang thực hiện».",
        "Dòng 22: không có nhiệm vụ mã «IX.9» trong kế hoạch.",
        "Dòng 23: có trạng thái nhưng thiếu mã nhiệm vụ.",
        "Dòng 24: nhiệm vụ III.5 đã có ở dòng 18.",
        "Không ghi trạng thái nào: tệp có 10 lỗi, hãy sửa rồi gửi lại.",
    ]
    assert await update_count(planned) == before


async def test_files_that_are_not_a_form(planned, cli, tmp_path):
    empty = tmp_path / "blank.xlsx"
    await cli(planned, "export-form", "--out", empty)
    code, _, err = await cli(planned, "import-status", empty)
    assert code == 1 and err.strip() == "Tệp không có dòng nào được điền trạng thái: không có gì để ghi."
    other = tmp_path / "other.xlsx"
    await cli(planned, "report", "--period", "2026-Q1", "--format", "xlsx", "--out", other)
    code, _, err = await cli(planned, "import-status", other)
    assert code == 1 and "không phải biểu cập nhật trạng thái" in err
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    code, _, err = await cli(planned, "import-status", fake)
    assert code == 1 and err.strip() == "Tệp fake.xlsx không phải tệp Excel (.xlsx) hợp lệ."


async def test_report_command_writes_each_format_and_refuses_bad_input(planned, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = await cli(planned, "report", "--period", "2026-Q1")
    assert code == 0 and out.strip() == "Đã ghi báo cáo: bao-cao-cchc-2026-Q1.docx" and (tmp_path / "bao-cao-cchc-2026-Q1.docx").exists()
    code, out, _ = await cli(planned, "report", "--period", "2026-M3", "--format", "xlsx", "--unit", "TT PVHCC")
    assert code == 0 and (tmp_path / "bao-cao-cchc-2026-M3-trung-tam-phuc-vu-hanh-chinh-cong.xlsx").exists()
    code, out, _ = await cli(planned, "report", "--period", "2026-01-01..2026-03-31", "--format", "md")
    assert code == 0 and out.startswith("# BÁO CÁO\n## Công tác cải cách hành chính Từ 01/01/2026 đến 31/03/2026")
    code, out, _ = await cli(planned, "report", "--period", "2026-Q1", "--format", "md", "--mode", "decree09", "--out", "q1.md")
    assert code == 0 and "(Nghị định số 09/2019/NĐ-CP)" in (tmp_path / "q1.md").read_text(encoding="utf-8")
    code, _, err = await cli(planned, "report", "--period", "2026-Q5")
    assert code == 1 and err.startswith("Kỳ báo cáo «2026-Q5» không hợp lệ.")
    code, _, err = await cli(planned, "report", "--period", "2026-Q3")
    assert code == 1 and err.strip() == "Kỳ quý III năm 2026 bắt đầu từ ngày 01/07/2026, chưa có số liệu để báo cáo."
    code, _, err = await cli(planned, "report", "--period", "2026-Q1", "--unit", "Phòng Không Có")
    assert code == 1 and err.strip() == "Không tìm thấy đơn vị «Phòng Không Có»."


def test_import_status_exits_1_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(write_plan_csv(tmp_path)), "--plan-year", "2026"]) == 0
    assert main(["report", "--period", "2026"]) == 0
    assert main(["export-form", "--out", "form.xlsx"]) == 0
    fill(tmp_path / "form.xlsx", {"I.2": ["Đã hoàn thành"], "III.3": ["Không rõ"]})
    capsys.readouterr()
    assert main(["import-status", "form.xlsx"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Dòng 7: nhiệm vụ I.2 cần tài liệu kiểm chứng") and err[1].startswith("Dòng 16: trạng thái «Không rõ»")
    assert main(["import-status", "missing.xlsx"]) == 1
