"""Indicators (chỉ tiêu): targets and the values reported against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Indicator, IndicatorValue, Plan


async def upsert_indicator(
    session: AsyncSession, plan: Plan, name: str, unit_of_measure: str | None, target: Decimal, direction: str
) -> Indicator:
    if direction not in (">=", "<="):
        raise ValueError(f"direction must be >= or <=, not {direction!r}")
    indicator = await session.scalar(select(Indicator).where(Indicator.plan_id == plan.id, Indicator.name == name))
    if indicator is None:
        indicator = Indicator(plan_id=plan.id, name=name)
        session.add(indicator)
    indicator.unit_of_measure, indicator.target, indicator.direction = unit_of_measure, target, direction
    await session.flush()
    return indicator


async def add_value(
    session: AsyncSession, indicator: Indicator, value: Decimal, at: datetime, reporter_id: int | None = None
) -> IndicatorValue:
    row = IndicatorValue(indicator_id=indicator.id, value=value, reported_at=at, reporter_id=reporter_id)
    session.add(row)
    await session.flush()
    return row


def achieved(indicator: Indicator, value: Decimal) -> bool:
    return value >= indicator.target if indicator.direction == ">=" else value <= indicator.target
