"""The outbox: messages waiting for delivery, and what became of them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.messages import Option, Outbound
from storage.db import dialect_of, rows_changed
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


def _unanswered_after_handing() -> ColumnElement[int]:
    """A hand-over whose answer never came counts as unanswered."""
    return OutboxMessage.unanswered + case((OutboxMessage.handed_at.is_not(None), 1), else_=0)


def _claimable(now: datetime, owner: str) -> ColumnElement[bool]:
    """Pending and due, or held by a courier whose lease ran out (a dead one),
    and not behind an earlier message of the same chat that waits for a retry
    or that another courier holds: a chat's messages go out in order."""
    earlier = aliased(OutboxMessage)
    held_before = exists().where(
        earlier.platform == OutboxMessage.platform, earlier.chat_id == OutboxMessage.chat_id,
        earlier.id < OutboxMessage.id,
        or_(
            and_(earlier.status == "pending", earlier.not_before > now),
            and_(earlier.status == "sending", earlier.lease_owner != owner, earlier.lease_until >= now),
        ),
    )
    due = and_(
        OutboxMessage.status == "pending", or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now)
    )
    abandoned = and_(OutboxMessage.status == "sending",
                     or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now))
    return and_(or_(due, abandoned), ~held_before)


async def claim_pending(session: AsyncSession, platform: str, owner: str, now: datetime, lease: timedelta,
                        limit: int = 500) -> list[OutboxMessage]:
    """Lease messages to one courier, oldest first: pending ones that are due,
    and those a courier that stopped renewing its lease had claimed. One
    statement, so another process claiming at the same time gets none of the
    same rows (SKIP LOCKED on PostgreSQL; SQLite runs one writer at a time and
    the UPDATE re-checks its condition)."""
    candidates = (
        select(OutboxMessage.id)
        .where(OutboxMessage.platform == platform, _claimable(now, owner))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    rows = await session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates.scalar_subquery()))
        .values(status="sending", lease_owner=owner, lease_until=now + lease, claimed_at=now,
                unanswered=_unanswered_after_handing(), handed_at=None)  # the courier died meanwhile
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return sorted(rows, key=lambda row: row.id)


def _held(row_id: int, owner: str) -> ColumnElement[bool]:
    return and_(OutboxMessage.id == row_id, OutboxMessage.lease_owner == owner, OutboxMessage.status == "sending")


async def mark_handed(session: AsyncSession, row_id: int, owner: str, now: datetime) -> bool:
    """Written before the request leaves: from now on the platform may have
    the message. False: the lease was lost, another courier has the row."""
    result = await session.execute(
        update(OutboxMessage).where(_held(row_id, owner))
        .values(handed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    return bool(rows_changed(result))


async def settle(session: AsyncSession, row_id: int, owner: str, status: str, now: datetime, *,
                 error: str | None = None, platform_message_id: str | None = None) -> bool:
    """The message's fate (sent, failed, expired, unknown); `now` is the app's clock."""
    result = await session.execute(
        update(OutboxMessage).where(_held(row_id, owner))
        .values(status=status, error=error, sent_at=now if status == "sent" else None, handed_at=None,
                lease_owner=None, lease_until=None, platform_message_id=platform_message_id)
    )
    return bool(rows_changed(result))


async def retry_later(session: AsyncSession, row_id: int, owner: str, not_before: datetime, since: datetime,
                      error: str, unanswered: int) -> bool:
    """Back to pending until `not_before`; the chat's later messages wait behind it."""
    result = await session.execute(
        update(OutboxMessage).where(_held(row_id, owner))
        .values(status="pending", not_before=not_before, retrying_since=since, error=error, unanswered=unanswered,
                handed_at=None, lease_owner=None, lease_until=None)
    )
    return bool(rows_changed(result))


async def release(session: AsyncSession, row_ids: list[int], owner: str) -> None:
    """Back to pending, at once claimable again (claimed but not tried, or a
    send cut short by a shutdown)."""
    if row_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(row_ids), OutboxMessage.lease_owner == owner, OutboxMessage.status == "sending")
            .values(status="pending", lease_owner=None, lease_until=None, handed_at=None,
                    unanswered=_unanswered_after_handing())
        )


async def renew_leases(session: AsyncSession, row_ids: list[int], owner: str, until: datetime) -> int:
    """The heartbeat of a live courier over the rows it still holds."""
    if not row_ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(row_ids), OutboxMessage.lease_owner == owner, OutboxMessage.status == "sending")
        .values(lease_until=until)
    )
    return rows_changed(result)
