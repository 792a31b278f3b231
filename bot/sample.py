"""The sample organisation and plan, loaded into an empty database so that a
newcomer can chat with the bot at once (`python -m bot`)."""

from __future__ import annotations

import csv
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.importers.people_file import import_people
from services.importers.plan_file import parse_plan_file
from services.texts import say
from storage.indicators import add_value, upsert_indicator
from storage.models import Plan, Unit
from storage.plans import import_plan
from storage.units import UnitBook, set_group_members

SAMPLE = Path(__file__).resolve().parent.parent / "sample"


def _rows(name: str) -> list[dict]:
    with (SAMPLE / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def load_sample(session: AsyncSession, now: datetime, zone) -> Plan:
    book = await UnitBook.load(session)

    def unit_named(name: str) -> Unit:
        unit = book.resolve(name).unit
        if unit is None:  # the sample's own files name every unit
            raise ValueError(f"sample unit not found: {name}")
        return unit

    for row in _rows("units.csv"):
        unit = unit_named(row["unit"])
        for alias in filter(None, row["aliases"].split("|")):
            book.add_alias(unit, alias)
    await session.flush()
    for row in _rows("units.csv"):
        if row["parent"]:
            unit_named(row["unit"]).parent_id = unit_named(row["parent"]).id
    for row in _rows("groups.csv"):
        await set_group_members(session, row["group"], row["members"].split("|"))
    parsed = parse_plan_file(SAMPLE / "plan_2026.docx")
    await import_plan(session, parsed, "plan_2026.docx", now, say)
    await import_people(session, SAMPLE / "people.csv")
    plan = await session.scalar(select(Plan).where(Plan.year == parsed.year, Plan.name == parsed.name))
    if plan is None:
        raise ValueError("the sample plan was not imported")
    for row in _rows("indicators.csv"):
        indicator = await upsert_indicator(
            session, plan, row["name"], row["unit_of_measure"] or None, Decimal(row["target"]), row["direction"]
        )
        if row["value"]:
            at = datetime.combine(datetime.fromisoformat(row["reported_at"]).date(), time(17, 0), zone)
            await add_value(session, indicator, Decimal(row["value"]), at)
    return plan


async def ensure_sample(sessions, now: datetime, zone) -> bool:
    """Load the sample into a database that has no plan and no unit yet."""
    async with sessions() as session, session.begin():
        if await session.scalar(select(Plan.id).limit(1)) or await session.scalar(select(Unit.id).limit(1)):
            return False
        await load_sample(session, now, zone)
        return True
