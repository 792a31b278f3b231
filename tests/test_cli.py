"""The command line, end to end: `bot.cli.main(argv)` against a SQLite file.

Every `main` call is a fresh run (own event loop, own engine) on the same
database file, like successive `python -m bot ...` invocations. The database
is inspected with a plain sqlite3 connection once the command has returned."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli import main
from tests import plan_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PEOPLE = ROOT / "sample" / "people.csv"
SEED = plan_files.SEED_DOCX

HCQT = "Phòng Hành chính – Quản trị"
TTPV = "Trung tâm Phục vụ Hành chính công"
TTTH = "Trung tâm Tin học và công báo"
QTTV = "Phòng Quản trị - Tài vụ"
ISO = "Ban Chỉ đạo ISO"
ALL = "Các phòng, ban, trung tâm"

JSON_KEYS = [
    "code", "area", "area_name", "content", "evidence", "lead_unit", "coordinating_units", "timeline",
    "due_date", "recurring", "conditional", "budget_vnd", "status", "percent", "done_at", "warnings",
]
BUDGET_WARNING = "Kinh phí «3.5000.000» viết sai định dạng, giữ nguyên như đã viết, không quy ra số."
NO_PLAN = "Chưa có kế hoạch nào. Hãy nhập kế hoạch: python -m bot import TỆP"

# ---------------------------------------------------------------------------
# Helpers: running the CLI, reading the database, building people files
# ---------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "t.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    monkeypatch.chdir(tmp_path)  # no stray .env, no ./data
    return path


@pytest.fixture
def cli(db, capsys):
    def run(*argv) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def query(db: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def count(db: Path, table: str) -> int:
    return query(db, f"SELECT count(*) FROM {table}")[0][0]


def people_snapshot(db: Path) -> list[tuple]:
    """(name, unit name or None, role, sorted [(platform, id)]) for each person."""
    people = query(
        db,
        "SELECT p.id, p.name, u.name, p.role FROM people p LEFT JOIN units u ON u.id = p.unit_id ORDER BY p.name",
    )
    return [
        (name, unit, role, sorted(query(db, "SELECT platform, external_id FROM chat_identities WHERE person_id = ?", pid)))
        for pid, name, unit, role in people
    ]


def tasks_json(cli) -> dict[str, dict]:
    run = cli("tasks", "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    return {item["code"]: item for item in data}


VI_HEADER = ["Họ tên", "Đơn vị", "Vai trò", "Nền tảng", "Mã người dùng"]
EN_HEADER = ["name", "unit", "role", "platform", "user_id"]

# A small roster that only names units of the seed plan.
PEOPLE_ROWS = [
    ["Lê Thị Mai Anh", HCQT, "cán bộ", "console", "canbo"],
    ["Lê Thị Mai Anh", HCQT, "cán bộ", "telegram", "100001"],  # second identity of the same person
    ["Đỗ Văn Khải", TTPV, "lãnh đạo", "telegram", "100008"],
    ["Nguyễn Văn Hùng", "", "lãnh đạo", "telegram", "100002"],  # whole organisation
    ["Trần Thị Thu Hà", "", "quản trị", "console", "quantri"],
]
PEOPLE_EXPECTED = [
    ("Lê Thị Mai Anh", HCQT, "officer", [("console", "canbo"), ("telegram", "100001")]),
    ("Nguyễn Văn Hùng", None, "leader", [("telegram", "100002")]),
    ("Trần Thị Thu Hà", None, "admin", [("console", "quantri")]),
    ("Đỗ Văn Khải", TTPV, "leader", [("telegram", "100008")]),
]
PEOPLE_SUMMARY = "Đã nhập 4 người (4 người mới), 5 tài khoản trò chuyện mới."


def write_people_csv(path: Path, rows, header=VI_HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_people_xlsx(path: Path, rows, header=VI_HEADER) -> Path:
    """Like the CSV, but numeric user ids are real numbers, as Excel keeps them."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(header)
    for row in rows:
        ws.append([int(v) if isinstance(v, str) and v.isdigit() else (v or None) for v in row])
    wb.save(path)
    return path


