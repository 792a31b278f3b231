"""Builds the platform-free core from the settings, and the one place where
what a platform tells about its chats outside a conversation is written."""

from __future__ import annotations

import logging
from typing import Any

from domain.messages import Outbound
from handlers import commands, fallback, periodic_report, questions, reminders
from handlers.core import Core
from handlers.router import Router
from services.quota_warnings import warn_admins_near_quota
from storage.chats import mark_unreachable, move_chat, set_group_active
from storage.outbox import enqueue

log = logging.getLogger(__name__)


def build_router() -> Router:
    router = Router()
    # Free-text handlers run in this order: quick reports, questions, then the help.
    for module in (commands, reminders, questions, periodic_report, fallback):
        router.include(module.router)
    return router


def build_core(app: Any) -> Core:
    return Core(app.sessions, build_router(), app.clock, app.settings)


class ChatRecords:
    """Facts a channel reports around the core, one storage call each, in a
    transaction of its own; `wake` tells the courier when something was queued."""

    def __init__(self, app: Any, platform: str) -> None:
        self.app = app
        self.platform = platform
        self.wake = lambda: None

    async def notify(self, chat_id: str, text: str) -> None:
        """A notice the channel itself gives (a file too large, text only), sent through the outbox."""
        async with self.app.sessions() as session, session.begin():
            await enqueue(session, [Outbound(self.platform, chat_id, text)], self.app.clock.now())
        self.wake()

    async def chat_moved(self, old: str, new: str) -> None:
        async with self.app.sessions() as session, session.begin():
            await move_chat(session, self.platform, old, new)
        log.info("%s group moved to a supergroup: %s -> %s", self.platform, old, new)

    async def unreachable(self, chat_id: str) -> None:
        async with self.app.sessions() as session, session.begin():
            await mark_unreachable(session, self.platform, chat_id, self.app.clock.now())

    async def membership(self, chat_id: str, joined: bool) -> None:
        async with self.app.sessions() as session, session.begin():
            await set_group_active(session, self.platform, chat_id, joined)

    async def watch_quota(self) -> None:
        """After a courier's round: tell the admins when this month's messages near the plan's quota."""
        settings = self.app.settings
        async with self.app.sessions() as session, session.begin():
            crossed = await warn_admins_near_quota(session, self.platform, settings.zalo_monthly_quota,
                                                   self.app.clock.now(), settings.zone)
        if crossed:
            log.warning("%s messages this month passed %s%% of the plan's quota", self.platform, crossed[-1])
