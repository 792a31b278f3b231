"""The pipeline every inbound event goes through, on every platform:
drop repeats -> who is it -> load dialog state -> step -> save -> render."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.forms import Answer, Form, Invalid, Reply, Restart, match_option
from domain.clock import Clock
from domain.messages import Inbound, Option, Outbound
from domain.sanitize import MESSAGE_LIMIT
from domain.text import fold
from handlers.router import LINKS, PRIVATE, Router
from services.outbound import finish
from services.texts import t
from storage.conversations import claim_event, expired, load_state
from storage.models import DialogState, GroupLink, Person
from storage.org import Organisation, scope_of
from storage.outbox import enqueue
from storage.people import person_by_identity
from storage.schedule import group_link

log = logging.getLogger(__name__)

_BACK = {"quay lai", "tro lai", "quay lai buoc truoc", "back"}
_MENTION = re.compile(r"@\w+")


@dataclass
class Context:
    session: AsyncSession
    event: Inbound
    person: Person | None
    clock: Clock
    settings: object
    router: Router
    state: DialogState | None = None
    group: GroupLink | None = None  # the link of the group chat the event comes from
    outbox: list[Outbound] = field(default_factory=list)  # messages to other chats
    cache: dict = field(default_factory=dict)  # lookups shared by the steps of one event
    _org: Organisation | None = None
    _now: datetime | None = None

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = self.clock.now()
        return self._now

    @property
    def zone(self):
        return self.settings.zone

    @property
    def today(self):
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
        return scope_of(self.person, org)

    async def home_unit(self) -> int | None:
        """The unit answers are about when none is named: the group's unit, or
        the person's when they see only part of the plan."""
        if self.event.in_group:
            return self.group.scope_unit_id if self.group is not None else None
        return self.person.unit_id if await self.scope() is not None else None

    def send(self, platform: str, chat_id: str, reply: Reply) -> None:
        self.outbox.append(Outbound(platform, chat_id, reply.text, list(reply.options), list(reply.files)))

    # --- forms -------------------------------------------------------------
    async def start_form(self, name: str, data: dict | None = None, filled: list[str] | None = None) -> list[Reply]:
        await self.clear_state()
        event = self.event
        self.state = DialogState(
            platform=event.platform, chat_id=event.chat_id, user_id=event.user_id, dialog=name,
            data=dict(data or {}), filled=list(filled or []), options=[], updated_at=self.now,
        )
        self.session.add(self.state)
        return await self.ask_next(self.router.forms[name])

    async def clear_state(self) -> None:
        if self.state is not None:
            if self.state.id is not None:
                await self.session.delete(self.state)
                # Before a new state for the same chat is added: the unit of
                # work would insert it before deleting this one.
                await self.session.flush()
            else:
                self.session.expunge(self.state)
            self.state = None

    async def ask_next(self, form: Form) -> list[Reply]:
        """Ask the form's next unanswered slot, or submit it when none is left."""
        slot = form.next_slot(self.state.data)
        if slot is None:
            data = dict(self.state.data)
            await self.clear_state()
            return await form.submit(self, data)
        reply = await slot.ask(self, self.state.data)
        self.state.options = [[o.label, o.data] for o in reply.options]
        self.state.updated_at = self.now
        return [reply]

    async def answer_form(self, answer: Answer) -> list[Reply]:
        form = self.router.forms[self.state.dialog]
        slot = form.next_slot(self.state.data)
        if slot is None:  # a form whose last answer was saved but not submitted
            return await self.ask_next(form)
        data = dict(self.state.data)
        try:
            value = await slot.accept(self, data, answer)
        except Invalid as invalid:
            self.state.data = data
            reply = (await self.ask_next(form))[0]
            if invalid.hint:
                reply.text = f"{invalid.hint}\n\n{reply.text}"
            return [reply]
        except Restart as restart:
            self.state.data = {k: v for k, v in data.items() if k in restart.keep}
            self.state.filled = [name for name in self.state.filled if name in restart.keep]
            return await self.ask_next(form)
        data[slot.name] = value
        self.state.data = data
        self.state.filled = [*self.state.filled, slot.name]
        return await self.ask_next(form)

    async def back(self) -> list[Reply]:
        form = self.router.forms[self.state.dialog]
        filled = list(self.state.filled)
        if filled:
            name = filled.pop()
            self.state.data = {k: v for k, v in self.state.data.items() if k != name}
            self.state.filled = filled
        return await self.ask_next(form)