@pytest.fixture
def planned(cli):
    """The seed plan imported."""
    run = cli("import", SEED)
    assert run.code == 0, run.err
    return cli


@pytest.fixture
def staffed(planned, tmp_path):
    """The seed plan and the small roster imported."""
    run = planned("people", "import", write_people_csv(tmp_path / "people.csv", PEOPLE_ROWS))
    assert run.code == 0, run.err
    return planned


def task_updates(db: Path, code: str) -> list[tuple]:
    return query(
        db,
        "SELECT s.status, s.percent, s.evidence, p.name, s.source, s.reported_at FROM status_updates s "
        "JOIN tasks t ON t.id = s.task_id LEFT JOIN people p ON p.id = s.reporter_id "
        "WHERE t.code = ? ORDER BY s.id",
        code,
    )


# ---------------------------------------------------------------------------
# --help
# ---------------------------------------------------------------------------


def test_help_exits_zero_and_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m bot")
    for command in ("chat", "simulate", "import", "tasks", "units", "people", "invite", "groups", "status"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.M), command


# ---------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------


def test_import_seed_prints_summary_with_counts_units_and_budget_warning(cli):
    run = cli("import", SEED)
    assert run.code == 0
    assert run.err == ""
    lines = run.out.splitlines()
    assert lines[0] == "Đã nhập kế hoạch «CÁC NHIỆM VỤ TRỌNG TÂM TRIỂN KHAI CCHC TRONG NĂM 2026» năm 2026."
    assert "- Lĩnh vực: 7" in lines
    assert "- Nhiệm vụ: 30 (mới 30, cập nhật 0, không đổi 0)" in lines
    assert f"- Đơn vị: 5 (mới: {TTTH}; {HCQT}; {TTPV}; {QTTV}; {ISO})" in lines
    assert f"- Nhóm đơn vị: {ALL}; Các phòng thuộc khối nghiên cứu – tổng hợp" in lines
    assert "Cảnh báo (1):" in lines
    warning = [line for line in lines if line.startswith("- Dòng ")]
    assert len(warning) == 1
    assert re.fullmatch(r"- Dòng \d+: " + re.escape(BUDGET_WARNING), warning[0])
    assert warning[0] == f"- Dòng 15: {BUDGET_WARNING}"


def test_reimport_of_the_same_file_changes_nothing(cli, db):
    assert cli("import", SEED).code == 0
    run = cli("import", SEED)
    assert run.code == 0
    assert "- Nhiệm vụ: 30 (mới 0, cập nhật 0, không đổi 30)" in run.out.splitlines()
    assert "- Đơn vị: 5 (không có đơn vị mới)" in run.out.splitlines()
    assert count(db, "plans") == 1
    assert count(db, "tasks") == 30
    assert count(db, "units") == 5


@pytest.mark.parametrize("builder", plan_files.BAD_BUILDERS, ids=lambda b: b.__name__)
def test_bad_plan_file_is_refused_with_one_line_and_nothing_stored(builder, cli, db, tmp_path):
    path = builder(tmp_path)
    run = cli("import", path)
    assert run.code != 0
    assert run.out == ""
    assert len(run.err_lines) == 1 and run.err_lines[0].strip()
    assert run.err.endswith("\n")
    assert "Traceback" not in run.err
    after = cli("tasks", "--json")
    assert after.code == 1
    assert after.out == ""
    assert after.err_lines == [NO_PLAN]
    assert count(db, "plans") == 0 and count(db, "tasks") == 0 and count(db, "units") == 0


def test_bad_plan_file_after_a_good_one_keeps_the_plan(planned, db, tmp_path):
    run = planned("import", plan_files.build_corrupt_docx(tmp_path))
    assert run.code == 1
    assert run.err_lines == [f"Tệp {tmp_path / 'corrupt.docx'} bị hỏng hoặc không phải tệp DOCX hợp lệ."]
    assert len(tasks_json(planned)) == 30
    assert count(db, "plans") == 1


