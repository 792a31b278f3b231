"""People and their chat identities: importing a roster, looking people up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from domain.text import collapse, key
from services.importers.tables import PlanFileError, read_grid
from services.texts import t
from storage.models import ChatIdentity, Person
from storage.units import UnitBook

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
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


async def officers_of(session: AsyncSession, unit_ids: set[int]) -> list[Person]:
    """The officers of these units, with their chat accounts."""
    if not unit_ids:
        return []
    rows = await session.scalars(
        select(Person).where(Person.role == "officer", Person.unit_id.in_(unit_ids))
        .options(selectinload(Person.identities)).order_by(Person.id)
    )
    return list(rows)


def parse_role(text: str) -> str | None:
    return _ROLE_WORDS.get(key(text))


@dataclass
class PeopleSummary:
    people: int = 0
    new_people: int = 0
    identities: int = 0
    names: list[str] = field(default_factory=list)


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for col, title in enumerate(header):
        k = key(title).replace("_", " ")
        for name, titles in _COLUMNS.items():
            if k in {x.replace("_", " ") for x in titles} and name not in found:
                found[name] = col
    return found


async def import_people(session: AsyncSession, path: Path) -> PeopleSummary:
    grid = read_grid(path)
    rows = grid.tables[0]
    columns = _columns(rows[0])
    missing = [title for name, title in (("name", "Họ tên"), ("role", "Vai trò")) if name not in columns]
    if missing:
        raise PlanFileError(t("people_columns_missing", columns=missing))
    book = await UnitBook.load(session)
    errors: list[str] = []
    summary = PeopleSummary()
    people: dict[tuple[str, object], Person] = {}
    for number, row in enumerate(rows[1:], start=2):
        value = {name: collapse(row[col]) if col < len(row) else "" for name, col in columns.items()}
        if not any(value.values()):
            continue
        if not value.get("name"):
            errors.append(t("row_error", row=number, message=t("person_name_missing")))
            continue
        role = parse_role(value["role"])
        if role is None:
            errors.append(t("row_error", row=number, message=t("role_unknown", role=value["role"])))
            continue
        unit = None
        if value.get("unit"):
            match = book.index.resolve(value["unit"])
            if match.unit is None:
                errors.append(t("row_error", row=number, message=t("unit_unknown", name=value["unit"])))
                continue
            unit = match.unit.ref
        person_key = (key(value["name"]), unit.id if unit else None)
        person = people.get(person_key)
        if person is None:
            person = await _find_person(session, value["name"], unit)
            if person is None:
                person = Person(name=value["name"], unit=unit, role=role, identities=[])
                session.add(person)
                summary.new_people += 1
            person.role = role
            people[person_key] = person
            summary.names.append(person.name)
        platform, user_id = key(value.get("platform", "")), value.get("user_id", "")
        if platform or user_id:
            if platform not in PLATFORMS:
                errors.append(t("row_error", row=number, message=t("platform_unknown", platform=value.get("platform", ""))))
                continue
            if not user_id:
                errors.append(t("row_error", row=number, message=t("user_id_missing", platform=platform)))
                continue
            other = await session.scalar(
                select(ChatIdentity).where(ChatIdentity.platform == platform, ChatIdentity.external_id == user_id)
                .options(selectinload(ChatIdentity.person))
            )
            if other is not None and other.person is not person:
                errors.append(t("row_error", row=number, message=t("identity_taken", platform=platform, user_id=user_id, other=other.person.name)))
                continue
            if other is None:
                person.identities.append(ChatIdentity(platform=platform, external_id=user_id))
                await session.flush()
                summary.identities += 1
    if errors:
        raise PeopleFileError(errors)
    summary.people = len(people)
    await session.flush()
    return summary


async def _find_person(session: AsyncSession, name: str, unit) -> Person | None:
    candidates = await session.scalars(
        select(Person).where(Person.unit_id == (unit.id if unit else None)) if unit else select(Person).where(Person.unit_id.is_(None))
    )
    for person in candidates:
        if key(person.name) == key(name):
            await session.refresh(person, ["identities"])
            return person
    return None


async def person_by_identity(session: AsyncSession, platform: str, user_id: str) -> Person | None:
    return await session.scalar(
        select(Person)
        .join(ChatIdentity)
        .where(ChatIdentity.platform == platform, ChatIdentity.external_id == user_id)
        .options(joinedload(Person.unit))
    )
