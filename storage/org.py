"""The organisation as a tree: who is above whom, what a unit's tasks are,
which leaders see a unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Assignment, ChatIdentity, Person, Unit, UnitGroup, UnitGroupMember


@dataclass
class Organisation:
    units: dict[int, Any]  # rows with id, name, parent_id
    children: dict[int | None, list[int]]
    all_unit_groups: set[int]
    members: dict[int, set[int]]  # group id -> unit ids

    @classmethod
    async def load(cls, session: AsyncSession) -> Organisation:
        # Plain rows (id, name, parent_id), not ORM objects: this runs on most events.
        units = {u.id: u for u in await session.execute(select(Unit.id, Unit.name, Unit.parent_id))}
        children: dict[int | None, list[int]] = {}
        for unit in units.values():
            children.setdefault(unit.parent_id, []).append(unit.id)
        groups = dict((await session.execute(select(UnitGroup.id, UnitGroup.all_units))).all())
        members: dict[int, set[int]] = {gid: set() for gid in groups}
        for row in await session.execute(select(UnitGroupMember.group_id, UnitGroupMember.unit_id)):
            members[row.group_id].add(row.unit_id)
        return cls(units, children, {gid for gid, all_units in groups.items() if all_units}, members)

    def subtree(self, unit_id: int | None) -> set[int] | None:
        """The unit and every unit below it; None means the whole organisation."""
        if unit_id is None:
            return None
        seen, stack = set(), [unit_id]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.children.get(current, []))
        return seen

    def ancestors(self, unit_id: int) -> list[int]:
        chain, current = [], self.units.get(unit_id)
        while current is not None and current.id not in chain:
            chain.append(current.id)
            current = self.units.get(current.parent_id) if current.parent_id else None
        return chain

    def assignment_covers(self, assignment: Assignment, unit_ids: set[int] | None) -> bool:
        """Whether an assignment (a unit or a group) falls within these units."""
        if unit_ids is None:
            return True
        if assignment.unit_id is not None:
            return assignment.unit_id in unit_ids
        if assignment.group_id in self.all_unit_groups:
            return True
        return bool(self.members.get(assignment.group_id, set()) & unit_ids)

    def lead_units(self, assignments: list[Assignment]) -> set[int]:
        """The units that lead a task: named ones and the members of a leading group."""
        found: set[int] = set()
        for a in assignments:
            if a.role != "lead":
                continue
            if a.unit_id is not None:
                found.add(a.unit_id)
            elif a.group_id in self.all_unit_groups:
                found |= set(self.units)
            else:
                found |= self.members.get(a.group_id, set())
        return found

    def role_of(self, assignments: list[Assignment], unit_ids: set[int] | None) -> str | None:
        """'lead' or 'coordinating' when these units work on a task, else None."""
        roles = {a.role for a in assignments if self.assignment_covers(a, unit_ids)}
        return "lead" if "lead" in roles else ("coordinating" if roles else None)


def may_set_status(person: Person, org: Organisation, assignments: list[Assignment]) -> bool:
    """Whether a person sets a task's status: admins, and those whose scope
    covers a lead unit of the task (its officers, the leaders above it). A
    coordinating unit only contributes notes and evidence."""
    return person.role == "admin" or org.role_of(assignments, scope_of(person, org)) == "lead"


def scope_of(person: Person, org: Organisation) -> set[int] | None:
    """Units whose tasks a person sees: officers their unit, leaders their
    subtree, organisation-wide leaders and admins everything (None)."""
    if person.unit_id is None or person.role == "admin":
        return None
    if person.role == "leader":
        return org.subtree(person.unit_id)
    return {person.unit_id}


async def leaders_over(session: AsyncSession, org: Organisation, unit_id: int | None) -> list[Person]:
    """Leaders whose scope includes the unit: its own, those above, organisation-wide."""
    above = set(org.ancestors(unit_id)) if unit_id is not None else set()
    leaders = await session.scalars(
        select(Person).where(Person.role == "leader").options(selectinload(Person.identities)).order_by(Person.id)
    )
    return [p for p in leaders if p.unit_id is None or p.unit_id in above]


def reachable_identity(person: Person, prefer_platform: str) -> ChatIdentity | None:
    identities = sorted(person.identities, key=lambda i: (i.platform != prefer_platform, i.id))
    return identities[0] if identities else None
