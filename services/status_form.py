"""Excel both ways, for units that keep filling spreadsheets: a unit's tasks
written as an XLSX form with empty status columns (status as a drop-down),
and the filled form read back as status updates, every row validated, all
or nothing."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports import parse_status, task_code
from domain.sanitize import EVIDENCE_LIMIT, NOTE_LIMIT, clean
from domain.text import collapse, fold
from services.importers.guard import TimeLimit, UnsafeFile, check_package, open_limited, parse_off_loop
from services.texts import t
from storage.models import STATUSES, Person, Plan, StatusUpdate
from storage.org import Organisation, may_set_status
from storage.tasks import TaskView, add_update, task_views

SOURCE = "excel"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
AREA_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ROW = 4
WIDTHS = [8, 50, 26, 26, 16, 20, 18, 10, 36, 13, 36]
# Text a spreadsheet could take for a formula (or a formula after a tab or CR, as CSV injection does).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class StatusFormError(Exception):
    """The file cannot be read as a status form; the message is for the user."""


def _labels(name: str) -> list[str]:
    return t(name).split("|")


def status_labels() -> dict[str, str]:
    return {status: t("status_label", status=status) for status in STATUSES}


# --- export -----------------------------------------------------------------

def write_form(views: list[TaskView], path: Path, *, unit: str | None, today: date) -> Path:
    columns = _labels("sheet_form_columns")
    labels = status_labels()
    workbook = Workbook()
    ws = workbook.active
    ws.title = t("sheet_form_name")
    ws["A1"] = t("sheet_form_title", unit=unit)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = t("sheet_form_help", today=today)
    ws["A2"].alignment = WRAP
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    ws.row_dimensions[2].height = 45
    for column, name in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=name)
        cell.font, cell.alignment = BOLD, Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = INPUT_FILL if column >= 7 else HEAD_FILL
    row = HEADER_ROW
    area = None
    for view in views:
        if view.area.code != area:
            area = view.area.code
            row += 1
            ws.cell(row=row, column=2, value=f"{view.area.code}. {view.area.name}").font = BOLD
            for column in range(1, len(columns) + 1):
                ws.cell(row=row, column=column).fill = AREA_FILL
        row += 1
        shown = view.status == "in_progress" and view.percent is not None
        current = labels[view.status] + (f" ({view.percent}%)" if shown else "")
        values = [view.task.code, collapse(view.task.content), collapse(view.task.evidence or ""),
                  "; ".join(view.lead), collapse(view.task.timeline or ""), current]
        for column, value in enumerate(values, start=1):
            _put_text(ws.cell(row=row, column=column), value or None).alignment = WRAP
        for column in range(7, len(columns) + 1):
            ws.cell(row=row, column=column).fill = INPUT_FILL
        ws.cell(row=row, column=10).number_format = "DD/MM/YYYY"
    last = max(row, HEADER_ROW + 1)
    statuses = DataValidation(type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=True)
    statuses.promptTitle, statuses.prompt = columns[6], t("sheet_form_status_prompt")
    statuses.add(f"G{HEADER_ROW + 1}:G{last}")
    percent = DataValidation(type="whole", operator="between", formula1="0", formula2="100", allow_blank=True)
    percent.promptTitle, percent.prompt = columns[7], t("sheet_form_percent_prompt")
    percent.add(f"H{HEADER_ROW + 1}:H{last}")
    ws.add_data_validation(statuses)
    ws.add_data_validation(percent)
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    workbook.save(path)
    return path


def _put_text(cell, value: str | None):
    """A cell holding `value` as text, never a live formula: openpyxl takes a
    string starting with "=" for one. Risky text is also marked quote-prefixed,
    so Excel keeps it text when the cell is edited."""
    cell.value = value
    if value is not None and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def unit_views(views: list[TaskView], org, unit_id: int | None) -> list[TaskView]:
    """The tasks a unit (and the units below it) leads or coordinates: those its officers report on."""
    if unit_id is None:
        return views
    scope = org.subtree(unit_id)
    return [v for v in views if org.role_of(v.task.assignments, scope) is not None]


# --- import -----------------------------------------------------------------

@dataclass
class FormRow:
    row: int
    code: str
    status: str
    percent: int | None
    evidence: str | None
    on: date | None
    note: str | None


@dataclass
class FormReading:
    rows: list[FormRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_COLUMNS = {  # folded header -> field; the form's own titles, and plain variants
    "ma": "code", "ma nhiem vu": "code",
    "trang thai cap nhat": "status", "trang thai moi": "status",  # not "Trạng thái": the appendix has that
    "ty le (%)": "percent", "ty le": "percent", "ty le %": "percent",
    "tai lieu kiem chung": "evidence", "san pham": "evidence",
    "ngay": "date", "ngay bao cao": "date", "ngay hoan thanh": "date",
    "ghi chu, vuong mac": "note", "ghi chu": "note", "vuong mac": "note",
}


def _find_header(ws) -> tuple[int, dict[str, int]] | None:
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 20)):
        found = {}
        for cell in row:
            if isinstance(cell.value, str):
                name = _COLUMNS.get(fold(cell.value).strip(" *:"))
                if name and name not in found:
                    found[name] = cell.column - 1
        if "code" in found and "status" in found:
            return row[0].row, found
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return collapse(clean(str(value)))


def _percent(cell) -> tuple[int | None, bool]:
    """(value, ok); a cell formatted as percent holds 0.6 for 60%."""
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value) * (100 if "%" in (cell.number_format or "") else 1)
    else:
        try:
            number = float(fold(str(value)).strip().rstrip("%").strip().replace(",", "."))
        except ValueError:
            return None, False
    if not number.is_integer() or not 0 <= number <= 100:
        return None, False
    return int(number), True


def _date(value) -> tuple[date | None, bool]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    text = _text(value)
    for parse in (lambda s: datetime.strptime(s, "%d/%m/%Y"), lambda s: datetime.strptime(s, "%d-%m-%Y"),
                  lambda s: datetime.strptime(s, "%Y-%m-%d")):
        try:
            return parse(text).date(), True
        except ValueError:
            continue
    return None, False


def _status(text: str) -> str | None:
    folded = fold(text).strip(" .")
    for status, label in status_labels().items():
        if fold(label) == folded:
            return status
    parsed, rest = parse_status(text)
    return parsed if parsed and not rest.strip() else None


def read_form(path: Path, tasks: dict[str, str | None], today: date, limit: TimeLimit | None = None) -> FormReading:
    """Every filled row of a status form, or every error, each with its row.
    `tasks`: the plan's task codes, each with the evidence it asks for (None: none)."""
    try:
        check_package(path)
        with open_limited(path, limit) as source:
            workbook = load_workbook(source, data_only=True)
    except UnsafeFile as error:
        raise StatusFormError(str(error)) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise StatusFormError(t("sheet_not_xlsx", path=path.name)) from error
    for ws in workbook.worksheets:
        header = _find_header(ws)
        if header is not None:
            break
    else:
        raise StatusFormError(t("sheet_no_header", path=path.name))
    header_row, columns = header
    reading = FormReading()
    seen: dict[str, int] = {}  # task code -> the row it first appears on

    def cell(cells, name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    for cells in ws.iter_rows(min_row=header_row + 1):
        number = cells[0].row
        value = lambda name, cells=cells: cell(cells, name).value if cell(cells, name) is not None else None  # noqa: E731
        status_text, code_text = _text(value("status")), _text(value("code"))
        if not status_text:
            continue
        errors = []
        code = task_code(code_text) if code_text else None
        if not code_text:
            errors.append(t("sheet_code_missing", row=number))
        elif code is None or code not in tasks:
            errors.append(t("sheet_code_unknown", row=number, code=code_text))
        elif code in seen:
            errors.append(t("sheet_code_duplicate", row=number, code=code, first=seen[code]))
        status = _status(status_text)
        if status is None:
            errors.append(t("sheet_status_unknown", row=number, value=status_text))
        percent, ok = _percent(cell(cells, "percent")) if cell(cells, "percent") is not None else (None, True)
        if not ok:
            errors.append(t("sheet_percent_invalid", row=number, value=_text(value("percent"))))
        elif percent is not None and status and status != "in_progress":
            if (status, percent) in (("done", 100), ("not_started", 0)):
                percent = None
            else:
                errors.append(t("sheet_percent_mismatch", row=number, value=percent))
        on, ok = _date(value("date"))
        if not ok:
            errors.append(t("sheet_date_invalid", row=number, value=_text(value("date"))))
        elif on is not None and on > today:
            errors.append(t("sheet_date_future", row=number, value=on, today=today))
        evidence, note = _text(value("evidence")) or None, _text(value("note")) or None
        if evidence and len(evidence) > EVIDENCE_LIMIT:
            errors.append(t("sheet_text_too_long", row=number, limit=EVIDENCE_LIMIT))
        if note and len(note) > NOTE_LIMIT:
            errors.append(t("sheet_text_too_long", row=number, limit=NOTE_LIMIT))
        if status == "stuck" and not note:
            errors.append(t("sheet_note_required", row=number, code=code or code_text))
        required = tasks.get(code) if code else None
        if status == "done" and required and not evidence:
            errors.append(t("sheet_evidence_required", row=number, code=code, evidence=collapse(required)))
        if code and code not in seen:
            seen[code] = number
        if errors:
            reading.errors.extend(errors)
        elif code is None or status is None:  # each adds an error above
            raise AssertionError(f"row {number}: no code or status, yet no error")
        else:
            reading.rows.append(FormRow(number, code, status, percent, evidence, on, note))
    return reading


@dataclass
class ImportOutcome:
    errors: list[str]
    saved: list[tuple[TaskView, StatusUpdate]]


def reported_at(on: date | None, now: datetime, zone) -> datetime:
    """A row's date as a time: the end of that day, never later than now."""
    if on is None:
        return now
    return min(datetime.combine(on, time(23, 59, 59), zone), now)


async def import_status_file(
    session: AsyncSession, plan: Plan, path: Path, *, now: datetime, zone, reporter: Person | None,
    timeout: float | None = None,
) -> ImportOutcome:
    """Reads a filled form (in a worker thread, for at most `timeout` seconds);
    writes its updates only when no row has an error."""
    views = {view.task.code: view for view in await task_views(session, plan)}
    required = {code: view.task.evidence for code, view in views.items()}
    try:
        reading = await parse_off_loop(read_form, path, required, now.astimezone(zone).date(), timeout=timeout,
                                       name=path.name)
    except UnsafeFile as error:
        raise StatusFormError(str(error)) from None
    if reporter is not None:  # only the lead unit (its leaders, admins) sets a task's status
        org = await Organisation.load(session)
        for row in reading.rows:
            view = views[row.code]
            if not may_set_status(reporter, org, view.task.assignments):
                reading.errors.append(t("sheet_not_lead", row=row.row, code=row.code, lead="; ".join(view.lead)))
    if reading.errors:
        return ImportOutcome(reading.errors, [])
    saved = []
    for row in reading.rows:
        view = views[row.code]
        update = await add_update(
            session, view.task, status=row.status, at=reported_at(row.on, now, zone), source=SOURCE,
            reporter=reporter, percent=row.percent if row.status == "in_progress" else None,
            evidence=row.evidence, note=row.note,
        )
        saved.append((view, update))
    return ImportOutcome([], saved)