def test_import_of_a_missing_file_names_it(cli, tmp_path):
    missing = tmp_path / "khong_co.docx"
    run = cli("import", missing)
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [f"Không tìm thấy tệp {missing}."]


# ---------------------------------------------------------------------------
# tasks
# ---------------------------------------------------------------------------


def test_tasks_without_a_plan_says_so(cli):
    for argv in (("tasks",), ("tasks", "--json")):
        run = cli(*argv)
        assert run.code == 1
        assert run.out == ""
        assert run.err_lines == [NO_PLAN]


def test_tasks_json_lists_the_30_seed_tasks_with_exact_fields(planned):
    run = planned("tasks", "--json")
    assert run.code == 0 and run.err == ""
    data = json.loads(run.out)
    assert isinstance(data, list) and len(data) == 30
    assert [item["code"] for item in data] == [t["code"] for t in plan_files.SEED_EXPECTED]
    for item in data:
        assert list(item) == JSON_KEYS, item["code"]
        assert item["status"] == "not_started"
        assert item["percent"] is None
        assert item["done_at"] is None
        assert item["area"] == item["code"].split(".")[0]
        assert item["area_name"] == plan_files.SEED_AREAS[item["area"]]
    by_code = {item["code"]: item for item in data}
    for expected in plan_files.SEED_EXPECTED:
        got = by_code[expected["code"]]
        assert {k: got[k] for k in expected} == expected

    iii2 = by_code["III.2"]
    assert iii2["lead_unit"] == TTPV
    assert iii2["coordinating_units"] == [HCQT]
    assert iii2["due_date"] == "2025-09-30"
    assert iii2["timeline"] == "Quý III/2025"
    assert iii2["budget_vnd"] is None
    assert iii2["warnings"] == [BUDGET_WARNING]
    assert by_code["III.3"]["budget_vnd"] == 14_000_000
    assert by_code["III.3"]["warnings"] == []
    assert by_code["IV.2"]["conditional"] is True and by_code["IV.2"]["due_date"] is None
    assert by_code["IV.2"]["recurring"] is False
    assert by_code["I.1"]["recurring"] is True and by_code["I.1"]["due_date"] is None
    assert by_code["VII.1"]["due_date"] == "2026-12-31"
    assert by_code["VII.1"]["timeline"] == "Quý IV/2025; Trong năm"
    assert by_code["II.2"]["lead_unit"] == ALL
    assert by_code["II.2"]["coordinating_units"] == []
    assert sum(1 for item in data if item["warnings"]) == 1


def test_tasks_table_is_readable(planned):
    run = planned("tasks")
    assert run.code == 0 and run.err == ""
    lines = run.out.splitlines()
    assert lines[0] == "CÁC NHIỆM VỤ TRỌNG TÂM TRIỂN KHAI CCHC TRONG NĂM 2026 (2026): 30 nhiệm vụ"
    assert len(lines) == 31
    codes = [line.split()[0] for line in lines[1:]]
    assert codes == [t["code"] for t in plan_files.SEED_EXPECTED]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert "30/09/2025" in rows["III.2"] and "Chưa triển khai" in rows["III.2"] and TTPV in rows["III.2"]
    assert "Thường xuyên" in rows["I.1"] and TTTH in rows["I.1"]
    assert "Khi có yêu cầu" in rows["IV.2"]
    assert "31/12/2026" in rows["VII.1"]
    assert ALL in rows["II.2"]


def test_tasks_for_another_year_says_no_plan(planned):
    run = planned("tasks", "--json", "--plan-year", "2025")
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [NO_PLAN]


# ---------------------------------------------------------------------------
# people import
# ---------------------------------------------------------------------------


def test_people_import_csv_with_vietnamese_headers_and_roles(planned, db, tmp_path):
    run = planned("people", "import", write_people_csv(tmp_path / "people.csv", PEOPLE_ROWS))
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.strip() == PEOPLE_SUMMARY
    assert people_snapshot(db) == PEOPLE_EXPECTED
    assert count(db, "people") == 4
    assert count(db, "chat_identities") == 5


