"""A warning to every admin when a platform's messages this month pass 80%
and 95% of its plan's monthly cap: once per month and threshold."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.messages import Outbound
from services.texts import t
from storage.conversations import claim_event
from storage.outbox import enqueue
from storage.quota import admins, sent_this_month

THRESHOLDS = (80, 95)


async def warn_admins_near_quota(
    session: AsyncSession, platform: str, quota: int, now: datetime, zone: tzinfo
) -> list[int]:
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
        text = t("quota_warning", platform=platform, sent=sent, quota=quota, threshold=threshold)
        messages = []
        for admin in await admins(session):
            # Prefer another platform than the one running out.
            identities = sorted(admin.identities, key=lambda i: (i.platform == platform, i.id))
            if identities:
                messages.append(Outbound(identities[0].platform, identities[0].external_id, text))
        await enqueue(session, messages, now)
    return crossed
