"""Inbound updates whose handling failed: each failure counted in one
statement (several processes may serve one webhook), the update dead once it
failed `max_attempts` times; dead letters listed for the admins.

Whatever the update carries (NUL bytes, lone surrogates, megabytes), the row
is always writable: text is made safe for PostgreSQL and truncated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_of, rows_changed
from storage.models import DeadLetter

PAYLOAD_LIMIT = 4000
ERROR_LIMIT = 1000


@dataclass(frozen=True)
class Failure:
    attempts: int
    dead: bool  # dead now or before: skip it, acknowledge it
    newly_dead: bool  # this failure made it dead: tell the sender, once


def safe_text(value: object, limit: int) -> str:
    """Text PostgreSQL accepts (no NUL, valid UTF-8), at most `limit` characters."""
    text = str(value).replace("\x00", "\\x00")
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _payload(payload: object) -> str:
    if isinstance(payload, str):
        return safe_text(payload, PAYLOAD_LIMIT)
    return safe_text(json.dumps(payload, ensure_ascii=False, default=str), PAYLOAD_LIMIT)


def _id(value: object) -> str | None:
    return None if value is None else safe_text(value, 100)


async def record_failure(session: AsyncSession, *, platform: str, update_key: str,
                         chat_id: object, user_id: object, payload: object,
                         error: str, now: datetime, max_attempts: int) -> Failure:
    """Count one failure of an update (the error already redacted). An update
    already dead is not counted again."""
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    key = safe_text(update_key, 200)
    error = safe_text(error, ERROR_LIMIT)
    statement = insert(DeadLetter).values(
        platform=platform, update_key=key, chat_id=_id(chat_id), user_id=_id(user_id), payload=_payload(payload),
        error=error, attempts=1, first_seen_at=now, last_seen_at=now,
    )
    counted = statement.on_conflict_do_update(
        index_elements=["platform", "update_key"],
        set_={"attempts": DeadLetter.attempts + 1, "last_seen_at": now, "error": error},
        where=DeadLetter.dead_at.is_(None),
    ).returning(DeadLetter.id, DeadLetter.attempts)
    row = (await session.execute(counted)).first()
    if row is None:  # dead already
        return Failure(max_attempts, dead=True, newly_dead=False)
    row_id, attempts = row
    if attempts < max_attempts:
        return Failure(attempts, dead=False, newly_dead=False)
    marked = await session.execute(
        update(DeadLetter).where(DeadLetter.id == row_id, DeadLetter.dead_at.is_(None)).values(dead_at=now)
    )
    return Failure(attempts, dead=True, newly_dead=rows_changed(marked) == 1)


async def forget_failure(session: AsyncSession, platform: str, update_key: str) -> None:
    """The update was handled after all: its failures are no dead letter."""
    await session.execute(
        delete(DeadLetter).where(DeadLetter.platform == platform, DeadLetter.update_key == safe_text(update_key, 200),
                                 DeadLetter.dead_at.is_(None))
    )


async def forget_old_failures(session: AsyncSession, before: datetime) -> int:
    """Failures of updates that were never seen again (handled at the next
    try by another process, or never resent): not dead letters; dead ones stay."""
    result = await session.execute(
        delete(DeadLetter).where(DeadLetter.dead_at.is_(None), DeadLetter.last_seen_at < before)
    )
    return rows_changed(result)


async def dead_letters(session: AsyncSession, limit: int = 50, platform: str | None = None) -> list[DeadLetter]:
    query = select(DeadLetter).where(DeadLetter.dead_at.is_not(None))
    if platform:
        query = query.where(DeadLetter.platform == platform)
    query = query.order_by(DeadLetter.last_seen_at.desc(), DeadLetter.id.desc()).limit(limit)
    return list(await session.scalars(query))