def test_people_import_twice_adds_nobody(planned, db, tmp_path):
    path = write_people_csv(tmp_path / "people.csv", PEOPLE_ROWS)
    assert planned("people", "import", path).code == 0
    run = planned("people", "import", path)
    assert run.code == 0
    assert run.out.strip() == "Đã nhập 4 người (0 người mới), 0 tài khoản trò chuyện mới."
    assert people_snapshot(db) == PEOPLE_EXPECTED


def test_people_import_english_headers_and_unit_abbreviation(planned, db, tmp_path):
    rows = [
        ["Lê Thị Mai Anh", HCQT, "officer", "console", "canbo"],
        ["lê thị mai anh", "phòng HCQT", "Cán Bộ", "Telegram", "100001"],  # same person, other spelling
        ["Vũ Đức Thắng", "Phòng QTTV", "leader", "zalo", "z-77"],
    ]
    run = planned("people", "import", write_people_csv(tmp_path / "p.csv", rows, header=EN_HEADER))
    assert run.code == 0, run.err
    assert run.out.strip() == "Đã nhập 2 người (2 người mới), 3 tài khoản trò chuyện mới."
    assert people_snapshot(db) == [
        ("Lê Thị Mai Anh", HCQT, "officer", [("console", "canbo"), ("telegram", "100001")]),
        ("Vũ Đức Thắng", QTTV, "leader", [("zalo", "z-77")]),
    ]


def test_people_import_xlsx_works_like_csv(planned, db, tmp_path):
    run = planned("people", "import", write_people_xlsx(tmp_path / "people.xlsx", PEOPLE_ROWS))
    assert run.code == 0, run.err
    assert run.out.strip() == PEOPLE_SUMMARY
    # numeric cells come back as "100001", not "100001.0"
    assert people_snapshot(db) == PEOPLE_EXPECTED


def test_sample_people_file_with_units_not_in_the_plan_is_refused_whole(planned, db):
    run = planned("people", "import", SAMPLE_PEOPLE)
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [
        "Dòng 15: Không tìm thấy đơn vị «Phòng Tổng hợp».",
        "Dòng 16: Không tìm thấy đơn vị «Phòng Tổng hợp».",
        "Dòng 17: Không tìm thấy đơn vị «Phòng Kinh tế».",
        "Dòng 18: Không tìm thấy đơn vị «Phòng Kinh tế».",
        "Dòng 19: Không tìm thấy đơn vị «Phòng Khoa giáo – Văn xã».",
        "Dòng 20: Không tìm thấy đơn vị «Phòng Khoa giáo – Văn xã».",
        "Dòng 21: Không tìm thấy đơn vị «Phòng Nội chính».",
        "Dòng 22: Không tìm thấy đơn vị «Phòng Nội chính».",
    ]
    # all or nothing: the 13 good rows are not kept either
    assert count(db, "people") == 0
    assert count(db, "chat_identities") == 0


def test_people_import_before_any_plan_refuses_every_unit(cli, db):
    run = cli("people", "import", SAMPLE_PEOPLE)
    assert run.code == 1
    assert run.out == ""
    # rows 2, 3 and 23 have no unit; every other row names a unit that does not exist yet
    assert [line.split(":")[0] for line in run.err_lines] == [f"Dòng {n}" for n in range(4, 23)]
    assert count(db, "people") == 0


def test_people_import_reports_each_bad_row_and_writes_nothing(planned, db, tmp_path):
    rows = [
        ["Lê Thị Mai Anh", HCQT, "cán bộ", "telegram", "100001"],
        ["Phạm Quốc Bảo", HCQT, "giám đốc", "telegram", "100002"],
        ["Lý Quang Vinh", "Phòng Tổng hợp", "lãnh đạo", "telegram", "100012"],
        ["Đỗ Văn Khải", TTPV, "lãnh đạo", "viber", "100008"],
        ["Ngô Thị Kim Oanh", TTPV, "cán bộ", "telegram", "100001"],
        ["Trần Thị Thu Hà", "", "quản trị", "console", "quantri"],
    ]
    run = planned("people", "import", write_people_csv(tmp_path / "bad.csv", rows))
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [
        "Dòng 3: Vai trò «giám đốc» không hợp lệ (cán bộ, lãnh đạo, quản trị).",
        "Dòng 4: Không tìm thấy đơn vị «Phòng Tổng hợp».",
        "Dòng 5: Nền tảng «viber» không hợp lệ (telegram, zalo, console).",
        "Dòng 6: Tài khoản telegram:100001 đã gắn với Lê Thị Mai Anh.",
    ]
    assert count(db, "people") == 0
    assert count(db, "chat_identities") == 0


