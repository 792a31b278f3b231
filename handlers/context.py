"""What the steps of the core and the handlers know of one inbound event: the
event's facts (who, where, what was said, when) and the services that answer
it (the session, the settings, the router, the conversation in progress)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.forms import Conversation, Reply
from domain.clock import Clock
from domain.messages import Inbound, Outbound
from domain.settings import CoreSettings
from handlers.router import Router
from storage.models import GroupLink, Person
from storage.org import Organisation, scope_of
from storage.tasks import TaskView

_MENTION = re.compile(r"@\w+")


@dataclass
class Context:
    session: AsyncSession
    event: Inbound
    clock: Clock
    settings: CoreSettings
    router: Router
    conversation: Conversation
    person: Person | None = None  # None: not registered (handlers.steps.identity)
    group: GroupLink | None = None  # the link of the group chat the event comes from
    outbox: list[Outbound] = field(default_factory=list)  # messages to other chats
    task_views: dict[str, TaskView | None] = field(default_factory=dict)  # dialogs.report.my_task
    _org: Organisation | None = None
    _now: datetime | None = None

    @cached_property
    def text(self) -> str:
        """What was said: in a group, without the mentions (of the bot)."""
        text = self.event.text or ""
        return _MENTION.sub("", text).strip() if self.event.in_group else text.strip()

    @property
    def member(self) -> Person:
        """The person, registered: every form, and every command past the permission step, has one."""
        if self.person is None:
            raise LookupError("the sender is not registered")
        return self.person

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = self.clock.now()
        return self._now

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    async def org(self) -> Organisation:
        if self._org is None:
            self._org = await Organisation.load(self.session)
        return self._org

    async def scope(self) -> set[int] | None:
        """Units whose tasks may be shown in this chat (None: the whole plan).
        In a group, the group's: the unit it is linked to and those below it,
        whoever asks, since everyone in the group reads the answer; nothing in
        a group not linked. In private, the person's own (storage.org.scope_of)."""
        org = await self.org()
        if self.event.in_group:
            return org.subtree(self.group.scope_unit_id) if self.group is not None else set()
        return scope_of(self.member, org)

    async def home_unit(self) -> int | None:
        """The unit answers are about when none is named: the group's unit, or
        the person's when they see only part of the plan."""
        if self.event.in_group:
            return self.group.scope_unit_id if self.group is not None else None
        return self.member.unit_id if await self.scope() is not None else None

    def send(self, platform: str, chat_id: str, reply: Reply) -> None:
        self.outbox.append(Outbound(platform, chat_id, reply.text, list(reply.options), list(reply.files)))

    async def answer_text(self, text: str) -> list[Reply]:
        return await self.router.answer_text(self, text)
