"""People and their chat identities: storing a checked roster, looking people up."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from domain.notices import Notice, notice
from domain.text import key
from storage.models import ChatIdentity, Person, Unit


@dataclass(frozen=True)
class PersonRow:
    """One checked row of a roster file: a person, with one chat account or none."""

    row: int  # as a person counts in Excel, for error messages
    name: str
    role: str
    unit: Unit | None
    platform: str = ""  # "" when the row names no account
    user_id: str = ""


@dataclass
class PeopleSummary:
    people: int = 0
    new_people: int = 0
    identities: int = 0
    names: list[str] = field(default_factory=list)


async def officers_of(session: AsyncSession, unit_ids: set[int]) -> list[Person]:
    """The officers of these units, with their chat accounts."""
    if not unit_ids:
        return []
    rows = await session.scalars(
        select(Person).where(Person.role == "officer", Person.unit_id.in_(unit_ids))
        .options(selectinload(Person.identities)).order_by(Person.id)
    )
    return list(rows)


async def store_people(session: AsyncSession, rows: list[PersonRow]) -> tuple[PeopleSummary, dict[int, Notice]]:
    """Add or update each person and add their account; the rows whose
    account belongs to somebody else, by row number, are not stored."""
    summary = PeopleSummary()
    taken: dict[int, Notice] = {}
    people: dict[tuple[str, int | None], Person] = {}
    for row in rows:
        person_key = (key(row.name), row.unit.id if row.unit else None)
        person = people.get(person_key)
        if person is None:
            person = await _find_person(session, row.name, row.unit)
            if person is None:
                person = Person(name=row.name, unit=row.unit, role=row.role, identities=[])
                session.add(person)
                summary.new_people += 1
            person.role = row.role
            people[person_key] = person
            summary.names.append(person.name)
        if row.platform:
            other = await session.scalar(
                select(ChatIdentity)
                .where(ChatIdentity.platform == row.platform, ChatIdentity.external_id == row.user_id)
                .options(selectinload(ChatIdentity.person))
            )
            if other is not None and other.person is not person:
                taken[row.row] = notice(
                    "identity_taken", platform=row.platform, user_id=row.user_id, other=other.person.name
                )
                continue
            if other is None:
                person.identities.append(ChatIdentity(platform=row.platform, external_id=row.user_id))
                await session.flush()
                summary.identities += 1
    summary.people = len(people)
    await session.flush()
    return summary, taken


async def _find_person(session: AsyncSession, name: str, unit: Unit | None) -> Person | None:
    candidates = await session.scalars(
        select(Person).where(Person.unit_id == unit.id) if unit else select(Person).where(Person.unit_id.is_(None))
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