def test_people_import_refuses_an_account_already_held_by_someone_else(staffed, db, tmp_path):
    before = people_snapshot(db)
    rows = [["Ngô Thị Kim Oanh", TTPV, "cán bộ", "telegram", "100008"]]  # 100008 is Đỗ Văn Khải
    run = staffed("people", "import", write_people_csv(tmp_path / "p2.csv", rows))
    assert run.code == 1
    assert run.err_lines == ["Dòng 2: Tài khoản telegram:100008 đã gắn với Đỗ Văn Khải."]
    assert people_snapshot(db) == before


def test_people_import_without_a_role_column_is_refused(planned, db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Họ tên,Đơn vị\nLê Thị Mai Anh,Phòng HCQT\n", encoding="utf-8")
    run = planned("people", "import", path)
    assert run.code == 1
    assert run.out == ""
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith("Thiếu cột bắt buộc: ")
    assert count(db, "people") == 0


def test_people_import_missing_column_message_uses_the_column_title(planned, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Họ tên,Đơn vị\nLê Thị Mai Anh,Phòng HCQT\n", encoding="utf-8")
    run = planned("people", "import", path)
    assert run.code == 1
    assert "Vai trò" in run.err


def test_people_import_row_with_platform_but_no_user_id_stores_no_empty_identity(planned, db, tmp_path):
    rows = [
        ["Lê Thị Mai Anh", HCQT, "cán bộ", "console", "canbo"],
        ["Phạm Quốc Bảo", HCQT, "lãnh đạo", "telegram", ""],
    ]
    planned("people", "import", write_people_csv(tmp_path / "p.csv", rows))
    assert query(db, "SELECT count(*) FROM chat_identities WHERE external_id = ''") == [(0,)]


def test_people_import_row_without_a_name_is_reported(planned, db, tmp_path):
    rows = [
        ["Lê Thị Mai Anh", HCQT, "cán bộ", "console", "canbo"],
        ["", HCQT, "cán bộ", "telegram", "100099"],
    ]
    run = planned("people", "import", write_people_csv(tmp_path / "p.csv", rows))
    assert query(db, "SELECT count(*) FROM people WHERE name = ''") == [(0,)]
    assert run.code == 1
    assert run.err_lines[0].startswith("Dòng 3: ")


# ---------------------------------------------------------------------------
# status set
# ---------------------------------------------------------------------------


def test_status_set_done_then_in_progress_keeps_history(staffed, db):
    run = staffed("status", "set", "II.3", "done", "--by", "100001",
                  "--at", "2026-03-10T09:00:00+07:00", "--evidence", "Báo cáo số 12/BC-HCQT")
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.strip() == "Đã ghi: II.3 — Hoàn thành, người báo cáo Lê Thị Mai Anh, lúc 09:00 10/03/2026."
    task = tasks_json(staffed)["II.3"]
    assert task["status"] == "done"
    assert task["percent"] == 100
    assert task["done_at"] == "2026-03-10T09:00:00+07:00"

    run = staffed("status", "set", "II.3", "in_progress", "--percent", "50", "--by", "canbo",
                  "--at", "2026-03-12T14:30:00+07:00", "--note", "Đang chờ số liệu")
    assert run.code == 0, run.err
    assert run.out.strip() == ("Đã ghi: II.3 — Đang thực hiện (50%), người báo cáo Lê Thị Mai Anh, "
                               "lúc 14:30 12/03/2026.")
    tasks = tasks_json(staffed)
    assert (tasks["II.3"]["status"], tasks["II.3"]["percent"], tasks["II.3"]["done_at"]) == ("in_progress", 50, None)
    assert all(t["status"] == "not_started" for code, t in tasks.items() if code != "II.3")

    updates = task_updates(db, "II.3")
    assert [(s, p, e, who, src) for s, p, e, who, src, _ in updates] == [
        ("done", None, "Báo cáo số 12/BC-HCQT", "Lê Thị Mai Anh", "admin"),
        ("in_progress", 50, None, "Lê Thị Mai Anh", "admin"),
    ]
    # stored in UTC
    assert [datetime.fromisoformat(at) for *_, at in updates] == [
        datetime(2026, 3, 10, 2, 0), datetime(2026, 3, 12, 7, 30),
    ]
    assert count(db, "status_updates") == 2


def test_status_set_table_shows_the_new_status(staffed):
    assert staffed("status", "set", "III.3", "in_progress", "--percent", "40", "--by", "100008",
                   "--at", "2026-03-10T09:00:00+07:00").code == 0
    assert staffed("status", "set", "I.1", "done", "--by", "quantri",
                   "--at", "2026-03-10T09:00:00+07:00").code == 0
    rows = {line.split()[0]: line for line in staffed("tasks").out.splitlines()[1:]}
    assert "Đang thực hiện 40%" in rows["III.3"]
    assert "Hoàn thành" in rows["I.1"]
    assert "Chưa triển khai" in rows["III.2"]


def test_status_set_naive_time_is_local_and_code_is_case_insensitive(staffed, db):
    run = staffed("status", "set", "vii.1", "done", "--by", "quantri", "--at", "2026-03-11T10:00")
    assert run.code == 0, run.err
    assert run.out.strip() == "Đã ghi: VII.1 — Hoàn thành, người báo cáo Trần Thị Thu Hà, lúc 10:00 11/03/2026."
    assert tasks_json(staffed)["VII.1"]["done_at"] == "2026-03-11T10:00:00+07:00"
    assert [at for *_, at in task_updates(db, "VII.1")] == ["2026-03-11 03:00:00.000000"]


def test_status_done_at_is_the_start_of_the_newest_done_run(staffed):
    for status, at in (("done", "2026-03-01T08:00:00+07:00"), ("stuck", "2026-03-05T08:00:00+07:00"),
                       ("done", "2026-03-20T08:00:00+07:00"), ("done", "2026-03-25T08:00:00+07:00")):
        assert staffed("status", "set", "V.2", status, "--by", "100002", "--at", at).code == 0
    task = tasks_json(staffed)["V.2"]
    assert (task["status"], task["done_at"]) == ("done", "2026-03-20T08:00:00+07:00")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["II.3", "finished", "--by", "canbo"],
         "Trạng thái «finished» không hợp lệ (not_started, in_progress, done, stuck)."),
        (["II.3", "in_progress", "--percent", "150", "--by", "canbo"],
         "Tỷ lệ «150» không hợp lệ: nhập số từ 0 đến 100."),
        (["II.3", "in_progress", "--percent", "-1", "--by", "canbo"],
         "Tỷ lệ «-1» không hợp lệ: nhập số từ 0 đến 100."),
        (["X.9", "done", "--by", "canbo"], "Không có nhiệm vụ mã X.9."),
        (["II.3", "done", "--by", "khongcoai"], "Không tìm thấy người dùng có mã «khongcoai»."),
        (["II.3", "done", "--by", "canbo", "--at", "hôm qua"],
         "Thời điểm «hôm qua» không hợp lệ: dùng dạng ISO, ví dụ 2026-04-15T09:00:00+07:00."),
        (["II.3", "done", "--by", "canbo", "--at", "31/03/2026"],
         "Thời điểm «31/03/2026» không hợp lệ: dùng dạng ISO, ví dụ 2026-04-15T09:00:00+07:00."),
    ],
    ids=["bad-status", "percent-150", "percent-negative", "unknown-code", "unknown-user", "bad-at", "dmy-at"],
)
def test_status_set_refuses_bad_input_and_writes_nothing(staffed, db, argv, message):
    assert staffed("status", "set", "I.2", "stuck", "--by", "canbo", "--note", "x",
                   "--at", "2026-03-01T08:00:00+07:00").code == 0
    before = tasks_json(staffed)
    run = staffed("status", "set", *argv)
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [message]
    assert count(db, "status_updates") == 1
    assert tasks_json(staffed) == before


