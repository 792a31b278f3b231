"""Importing a roster (CSV or XLSX: name, unit, role, platform, user id):
every row checked in the order a person fixes them, all or nothing. The
checked rows are stored by storage/people.py."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from domain.notices import Notice, notice
from domain.text import collapse, key
from domain.units import UnitIndex
from services.importers.tables import PlanFileError, read_grid
from services.texts import say, t
from storage.people import PeopleSummary, PersonRow, store_people
from storage.units import UnitBook, stored

PLATFORMS = ("telegram", "zalo", "console")
_ROLE_WORDS = {
    "officer": "officer", "can bo": "officer", "cong chuc": "officer", "chuyen vien": "officer", "cbcc": "officer",
    "leader": "leader", "lanh dao": "leader",
    "admin": "admin", "quan tri": "admin", "quan tri vien": "admin",
}
_COLUMNS = {
    "name": ("name", "ho ten", "ho va ten", "ten"),
    "unit": ("unit", "don vi"),
    "role": ("role", "vai tro"),
    "platform": ("platform", "nen tang"),
    "user_id": ("user id", "user_id", "ma nguoi dung", "id"),
}


class PeopleFileError(Exception):
    """Rows that cannot be imported; one line for the user per row."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def parse_role(text: str) -> str | None:
    return _ROLE_WORDS.get(key(text))


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, title in enumerate(header):
        k = key(title).replace("_", " ")
        for name, titles in _COLUMNS.items():
            if k in {x.replace("_", " ") for x in titles} and name not in found:
                found[name] = col
    return found


def check_rows(rows: list[list[str]], units: UnitIndex) -> tuple[list[PersonRow], dict[int, Notice]]:
    """The rows under the header that can be stored, and what is wrong with the others, by row number."""
    columns = _columns(rows[0])
    missing = [title for name, title in (("name", "Họ tên"), ("role", "Vai trò")) if name not in columns]
    if missing:
        raise PlanFileError(t("people_columns_missing", columns=missing))
    checked: list[PersonRow] = []
    errors: dict[int, Notice] = {}
    for number, row in enumerate(rows[1:], start=2):
        value = {name: collapse(row[col]) if col < len(row) else "" for name, col in columns.items()}
        if any(value.values()):
            outcome = _check(number, value, units)
            if isinstance(outcome, Notice):
                errors[number] = outcome
            else:
                checked.append(outcome)
    return checked, errors


def _check(number: int, value: dict[str, str], units: UnitIndex) -> PersonRow | Notice:
    if not value.get("name"):
        return notice("person_name_missing")
    role = parse_role(value["role"])
    if role is None:
        return notice("role_unknown", role=value["role"])
    unit = None
    if value.get("unit"):
        match = units.resolve(value["unit"])
        if match.unit is None:
            return notice("unit_unknown", name=value["unit"])
        unit = stored(match.unit)
    platform, user_id = key(value.get("platform", "")), value.get("user_id", "")
    if platform or user_id:
        if platform not in PLATFORMS:
            return notice("platform_unknown", platform=value.get("platform", ""))
        if not user_id:
            return notice("user_id_missing", platform=platform)
    return PersonRow(number, value["name"], role, unit, platform, user_id)


async def import_people(session: AsyncSession, path: Path) -> PeopleSummary:
    rows = read_grid(path).tables[0]
    book = await UnitBook.load(session)
    checked, errors = check_rows(rows, book.index)
    summary, taken = await store_people(session, checked)
    errors.update(taken)
    if errors:
        raise PeopleFileError([say(notice("row_error", row=n, message=errors[n])) for n in sorted(errors)])
    return summary
