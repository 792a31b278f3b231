"""Units and unit groups: resolving names as written to stored units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.notices import Notice, NoticeError, notice
from domain.text import collapse, key
from domain.units import KnownUnit, UnitIndex, collective_means_all, is_collective, signature
from storage.models import Unit, UnitAlias, UnitGroup, UnitGroupMember


class UnitError(NoticeError):
    """A unit name that cannot be used; its notice says why."""


@dataclass
class Resolved:
    unit: Unit | None = None
    group: UnitGroup | None = None

    @property
    def name(self) -> str:
        if self.unit is not None:
            return self.unit.name
        assert self.group is not None, "a name resolves to a unit or a group"
        return self.group.name


def stored(known: KnownUnit) -> Unit:
    """The stored unit behind an entry of a UnitBook's index."""
    return cast(Unit, known.ref)


@dataclass
class UnitBook:
    """Every unit and group, loaded once, resolving and creating as it goes.

    Names are resolved in two passes, full names first, so that an
    abbreviation met before its full name ("Phòng QTTV" in III.5, "Phòng
    Quản trị - Tài vụ" in VI.1) still finds it."""

    session: AsyncSession
    index: UnitIndex = field(default_factory=UnitIndex)
    groups: dict[str, UnitGroup] = field(default_factory=dict)
    new_units: list[Unit] = field(default_factory=list)
    warnings: dict[str, Notice] = field(default_factory=dict)
    _resolved: dict[str, Resolved] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession) -> UnitBook:
        book = cls(session)
        units = (await session.scalars(select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.id))).all()
        for unit in units:
            book.index.add(KnownUnit(unit, unit.name, [a.alias for a in unit.aliases]))
        for group in (await session.scalars(select(UnitGroup))).all():
            book.groups[group.key] = group
        return book

    def groups_by_name(self) -> set[str]:
        return {group.name for group in self.groups.values()}

    def resolve_all(self, names: list[str]) -> None:
        """Resolve names in an order that lets abbreviations find full names."""
        distinct = list(dict.fromkeys(collapse(n) for n in names if collapse(n)))
        full = [n for n in distinct if not is_collective(n) and not signature(n).abbreviated]
        rest = [n for n in distinct if n not in full]
        for name in full + rest:
            self.resolve(name)

    def resolve(self, name: str) -> Resolved:
        name = collapse(name)
        k = key(name)
        if k in self._resolved:
            return self._resolved[k]
        if is_collective(name):
            group = self.groups.get(k)
            if group is None:
                group = UnitGroup(name=name, key=k, all_units=collective_means_all(name))
                self.session.add(group)
                self.groups[k] = group
            resolved = Resolved(group=group)
        else:
            match = self.index.resolve(name)
            if match.unit is not None:
                unit = stored(match.unit)
                if match.how != "exact":
                    self.add_alias(unit, name)
            else:
                if match.how == "ambiguous":
                    candidates = [c.name for c in match.candidates]
                    self.warnings[name] = notice("unit_ambiguous", name=name, candidates=candidates)
                elif signature(name).abbreviated:
                    self.warnings[name] = notice("unit_abbreviation_unknown", name=name)
                unit = Unit(name=name, key=k)
                self.session.add(unit)
                self.new_units.append(unit)
                self.index.add(KnownUnit(unit, name))
            resolved = Resolved(unit=unit)
        self._resolved[k] = resolved
        return resolved

    def add_alias(self, unit: Unit, alias: str) -> None:
        k = key(alias)
        alias_row = UnitAlias(alias=alias, key=k)
        unit.aliases.append(alias_row)
        for known in self.index.units:
            if known.ref is unit:
                self.index.add_alias(known, alias)


async def find_unit(session: AsyncSession, name: str) -> Unit:
    """The one unit a name means, or a UnitError saying why not."""
    book = await UnitBook.load(session)
    match = book.index.resolve(name)
    if match.unit is None:
        if match.how == "ambiguous":
            raise UnitError(notice("unit_ambiguous_pick", name=name, candidates=[c.name for c in match.candidates]))
        raise UnitError(notice("unit_unknown", name=name))
    return stored(match.unit)


async def set_parent(session: AsyncSession, unit_name: str, parent_name: str) -> tuple[Unit, Unit]:
    unit = await find_unit(session, unit_name)
    parent = await find_unit(session, parent_name)
    ancestor: Unit | None = parent
    while ancestor is not None:
        if ancestor.id == unit.id:
            raise UnitError(notice("unit_cycle", unit=unit.name, parent=parent.name))
        ancestor = await session.get(Unit, ancestor.parent_id) if ancestor.parent_id else None
    unit.parent_id = parent.id
    return unit, parent


async def set_group_members(session: AsyncSession, group_name: str, member_names: list[str]) -> UnitGroup:
    book = await UnitBook.load(session)
    group = book.resolve(group_name).group
    if group is None:
        raise UnitError(notice("group_unknown", name=group_name))
    await session.flush()
    members = select(UnitGroupMember.unit_id).where(UnitGroupMember.group_id == group.id)
    existing = set((await session.scalars(members)).all())
    for name in member_names:
        unit = book.resolve(name).unit
        assert unit is not None, f"{name!r} names a group, not a unit"
        await session.flush()
        if unit.id not in existing:
            session.add(UnitGroupMember(group_id=group.id, unit_id=unit.id))
            existing.add(unit.id)
    return group
