"""The outbox: messages waiting for delivery, and what became of them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.events import Option, Outbound
from storage.models import OutboxMessage


async def enqueue(session: AsyncSession, messages: list[Outbound], now: datetime) -> list[OutboxMessage]:
    rows = [
        OutboxMessage(
            platform=m.platform, chat_id=m.chat_id, text=m.text, options=[[o.label, o.data] for o in m.options],
            files=list(m.files), replace_message_id=m.replace_message_id, callback_id=m.callback_id, toast=m.toast,
            status="pending", attempts=0, created_at=now,
        )
        for m in messages
    ]
    session.add_all(rows)
    await session.flush()
    return rows


def as_outbound(row: OutboxMessage) -> Outbound:
    return Outbound(
        row.platform, row.chat_id, row.text, [Option(label, data) for label, data in row.options], list(row.files),
        replace_message_id=row.replace_message_id, callback_id=row.callback_id, toast=row.toast,
    )


async def claim_pending(session: AsyncSession, platform: str, now: datetime, limit: int = 500) -> list[OutboxMessage]:
    """Take pending messages for sending, oldest first. Another process
    claiming at the same time gets none of the same rows."""
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.platform == platform, OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.scalars(query)).all())
    if not ids:
        return []
    claimed = (
        await session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
            .values(status="sending", claimed_at=now)
            .returning(OutboxMessage.id)
        )
    ).all()
    rows = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(list(claimed))).order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def settle(session: AsyncSession, row_id: int, status: str, now: datetime, *, error: str | None = None,
                 attempts: int = 0, platform_message_id: str | None = None) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status=status, error=error, attempts=attempts, sent_at=now if status == "sent" else None,
                platform_message_id=platform_message_id)
    )


async def release_stale_claims(session: AsyncSession, now: datetime, after: timedelta) -> int:
    """Messages a crashed sender had claimed: whether they left is unknown."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - after)
        .values(status="unknown", error="sender stopped while sending")
    )
    return result.rowcount or 0
