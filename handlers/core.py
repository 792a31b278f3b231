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
from domain.text import fold
from domain.texts import t
from handlers.events import PLATFORMS, Inbound, Option, Outbound
from handlers.router import Router
from storage.conversations import claim_event, expired, load_state
from storage.models import DialogState, Person
from storage.org import Organisation
from storage.people import person_by_identity

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
        return await self._advance(self.router.forms[name])

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

    async def _advance(self, form: Form) -> list[Reply]:
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
            return await self._advance(form)
        data = dict(self.state.data)
        try:
            value = await slot.accept(self, data, answer)
        except Invalid as invalid:
            self.state.data = data
            reply = (await self._advance(form))[0]
            if invalid.hint:
                reply.text = f"{invalid.hint}\n\n{reply.text}"
            return [reply]
        except Restart as restart:
            self.state.data = {k: v for k, v in data.items() if k in restart.keep}
            self.state.filled = [name for name in self.state.filled if name in restart.keep]
            return await self._advance(form)
        data[slot.name] = value
        self.state.data = data
        self.state.filled = [*self.state.filled, slot.name]
        return await self._advance(form)

    async def back(self) -> list[Reply]:
        form = self.router.forms[self.state.dialog]
        filled = list(self.state.filled)
        if filled:
            name = filled.pop()
            self.state.data = {k: v for k, v in self.state.data.items() if k != name}
            self.state.filled = filled
        return await self._advance(form)


class Core:
    def __init__(self, sessions: async_sessionmaker, router: Router, clock: Clock, settings) -> None:
        self.sessions = sessions
        self.router = router
        self.clock = clock
        self.settings = settings

    async def handle(self, event: Inbound) -> list[Outbound]:
        async with self.sessions() as session, session.begin():
            if event.message_id is not None:
                key = f"{event.chat_id}:{event.message_id}"
                if not await claim_event(session, event.platform, key, self.clock.now()):
                    log.info("dropped a repeat of %s event %s", event.platform, key)
                    return []
            person = await person_by_identity(session, event.platform, event.user_id)
            ctx = Context(session, event, person, self.clock, self.settings, self.router)
            replies = await self._dispatch(ctx)
            outbound = [Outbound(event.platform, event.chat_id, r.text, list(r.options), list(r.files)) for r in replies]
            return [finish(message) for message in outbound + ctx.outbox]

    async def _dispatch(self, ctx: Context) -> list[Reply]:
        event = ctx.event
        text = _MENTION.sub("", event.text or "").strip() if event.in_group else (event.text or "").strip()
        if event.in_group and (ctx.person is None or not (text.startswith("/") or event.addressed or event.option)):
            return []
        ctx.state = await load_state(ctx.session, event.platform, event.chat_id, event.user_id)
        ttl = timedelta(hours=ctx.settings.dialog_ttl_hours)
        stale = ctx.state is not None and expired(ctx.state, ctx.now, ttl)
        if stale:
            await ctx.clear_state()

        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            command = self.router.commands.get(name.split("@")[0].lower())
            if command is None:
                return [Reply(t("command_unknown", command=name))]
            if ctx.person is None and "guest" not in command.roles:
                return [Reply(t("not_registered"))]
            if ctx.person is not None and "guest" not in command.roles and ctx.person.role not in command.roles:
                return [Reply(t("not_allowed"))]
            ctx.cache["had_dialog"] = ctx.state is not None
            await ctx.clear_state()  # a new command ends the conversation in progress
            return await command.handler(ctx, args.strip())

        if ctx.person is None:
            return [Reply(t("not_registered"))] if not event.in_group else []

        if ctx.state is not None:
            options = [Option(label, data) for label, data in ctx.state.options]
            if event.option is not None and event.option not in {o.data for o in options}:
                return [Reply(t("option_expired"))] + await ctx._advance(self.router.forms[ctx.state.dialog])
            if event.option is None and fold(text).strip(" .!") in _BACK:
                return await ctx.back()
            chosen = event.option or match_option(text, options)
            return await ctx.answer_form(Answer(text, chosen, event.file))

        if event.option is not None:
            for prefix, handler in self.router.options:
                if event.option.startswith(prefix):
                    return await handler(ctx, event.option[len(prefix) :])
            return [Reply(t("option_expired"))]
        if stale:
            return [Reply(t("dialog_expired"))]
        for handler in self.router.texts:
            replies = await handler(ctx, text)
            if replies is not None:
                return replies
        return [Reply(t("text_not_understood"))]


def finish(message: Outbound) -> Outbound:
    """Text-only platforms get options as a numbered list in the text."""
    caps = PLATFORMS.get(message.platform)
    if caps is not None and not caps.buttons and message.options:
        lines = [f"{i}. {o.label}" for i, o in enumerate(message.options, start=1)]
        message.text = f"{message.text}\n\n" + "\n".join(lines) + "\n" + t("type_option_number")
    return message