def test_status_set_without_a_plan_says_so(cli, db):
    run = cli("status", "set", "III.3", "done", "--by", "canbo")
    assert run.code == 1
    assert run.err_lines == [NO_PLAN]
    assert count(db, "status_updates") == 0


# ---------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------


def test_units_lists_names_and_aliases(planned):
    run = planned("units")
    assert run.code == 0 and run.err == ""
    assert run.out.splitlines() == [
        ISO,
        HCQT,
        "  còn gọi là: Phòng HCQT",
        QTTV,
        "  còn gọi là: Phòng QTTV",
        TTPV,
        TTTH,
    ]


def test_units_set_parent_accepts_abbreviation_and_refuses_cycles(planned, db):
    run = planned("units", "set-parent", "Phòng HCQT", TTTH)
    assert run.code == 0, run.err
    assert run.out.strip() == f"Đã đặt «{TTTH}» là đơn vị cấp trên của «{HCQT}»."
    assert query(db, "SELECT p.name FROM units u JOIN units p ON p.id = u.parent_id WHERE u.name = ?", HCQT) == [(TTTH,)]
    assert f"{HCQT} (thuộc {TTTH})" in planned("units").out.splitlines()

    # TTTH under HCQT would close the loop
    run = planned("units", "set-parent", "Trung tâm Tin học và Công báo", "phòng hcqt")
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [f"Không thể đặt «{HCQT}» làm đơn vị cấp trên của «{TTTH}»: sẽ tạo vòng lặp."]
    assert query(db, "SELECT parent_id FROM units WHERE name = ?", TTTH) == [(None,)]

    # a longer loop: ISO under HCQT, then TTTH under ISO
    assert planned("units", "set-parent", ISO, HCQT).code == 0
    run = planned("units", "set-parent", TTTH, ISO)
    assert run.code == 1
    assert run.err_lines == [f"Không thể đặt «{ISO}» làm đơn vị cấp trên của «{TTTH}»: sẽ tạo vòng lặp."]
    assert query(db, "SELECT parent_id FROM units WHERE name = ?", TTTH) == [(None,)]


