"""Facts a platform tells about its chats outside a conversation: a group
took the bot in or out, a group moved to a new id, a person can no longer be
reached. One function per fact; bot/wiring.py (ChatRecords) calls them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatIdentity, DialogState, GroupLink, OutboxMessage


async def move_chat(session: AsyncSession, platform: str, old: str, new: str) -> None:
    """A group got a new id (a Telegram group became a supergroup): its link,
    its dialogs and its pending messages follow."""
    for model in (GroupLink, DialogState):
        await session.execute(
            update(model).where(model.platform == platform, model.chat_id == old).values(chat_id=new)
        )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.platform == platform, OutboxMessage.chat_id == old, OutboxMessage.status == "pending")
        .values(chat_id=new)
    )


async def mark_unreachable(session: AsyncSession, platform: str, external_id: str, at: datetime) -> None:
    """The person blocked the bot: reminders go to their other accounts."""
    await session.execute(
        update(ChatIdentity)
        .where(ChatIdentity.platform == platform, ChatIdentity.external_id == external_id)
        .values(unreachable_at=at)
    )


async def set_group_active(session: AsyncSession, platform: str, chat_id: str, active: bool) -> None:
    """The bot was added to (or removed from) a group; a group not linked stays unknown."""
    link = await session.scalar(select(GroupLink).where(GroupLink.platform == platform, GroupLink.chat_id == chat_id))
    if link is not None:
        link.active = active


async def known_users(session: AsyncSession, platform: str) -> list[str]:
    """The user ids people are known by on a platform."""
    ids = await session.scalars(select(ChatIdentity.external_id).where(ChatIdentity.platform == platform))
    return list(ids.all())
