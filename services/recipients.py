"""Who a reminder or an escalation goes to: the officers of the lead unit who
are there (not on leave, reachable on some platform), else the unit's leader,
else the nearest leader above it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set

from storage.org import Organisation
from storage.schedule_data import Account, Lead, PersonRow


class Roster:
    def __init__(self, people: dict[int, PersonRow], org: Organisation, on_leave: set[int], platforms: list[str]):
        self.people = people
        self.org = org
        self.on_leave = on_leave
        self.rank = {platform: i for i, platform in enumerate(platforms)}
        self.officers: dict[int, list[PersonRow]] = defaultdict(list)
        self.leaders: dict[int | None, list[PersonRow]] = defaultdict(list)
        for person in people.values():
            if person.role == "officer" and person.unit_id is not None:
                self.officers[person.unit_id].append(person)
            elif person.role == "leader":
                self.leaders[person.unit_id].append(person)
        self.staffed = {p.unit_id for p in people.values() if p.unit_id is not None and p.role in ("officer", "leader")}

    def account(self, person: PersonRow) -> Account | None:
        """The account to write to: reachable, on the preferred platform."""
        usable = [a for a in person.accounts if not a.unreachable and a.platform in self.rank]
        return min(usable, key=lambda a: self.rank[a.platform]) if usable else None

    def available(self, person: PersonRow) -> bool:
        return person.id not in self.on_leave and self.account(person) is not None

    def lead_units(self, leads: list[Lead]) -> list[int]:
        """The units that lead a task: named units, and the staffed members of
        a unit group ("Các phòng, ban, trung tâm": every unit with people)."""
        found: list[int] = []
        for lead in leads:
            if lead.unit_id is not None:
                found.append(lead.unit_id)
            elif lead.group_id in self.org.all_unit_groups:
                found.extend(sorted(self.staffed))
            elif lead.group_id is not None:  # neither a unit nor a group: no unit
                found.extend(sorted(self.org.members.get(lead.group_id, set()) & self.staffed))
        return list(dict.fromkeys(found))

    def reminded(self, unit_id: int, snoozed: Set[int] = frozenset()) -> tuple[list[PersonRow], bool]:
        """Who gets a unit's reminder, and whether they stand in for its
        officers. Officers who snoozed are left out without a stand-in: they
        asked to be reminded later."""
        if unit_id not in self.staffed:
            return [], False
        present = [p for p in self.officers.get(unit_id, []) if self.available(p)]
        if present:
            return [p for p in present if p.id not in snoozed], False
        return self.leaders_for(unit_id), True

    def leaders_for(self, unit_id: int | None, exclude: Set[int] = frozenset()) -> list[PersonRow]:
        """The unit's own leaders who are there, else those of the nearest unit above, else the organisation's."""
        levels = self.org.ancestors(unit_id) if unit_id is not None else []
        for level in [*levels, None]:
            found = [p for p in self.leaders.get(level, []) if self.available(p) and p.id not in exclude]
            if found:
                return found
        return []
