"""Messages sent per platform and month, against a plan's monthly cap
(Zalo's free plan: 3,000), with a warning to admins at 80% and 95%."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.messages import Outbound
from services.texts import t
from storage.conversations import claim_event
from storage.models import OutboxMessage, Person
from storage.outbox import enqueue

THRESHOLDS = (80, 95)


def month_start(now: datetime, zone) -> datetime:
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


async def sent_this_month(session: AsyncSession, platform: str, now: datetime, zone) -> int:
    return await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.platform == platform, OutboxMessage.status == "sent",
            OutboxMessage.sent_at >= month_start(now, zone),
        )
    )


async def warn_admins_near_quota(session: AsyncSession, platform: str, quota: int, now: datetime, zone) -> list[int]:
    """Tell every admin once per month and threshold; the thresholds crossed now."""
    sent = await sent_this_month(session, platform, now, zone)
    crossed = []
    month = now.astimezone(zone).strftime("%Y-%m")
    for threshold in THRESHOLDS:
        if sent * 100 < quota * threshold:
            continue
        if not await claim_event(session, "quota", f"{platform}:{month}:{threshold}", now):
            continue
        crossed.append(threshold)
        admins = await session.scalars(
            select(Person).where(Person.role == "admin").options(selectinload(Person.identities))
        )
        text = t("quota_warning", platform=platform, sent=sent, quota=quota, threshold=threshold)
        messages = []
        for admin in admins:
            # Prefer another platform than the one running out.
            identities = sorted(admin.identities, key=lambda i: (i.platform == platform, i.id))
            if identities:
                messages.append(Outbound(identities[0].platform, identities[0].external_id, text))
        await enqueue(session, messages, now)
    return crossed
