"""What the scheduler keeps in the database: claims of scheduled messages,
the reminder log, snoozes, leave, the per-group digest schedule, and the one
row the schedulers queue on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.messages import Outbound
from storage.db import rows_changed
from storage.models import (
    GroupLink,
    OutboxMessage,
    PersonLeave,
    ReminderLog,
    ReminderMessage,
    ReminderSnooze,
    ScheduleClaim,
    SchedulerState,
)

CHUNK = 500


@dataclass(frozen=True)
class Claim:
    key: str
    kind: str
    target: str
    period: str


async def lock_scheduler(session: AsyncSession, now: datetime) -> datetime | None:
    """Queue behind any other scheduler (a write first: SQLite takes its write
    lock, PostgreSQL a row lock, both held to the end of the transaction);
    the time of the last tick that finished."""
    await session.execute(update(SchedulerState).where(SchedulerState.id == 1).values(locked_at=now))
    state = await session.get(SchedulerState, 1, populate_existing=True)
    if state is None:  # a database created without the migration's row
        state = SchedulerState(id=1, locked_at=now)
        session.add(state)
        await session.flush()
    return state.last_tick_at


async def last_tick(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(SchedulerState.last_tick_at).where(SchedulerState.id == 1))


async def finish_tick(session: AsyncSession, now: datetime) -> None:
    await session.execute(update(SchedulerState).where(SchedulerState.id == 1).values(last_tick_at=now))


async def claimed_keys(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    distinct, found = list(dict.fromkeys(keys)), set[str]()
    for start in range(0, len(distinct), CHUNK):
        chunk = distinct[start : start + CHUNK]
        found.update(await session.scalars(select(ScheduleClaim.key).where(ScheduleClaim.key.in_(chunk))))
    return found


async def add_claims(session: AsyncSession, claims: list[Claim], now: datetime) -> dict[str, int]:
    """Insert the claims (a repeated key fails the transaction); their ids by key."""
    ids: dict[str, int] = {}
    for start in range(0, len(claims), CHUNK):
        rows = [{"key": c.key, "kind": c.kind, "target": c.target, "period": c.period, "created_at": now}
                for c in claims[start : start + CHUNK]]
        result = await session.execute(insert(ScheduleClaim).returning(ScheduleClaim.id, ScheduleClaim.key), rows)
        ids.update({key: claim_id for claim_id, key in result})
    return ids


async def log_reminders(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """ReminderLog rows (claim_id, task_id, unit_id, people, sent_at), in bulk."""
    for start in range(0, len(rows), CHUNK * 4):
        batch = [{"answered_at": None, **row} for row in rows[start : start + CHUNK * 4]]
        await session.execute(insert(ReminderLog), batch)


async def enqueue_scheduled(session: AsyncSession, messages: list[Outbound], now: datetime) -> None:
    """The outbox rows of scheduled messages, in bulk (storage.outbox.enqueue
    writes them one ORM object at a time). Console messages have no courier:
    the caller prints them, so they are stored as sent."""
    rows = [
        {
            "platform": m.platform, "chat_id": m.chat_id, "text": m.text,
            "options": [[o.label, o.data] for o in m.options],
            "files": list(m.files), "replace_message_id": None, "callback_id": None, "toast": False,
            "status": "sent" if m.platform == "console" else "pending", "attempts": 1 if m.platform == "console" else 0,
            "error": None, "created_at": now, "claimed_at": None, "sent_at": now if m.platform == "console" else None,
            "platform_message_id": None,
        }
        for m in messages
    ]
    for start in range(0, len(rows), CHUNK * 2):
        await session.execute(insert(OutboxMessage), rows[start : start + CHUNK * 2])


# --- reminder log -----------------------------------------------------------

async def unanswered_reminders(session: AsyncSession, since: datetime) -> list[ReminderLog]:
    """Reminder rows not acknowledged by a snooze, sent since `since`."""
    rows = await session.scalars(
        select(ReminderLog).where(ReminderLog.answered_at.is_(None), ReminderLog.sent_at >= since)
        .order_by(ReminderLog.id)
    )
    return list(rows)


async def latest_reminded_tasks(session: AsyncSession, person_id: int, since: datetime) -> list[int]:
    """The tasks of the newest reminder a person got since `since`."""
    return list(await session.scalar(
        select(ReminderMessage.task_ids)
        .where(ReminderMessage.person_id == person_id, ReminderMessage.sent_at >= since)
        .order_by(ReminderMessage.sent_at.desc(), ReminderMessage.id.desc()).limit(1)
    ) or [])


async def log_messages(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Who was reminded of which tasks at this tick (person_id, task_ids, sent_at), in bulk."""
    for start in range(0, len(rows), CHUNK * 2):
        await session.execute(insert(ReminderMessage), rows[start : start + CHUNK * 2])