class Core:
    def __init__(self, sessions: async_sessionmaker, router: Router, clock: Clock, settings) -> None:
        self.sessions = sessions
        self.router = router
        self.clock = clock
        self.settings = settings

    async def handle(self, event: Inbound, outbox: bool = False) -> list[Outbound]:
        """Process one event. With `outbox`, the replies are also written to
        the outbox in the same transaction, for a sender to deliver."""
        async with self.sessions() as session, session.begin():
            if event.message_id is not None:
                key = f"{event.chat_id}:{event.message_id}"
                if not await claim_event(session, event.platform, key, self.clock.now()):
                    log.info("dropped a repeat of %s event %s", event.platform, key)
                    return []
            person = await person_by_identity(session, event.platform, event.user_id)
            ctx = Context(session, event, person, self.clock, self.settings, self.router)
            replies = await self._dispatch(ctx)
            outbound = [
                Outbound(event.platform, event.chat_id, r.text, list(r.options), list(r.files), toast=r.toast)
                for r in replies
            ]
            if outbound and event.option is not None:
                # The first reply to a press replaces the prompt and answers the press.
                outbound[0].replace_message_id = event.option_message_id
                outbound[0].callback_id = event.callback_id
            messages = [part for message in outbound + ctx.outbox for part in finish(message)]
            if outbox:
                await enqueue(session, messages, ctx.now)
            return messages

    async def _dispatch(self, ctx: Context) -> list[Reply]:
        event = ctx.event
        text = _MENTION.sub("", event.text or "").strip() if event.in_group else (event.text or "").strip()
        if event.in_group and (ctx.person is None or not (text.startswith("/") or event.addressed or event.option)):
            return []
        if len(text) > MESSAGE_LIMIT:  # refused before anything reads it
            return [Reply(t("message_too_long", length=len(text), limit=MESSAGE_LIMIT))]
        if event.in_group:
            ctx.group = await group_link(ctx.session, event.platform, event.chat_id)
        ctx.state = await load_state(ctx.session, event.platform, event.chat_id, event.user_id)
        ttl = timedelta(hours=ctx.settings.dialog_ttl_hours)
        stale = ctx.state is not None and expired(ctx.state, ctx.now, ttl)
        if stale:
            form = self.router.forms.get(ctx.state.dialog)
            stale = form is None or not form.quiet_expiry
            await ctx.clear_state()

        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            command = self.router.commands.get(name.split("@")[0].lower())
            if event.in_group and ctx.group is None and (command is None or command.in_group != LINKS):
                return [Reply(t("group_not_linked"))]
            if command is None:
                return [Reply(t("command_unknown", command=name))]
            if ctx.person is None and "guest" not in command.roles:
                return [Reply(t("not_registered"))]
            if ctx.person is not None and "guest" not in command.roles and ctx.person.role not in command.roles:
                return [Reply(t("not_allowed"))]
            if event.in_group and command.in_group == PRIVATE:
                return [Reply(t("group_private_only"))]
            ctx.cache["had_dialog"] = ctx.state is not None
            await ctx.clear_state()  # a new command ends the conversation in progress
            return await command.handler(ctx, args.strip())

        if ctx.person is None:
            return [Reply(t("not_registered"))] if not event.in_group else []
        if event.in_group and ctx.group is None:
            return [Reply(t("group_not_linked"))]

        if ctx.state is not None:
            options = [Option(label, data) for label, data in ctx.state.options]
            if event.option is not None and event.option not in {o.data for o in options}:
                return [Reply(t("option_expired"), toast=True)] + await ctx.ask_next(self.router.forms[ctx.state.dialog])
            if event.option is None and fold(text).strip(" .!") in _BACK:
                return await ctx.back()
            chosen = event.option or match_option(text, options)
            return await ctx.answer_form(Answer(text, chosen, event.file))

        if event.option is not None:
            if event.in_group:
                return [Reply(t("group_private_only"))]
            for prefix, handler in self.router.options:
                if event.option.startswith(prefix):
                    return await handler(ctx, event.option[len(prefix) :])
            return [Reply(t("option_expired"), toast=True)]
        if stale:
            return [Reply(t("dialog_expired"))]
        if event.file is not None:
            if event.in_group:  # evidence and status forms are sent in private
                return [Reply(t("group_private_only"))]
            for handler in self.router.files:
                replies = await handler(ctx, text)
                if replies is not None:
                    return replies
        for handler in self.router.texts:
            replies = await handler(ctx, text)
            if replies is not None:
                return replies
        return [Reply(t("text_not_understood"))]
