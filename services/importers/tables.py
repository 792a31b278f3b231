"""Read the grid of a DOCX, XLSX or CSV file as rows of cell texts.

Merged cells keep their columns: a cell merged across columns holds its text
in the first column and "" in the others; a cell merged down rows repeats its
text in each row, since it means the same value for every row it spans."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from domain.sanitize import clean
from services.importers.guard import MAX_ROWS, MAX_UNPACKED_MB, UnsafeFile, check_package
from services.texts import t


class PlanFileError(Exception):
    """A file that cannot be read as a table; the message is for the user."""


@dataclass
class Grid:
    preamble: list[str]  # text above the table (titles)
    tables: list[list[list[str]]]  # every table of the file, rows of cells


def read_grid(path: Path) -> Grid:
    if not path.exists():
        raise PlanFileError(t("file_missing", path=str(path)))
    if path.stat().st_size == 0:
        raise PlanFileError(t("file_empty", path=str(path)))
    suffix = path.suffix.lower()
    readers = {".docx": _read_docx, ".xlsx": _read_xlsx, ".xlsm": _read_xlsx, ".csv": _read_csv}
    reader = readers.get(suffix)
    if reader is None:
        raise PlanFileError(t("file_unknown_extension", path=str(path), suffix=suffix or "(không có)"))
    try:
        if reader is not _read_csv:
            check_package(path)
        grid = reader(path)
    except UnsafeFile as error:
        raise PlanFileError(str(error)) from None
    except PlanFileError:
        raise
    except Exception as exc:  # any failure inside a reader means a damaged file
        raise PlanFileError(t("file_corrupt", path=str(path), kind=suffix[1:].upper())) from exc
    grid = Grid([clean(line) for line in grid.preamble],
                [[[clean(cell) for cell in row] for row in table] for table in grid.tables])
    if not any(any(cell for row in table for cell in row) for table in grid.tables):
        raise PlanFileError(t("file_no_table", path=str(path)))
    return grid


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_docx(path: Path) -> Grid:
    import docx

    document = docx.Document(str(path))
    body = document.element.body
    preamble: list[str] = []
    for child in body.iterchildren():
        if child.tag.endswith("}tbl"):
            break
        if child.tag.endswith("}p"):
            text = "".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")).strip()
            if text:
                preamble.append(text)
    tables = []
    for table in document.tables:
        rows = []
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:
                # python-docx repeats a horizontally merged cell once per grid column.
                if id(cell._tc) in seen:
                    cells.append("")
                    continue
                seen.add(id(cell._tc))
                cells.append("\n".join(p.text for p in cell.paragraphs).strip())
            rows.append(cells)
        tables.append(rows)
    return Grid(preamble, tables)


def _read_xlsx(path: Path) -> Grid:
    import openpyxl

    workbook = openpyxl.load_workbook(str(path), data_only=True)
    tables = []
    for sheet in workbook.worksheets:
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        width = max((len(r) for r in rows), default=0)
        rows = [r + [""] * (width - len(r)) for r in rows]
        for merged in sheet.merged_cells.ranges:
            top = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(rows) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for c in range(merged.min_col - 1, merged.max_col):
                    rows[r][c] = top if c == merged.min_col - 1 else ""
        tables.append(rows)
    return Grid([], tables)


def _read_csv(path: Path) -> Grid:
    if path.stat().st_size > MAX_UNPACKED_MB * 1024 * 1024:
        raise UnsafeFile(t("file_unsafe_size", path=path.name, limit_mb=MAX_UNPACKED_MB))
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PlanFileError(t("file_bad_encoding", path=str(path)))
    if text.count("\x00") * 4 > len(text):  # UTF-16 without its byte-order mark, read as UTF-8
        raise PlanFileError(t("file_corrupt", path=str(path), kind="CSV"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(clean(text)), dialect)]
    if len(rows) > MAX_ROWS:
        raise UnsafeFile(t("file_unsafe_rows", path=path.name, limit=MAX_ROWS))
    width = max((len(r) for r in rows), default=0)
    return Grid([], [[r + [""] * (width - len(r)) for r in rows]])