def test_units_set_parent_to_itself_or_unknown_is_refused(planned, db):
    run = planned("units", "set-parent", "Phòng HCQT", HCQT)
    assert run.code == 1
    assert run.err_lines == [f"Không thể đặt «{HCQT}» làm đơn vị cấp trên của «{HCQT}»: sẽ tạo vòng lặp."]
    run = planned("units", "set-parent", "Phòng XYZ", HCQT)
    assert run.code == 1
    assert run.err_lines == ["Không tìm thấy đơn vị «Phòng XYZ»."]
    assert query(db, "SELECT count(*) FROM units WHERE parent_id IS NOT NULL") == [(0,)]


# ---------------------------------------------------------------------------
# invite create
# ---------------------------------------------------------------------------


def test_invite_create_prints_a_code_stored_with_unit_role_uses_and_expiry(planned, db):
    run = planned("invite", "create", "--unit", "phòng HCQT", "--role", "cán bộ", "--uses", "2", "--expires", "7")
    assert run.code == 0, run.err
    assert run.err == ""
    lines = run.out.splitlines()
    match = re.fullmatch(r"Mã mời: ([A-Za-z0-9]+)", lines[0])
    assert match, lines[0]
    code = match.group(1)
    assert re.fullmatch(
        rf"Vai trò: Cán bộ; đơn vị: {re.escape(HCQT)}; dùng được 2 lần; hết hạn \d\d/\d\d/\d{{4}}\.", lines[1]
    ), lines[1]
    assert lines[2] == f"Người được mời gửi cho bot: /start {code} (Telegram: t.me/<tên_bot>?start={code})"
    [(role, uses, unit, expires, created)] = query(
        db, "SELECT i.role, i.uses_left, u.name, i.expires_at, i.created_at FROM invites i "
            "LEFT JOIN units u ON u.id = i.unit_id WHERE i.code = ?", code)
    assert (role, uses, unit) == ("officer", 2, HCQT)
    assert datetime.fromisoformat(expires) - datetime.fromisoformat(created) == timedelta(days=7)