async def acknowledge(session: AsyncSession, person_id: int, task_ids: list[int], now: datetime) -> None:
    """A snooze answers the reminders of these tasks the person got so far
    (they no longer count towards telling the leader)."""
    rows = (await session.execute(
        select(ReminderLog.id, ReminderLog.people)
        .where(ReminderLog.task_id.in_(task_ids), ReminderLog.answered_at.is_(None))
    )).all()
    ids = [row_id for row_id, people in rows if person_id in (people or [])]
    if ids:
        await session.execute(update(ReminderLog).where(ReminderLog.id.in_(ids)).values(answered_at=now))


# --- snoozes ----------------------------------------------------------------

async def snooze(session: AsyncSession, person_id: int, task_id: int, until: date, now: datetime) -> None:
    row = await session.scalar(
        select(ReminderSnooze).where(ReminderSnooze.person_id == person_id, ReminderSnooze.task_id == task_id)
    )
    if row is None:
        session.add(ReminderSnooze(person_id=person_id, task_id=task_id, until=until, created_at=now))
    else:
        row.until, row.created_at = until, now
    await session.flush()


async def all_snoozes(session: AsyncSession) -> list[ReminderSnooze]:
    return list(await session.scalars(select(ReminderSnooze).order_by(ReminderSnooze.id)))


async def drop_snoozes(session: AsyncSession, ids: list[int]) -> None:
    if ids:
        await session.execute(delete(ReminderSnooze).where(ReminderSnooze.id.in_(ids)))


# --- leave ------------------------------------------------------------------

async def set_leave(session: AsyncSession, person_id: int, starts: date, until: date, now: datetime) -> None:
    row = await session.scalar(select(PersonLeave).where(PersonLeave.person_id == person_id))
    if row is None:
        session.add(PersonLeave(person_id=person_id, starts=starts, until=until, created_at=now))
    else:
        row.starts, row.until, row.created_at = starts, until, now
    await session.flush()


async def end_leave(session: AsyncSession, person_id: int) -> bool:
    result = await session.execute(delete(PersonLeave).where(PersonLeave.person_id == person_id))
    return bool(rows_changed(result))


async def leave_of(session: AsyncSession, person_id: int) -> PersonLeave | None:
    return await session.scalar(select(PersonLeave).where(PersonLeave.person_id == person_id))


async def people_on_leave(session: AsyncSession, today: date) -> set[int]:
    rows = await session.scalars(
        select(PersonLeave.person_id).where(PersonLeave.starts <= today, PersonLeave.until >= today)
    )
    return set(rows)


# --- group digests ----------------------------------------------------------

async def group_link(session: AsyncSession, platform: str, chat_id: str) -> GroupLink | None:
    return await session.scalar(
        select(GroupLink)
        .where(GroupLink.platform == platform, GroupLink.chat_id == chat_id, GroupLink.active.is_(True))
    )


async def digest_groups(session: AsyncSession) -> list[GroupLink]:
    rows = await session.scalars(
        select(GroupLink).where(GroupLink.active.is_(True), GroupLink.digest_enabled.is_(True)).order_by(GroupLink.id)
    )
    return list(rows)
