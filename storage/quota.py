"""Messages sent per platform and month, counted against a plan's monthly
cap (Zalo's free plan: 3,000); services/quota_warnings.py warns the admins."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import OutboxMessage, Person


def month_start(now: datetime, zone: tzinfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


async def sent_this_month(session: AsyncSession, platform: str, now: datetime, zone: tzinfo) -> int:
    count = await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.platform == platform, OutboxMessage.status == "sent",
            OutboxMessage.sent_at >= month_start(now, zone),
        )
    )
    return count or 0


async def admins(session: AsyncSession) -> list[Person]:
    """Every admin, with their chat accounts."""
    rows = await session.scalars(select(Person).where(Person.role == "admin").options(selectinload(Person.identities)))
    return list(rows)