def test_invite_create_for_the_whole_organisation_expires_in_7_days_by_default(planned, db):
    run = planned("invite", "create", "--role", "lãnh đạo")
    assert run.code == 0, run.err
    assert re.fullmatch(
        r"Vai trò: Lãnh đạo; đơn vị: toàn tổ chức; dùng được 1 lần; hết hạn \d\d/\d\d/\d{4}\.", run.out.splitlines()[1]
    )
    [(role, uses, unit, expires, created)] = query(
        db, "SELECT role, uses_left, unit_id, expires_at, created_at FROM invites")
    assert (role, uses, unit) == ("leader", 1, None)
    assert datetime.fromisoformat(expires) - datetime.fromisoformat(created) == timedelta(days=7)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--role", "giám đốc"], "Vai trò «giám đốc» không hợp lệ (cán bộ, lãnh đạo, quản trị)."),
        (["--role", "quản trị", "--uses", "0"], "Số lần dùng «0» không hợp lệ: phải từ 1 trở lên."),
        (["--role", "cán bộ", "--unit", "Phòng XYZ"], "Không tìm thấy đơn vị «Phòng XYZ»."),
    ],
    ids=["bad-role", "zero-uses", "unknown-unit"],
)
def test_invite_create_refuses_bad_input(planned, db, argv, message):
    run = planned("invite", "create", *argv)
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [message]
    assert count(db, "invites") == 0


@pytest.mark.parametrize("days", ["0", "-3"])
def test_invite_create_refuses_non_positive_expiry(planned, db, days):
    run = planned("invite", "create", "--role", "cán bộ", "--expires", days)
    assert run.code == 1
    assert len(run.err_lines) == 1
    assert count(db, "invites") == 0


# ---------------------------------------------------------------------------
# groups link
# ---------------------------------------------------------------------------


def test_groups_link_whole_plan_then_rescope_to_a_unit(planned, db):
    run = planned("groups", "link", "-100123", "--platform", "telegram", "--scope", "all")
    assert run.code == 0, run.err
    assert run.out.strip() == "Đã kết nối nhóm này với toàn bộ kế hoạch: nhóm sẽ nhận bản tin tổng hợp hằng tuần."
    assert query(db, "SELECT platform, chat_id, scope_unit_id, active FROM group_links") == [
        ("telegram", "-100123", None, 1)
    ]

    run = planned("groups", "link", "-100123", "--platform", "telegram", "--scope", "Phòng HCQT")
    assert run.code == 0, run.err
    assert run.out.strip() == (f"Đã kết nối nhóm này với đơn vị {HCQT}: "
                               "nhóm sẽ nhận bản tin tổng hợp hằng tuần.")
    assert query(db, "SELECT g.platform, g.chat_id, u.name FROM group_links g "
                     "LEFT JOIN units u ON u.id = g.scope_unit_id") == [("telegram", "-100123", HCQT)]


def test_groups_link_default_scope_is_all(planned, db):
    run = planned("groups", "link", "g-42", "--platform", "zalo")
    assert run.code == 0, run.err
    assert query(db, "SELECT platform, chat_id, scope_unit_id FROM group_links") == [("zalo", "g-42", None)]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-100123", "--platform", "whatsapp"], "Nền tảng «whatsapp» không hợp lệ (telegram, zalo, console)."),
        (["-100123", "--platform", "telegram", "--scope", "Phòng XYZ"], "Không tìm thấy đơn vị «Phòng XYZ»."),
    ],
    ids=["bad-platform", "unknown-unit"],
)
def test_groups_link_refuses_bad_input(planned, db, argv, message):
    run = planned("groups", "link", *argv)
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [message]
    assert count(db, "group_links") == 0
