"""An uploaded XLSX or DOCX is a zip of XML parts: checked before any parser
opens it, so a small file that unpacks to gigabytes (a zip bomb) or holds
more rows than any plan is refused in a fraction of a second; and parsing
runs in a worker thread under a time limit, so one file never stalls the
event loop that answers everybody else: the parser reads the file through
a stream that refuses to read past the limit, which stops the thread too.

Sizes come from the zip's directory; Python's zipfile (which openpyxl and
python-docx read through) never unpacks a part past the size it declares.
Rows and cells are counted by scanning the table parts' XML as it unpacks,
stopping as soon as a cap is passed."""

from __future__ import annotations

import asyncio
import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from services.texts import t

MAX_UNPACKED_MB = 50  # all parts together, unpacked
MAX_MEMBERS = 2000  # parts in the zip; an Office file has tens
MAX_RATIO = 200  # unpacked / packed, for a part over RATIO_FLOOR; real sheets are 5-30
RATIO_FLOOR = 1024 * 1024
MAX_ROWS = 20_000  # rows in one sheet, or table rows in a document
MAX_CELLS = 400_000  # cells in the whole file: ~10 s of openpyxl at most
CHUNK = 1024 * 1024

_TABLE_PARTS = re.compile(r"^(?:xl/worksheets/[^/]+\.xml|word/document\.xml)$")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:row|tr)[\s/>]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|tc)[\s/>]")

T = TypeVar("T")


class UnsafeFile(Exception):
    """The file is refused before (or while) it is parsed; the message is one line for the user."""


def check_package(path: Path) -> None:
    """Raise UnsafeFile for an XLSX/DOCX over the caps; a file that is not a zip is left to its reader."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnsafeFile(t("file_unsafe_structure", path=path.name))
        if sum(info.file_size for info in infos) > MAX_UNPACKED_MB * 1024 * 1024:
            raise UnsafeFile(t("file_unsafe_size", path=path.name, limit_mb=MAX_UNPACKED_MB))
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UnsafeFile(t("file_unsafe_structure", path=path.name))
        cells = 0
        for info in infos:
            if _TABLE_PARTS.match(info.filename):
                cells = _count(archive, info, cells, path.name)


def _count(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cells: int, name: str) -> int:
    """Rows of one table part (refused over MAX_ROWS) and cells so far (over MAX_CELLS)."""
    rows, rest = 0, b""
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            buffer = rest + chunk
            cut = buffer.rfind(b"<")  # a tag cut by the chunk's end is counted with the next chunk
            if cut <= 0:
                cut = len(buffer)
            scan, rest = buffer[:cut], buffer[cut:]
            rows += _tally(_ROW, scan)
            cells += _tally(_CELL, scan)
            if rows > MAX_ROWS:
                raise UnsafeFile(t("file_unsafe_rows", path=name, limit=MAX_ROWS))
            if cells > MAX_CELLS:
                raise UnsafeFile(t("file_unsafe_cells", path=name, limit=MAX_CELLS))
    return cells + _tally(_CELL, rest)


def _tally(pattern: re.Pattern[bytes], data: bytes) -> int:
    return sum(1 for _ in pattern.finditer(data))


class TimeLimit:
    """When a parse must have ended."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self, name: str) -> None:
        if time.monotonic() > self.ends:
            raise UnsafeFile(t("file_parse_timeout", path=name, seconds=self.seconds))


class _LimitedFile(io.FileIO):
    """A file that refuses to be read once its time limit has passed; the
    zip readers pull from it as they parse, so the parse stops there."""

    def __init__(self, path: Path, limit: TimeLimit) -> None:
        super().__init__(path, "rb")
        self.limit, self.label = limit, path.name

    def read(self, size: int | None = -1) -> bytes:
        self.limit.check(self.label)
        return super().read(size)


def open_limited(path: Path, limit: TimeLimit | None) -> io.FileIO | BinaryIO:
    """The file for a parser to open: as a path without a limit, else as a stream that keeps it."""
    return _LimitedFile(path, limit) if limit is not None else open(path, "rb")


async def parse_off_loop(parse: Callable[..., T], *args: Any, timeout: float | None, name: str) -> T:
    """`parse(*args, limit=TimeLimit(timeout))` in a worker thread, never
    holding up the event loop; UnsafeFile when it takes longer than `timeout`
    seconds. The limit stops the parse itself; waiting on the thread a little
    longer is the backstop for a parser that stops reading and goes on working."""
    limit = TimeLimit(timeout) if timeout is not None else None
    try:
        backstop = None if timeout is None else timeout + 5
        return await asyncio.wait_for(asyncio.to_thread(parse, *args, limit=limit), backstop)
    except TimeoutError:
        raise UnsafeFile(t("file_parse_timeout", path=name, seconds=timeout)) from None
