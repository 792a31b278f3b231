"""Conversation state, repeat detection, invites and linked groups."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_of, rows_changed
from storage.models import ChatIdentity, DialogState, GroupLink, Invite, InviteAttempt, Person, ProcessedEvent


async def claim_event(session: AsyncSession, platform: str, event_key: str, at: datetime) -> bool:
    """Record an event as processed; False when it already was. The row is
    written first in the transaction, so concurrent deliveries of one event
    queue behind each other and the second one finds the first's row."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(ProcessedEvent)
        .values(platform=platform, event_key=event_key, processed_at=at)
        .on_conflict_do_nothing(index_elements=["platform", "event_key"])
    )
    return rows_changed(result) == 1


CHAT_PLATFORMS = ("telegram", "zalo", "console")


async def forget_old_events(session: AsyncSession, before: datetime) -> int:
    """Drop the record of chat events handled before `before` (platforms keep
    and resend updates for a day at most). Other claims in the table, such as
    the monthly quota warnings, stay."""
    result = await session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.processed_at < before, ProcessedEvent.platform.in_(CHAT_PLATFORMS))
    )
    return rows_changed(result)


async def load_state(session: AsyncSession, platform: str, chat_id: str, user_id: str) -> DialogState | None:
    query = select(DialogState).where(
        DialogState.platform == platform, DialogState.chat_id == chat_id, DialogState.user_id == user_id
    )
    if dialect_of(session) == "postgresql":
        query = query.with_for_update()
    return await session.scalar(query)


INVITE_DAYS = 7  # an invite's life unless its creator says otherwise


async def create_invite(
    session: AsyncSession, *, unit_id: int | None, role: str, uses: int, expires_at: datetime | None,
    created_by: Person | None, now: datetime,
) -> Invite:
    invite = Invite(
        code=secrets.token_urlsafe(6).replace("-", "x").replace("_", "y"),
        unit_id=unit_id, role=role, uses_left=uses, expires_at=expires_at,
        created_by_id=created_by.id if created_by else None, created_at=now,
    )
    session.add(invite)
    await session.flush()
    return invite


async def redeem_invite(
    session: AsyncSession, code: str, *, platform: str, user_id: str, name: str, now: datetime
) -> Person | None:
    """Link a chat account to a new person of the invite's unit and role.
    One statement takes a use where one remains: of two people redeeming the
    last use at the same moment, the database lets exactly one have it."""
    taken = await session.execute(
        update(Invite)
        .where(Invite.code == code, Invite.uses_left > 0, or_(Invite.expires_at.is_(None), Invite.expires_at > now))
        .values(uses_left=Invite.uses_left - 1)
        .returning(Invite.unit_id, Invite.role)
    )
    row = taken.first()
    if row is None:
        return None
    person = Person(name=name, unit_id=row.unit_id, role=row.role)
    person.identities = [ChatIdentity(platform=platform, external_id=user_id)]
    session.add(person)
    await session.flush()
    return person


async def wrong_invite_codes(session: AsyncSession, platform: str, chat_id: str, since: datetime) -> int:
    """Wrong invite codes typed in a chat since a time (every process counts in the database)."""
    count = await session.scalar(
        select(func.count()).select_from(InviteAttempt).where(
            InviteAttempt.platform == platform, InviteAttempt.chat_id == chat_id, InviteAttempt.attempted_at > since
        )
    )
    return count or 0


async def record_wrong_invite_code(
    session: AsyncSession, platform: str, chat_id: str, now: datetime, keep: timedelta
) -> None:
    """Count a wrong code, and forget this chat's ones older than `keep`."""
    await session.execute(
        delete(InviteAttempt).where(
            InviteAttempt.platform == platform, InviteAttempt.chat_id == chat_id,
            InviteAttempt.attempted_at <= now - keep,
        )
    )
    session.add(InviteAttempt(platform=platform, chat_id=chat_id, attempted_at=now))
    await session.flush()


async def link_group(
    session: AsyncSession, platform: str, chat_id: str, scope_unit_id: int | None, by: Person | None, now: datetime
) -> GroupLink:
    link = await session.scalar(select(GroupLink).where(GroupLink.platform == platform, GroupLink.chat_id == chat_id))
    if link is None:
        link = GroupLink(platform=platform, chat_id=chat_id, linked_at=now)
        session.add(link)
    link.scope_unit_id, link.linked_by_id, link.linked_at, link.active = (
        scope_unit_id, by.id if by else None, now, True,
    )
    await session.flush()
    return link


def expired(state: DialogState, now: datetime, ttl: timedelta) -> bool:
    return state.updated_at + ttl < now
