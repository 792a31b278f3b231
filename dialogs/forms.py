"""Multi-step conversations as forms: required slots asked in order, each with
its own validator. The state lives in the database (DialogState), never in a
form; a Conversation runs the form in progress in one chat against it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process
from sqlalchemy.ext.asyncio import AsyncSession

from domain.messages import Inbound, IncomingFile, Option
from domain.settings import CoreSettings
from domain.text import fold
from storage.models import DialogState, Person
from storage.org import Organisation
from storage.tasks import TaskView

# A typed answer picks an option when it is this close to the option's label
# (fuzz.ratio on folded text); tested in tests/test_forms.py.
OPTION_THRESHOLD = 85

FormData = dict[str, Any]  # a form's answers so far, as saved in DialogState.data (JSON)


@dataclass
class Reply:
    text: str
    options: list[Option] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    toast: bool = False  # a short notice about the press itself ("this has expired")


@dataclass(frozen=True)
class Answer:
    text: str
    option: str | None  # data of the chosen option, pressed or typed
    file: IncomingFile | None = None


class Invalid(Exception):
    """The answer does not fit; `hint` says why (None: just ask again)."""

    def __init__(self, hint: str | None = None):
        super().__init__(hint or "")
        self.hint = hint


class Restart(Exception):
    """Go back to the first slot, keeping only the given slots' answers."""

    def __init__(self, keep: tuple[str, ...] = ()):
        super().__init__()
        self.keep = keep


class DialogContext(Protocol):
    """What a dialog reads of the event it answers (handlers.context.Context has it)."""

    session: AsyncSession
    event: Inbound
    person: Person | None
    settings: CoreSettings
    conversation: Conversation
    task_views: dict[str, TaskView | None]  # the person's tasks looked up in this event, by code

    @property
    def member(self) -> Person: ...  # the person, registered (every form has one)

    @property
    def now(self) -> datetime: ...

    @property
    def today(self) -> date: ...

    @property
    def zone(self) -> ZoneInfo: ...

    async def org(self) -> Organisation: ...

    async def scope(self) -> set[int] | None: ...

    async def home_unit(self) -> int | None: ...

    def send(self, platform: str, chat_id: str, reply: Reply) -> None: ...

    async def answer_text(self, text: str) -> list[Reply]:
        """What the bot says to `text` as a new message: the router's text handlers."""
        ...


class Slot:
    name: str = ""

    def applies(self, data: FormData) -> bool:
        return True

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        raise NotImplementedError

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> Any:
        raise NotImplementedError


class Form:
    name: str = ""
    slots: list[Slot] = []
    # A form that only offers something (more of a list, a choice of unit)
    # ends silently when it expires: the next message is handled afresh.
    quiet_expiry: bool = False

    async def submit(self, ctx: DialogContext, data: FormData) -> list[Reply]:
        raise NotImplementedError

    def next_slot(self, data: FormData) -> Slot | None:
        for slot in self.slots:
            if slot.name not in data and slot.applies(data):
                return slot
        return None


class Conversation:
    """The form in progress in one chat with one person: its DialogState (None
    when no form is open) and the forms it may be. Asks the next slot, takes
    an answer, goes back a step, submits; the state is saved with the event."""

    def __init__(self, session: AsyncSession, forms: Mapping[str, Form], state: DialogState | None = None) -> None:
        self.session = session
        self.forms = forms
        self.state = state
        self.expired = False  # the form in progress ran out of time at this event, and says so
        self.interrupted = False  # a command ended the form in progress

    @property
    def form(self) -> Form:
        return self.forms[self._state.dialog]

    @property
    def options(self) -> list[Option]:
        """The options the last question offered."""
        return [Option(label, data) for label, data in self._state.options]

    @property
    def _state(self) -> DialogState:
        if self.state is None:
            raise LookupError("no form in progress")
        return self.state

    async def start(self, ctx: DialogContext, name: str, data: FormData | None = None,
                    filled: list[str] | None = None) -> list[Reply]:
        await self._open(ctx, name, data, filled)
        return await self.ask_next(ctx)

    async def offer(self, ctx: DialogContext, name: str, data: FormData, prompt: Reply,
                    filled: list[str] | None = None) -> list[Reply]:
        """Open a form whose next question the caller has already written (`prompt`)."""
        state = await self._open(ctx, name, data, filled)
        state.options = [[o.label, o.data] for o in prompt.options]
        return [prompt]

    async def _open(self, ctx: DialogContext, name: str, data: FormData | None,
                    filled: list[str] | None) -> DialogState:
        await self.clear()
        event = ctx.event
        self.state = DialogState(
            platform=event.platform, chat_id=event.chat_id, user_id=event.user_id, dialog=name,
            data=dict(data or {}), filled=list(filled or []), options=[], updated_at=ctx.now,
        )
        self.session.add(self.state)
        return self.state

    async def clear(self) -> None:
        if self.state is not None:
            if self.state.id is not None:
                await self.session.delete(self.state)
                # Before a new state for the same chat is added: the unit of
                # work would insert it before deleting this one.
                await self.session.flush()
            else:
                self.session.expunge(self.state)
            self.state = None

    async def interrupt(self) -> None:
        """A new command ends the form in progress."""
        self.interrupted = self.state is not None
        await self.clear()

    async def ask_next(self, ctx: DialogContext) -> list[Reply]:
        """Ask the form's next unanswered slot, or submit it when none is left."""
        state, form = self._state, self.form
        slot = form.next_slot(state.data)
        if slot is None:
            data = dict(state.data)
            await self.clear()
            return await form.submit(ctx, data)
        reply = await slot.ask(ctx, state.data)
        state.options = [[o.label, o.data] for o in reply.options]
        state.updated_at = ctx.now
        return [reply]

    async def answer(self, ctx: DialogContext, answer: Answer) -> list[Reply]:
        state = self._state
        slot = self.form.next_slot(state.data)
        if slot is None:  # a form whose last answer was saved but not submitted
            return await self.ask_next(ctx)
        data = dict(state.data)
        try:
            value = await slot.accept(ctx, data, answer)
        except Invalid as invalid:
            state.data = data
            reply = (await self.ask_next(ctx))[0]
            if invalid.hint:
                reply.text = f"{invalid.hint}\n\n{reply.text}"
            return [reply]
        except Restart as restart:
            state.data = {k: v for k, v in data.items() if k in restart.keep}
            state.filled = [name for name in state.filled if name in restart.keep]
            return await self.ask_next(ctx)
        data[slot.name] = value
        state.data = data
        state.filled = [*state.filled, slot.name]
        return await self.ask_next(ctx)

    async def back(self, ctx: DialogContext) -> list[Reply]:
        state = self._state
        filled = list(state.filled)
        if filled:
            name = filled.pop()
            state.data = {k: v for k, v in state.data.items() if k != name}
            state.filled = filled
        return await self.ask_next(ctx)


def match_option(text: str, options: list[Option]) -> str | None:
    """The option a typed answer means: its number, its label, or close to it."""
    typed = fold(text).strip(" .)")
    if not typed or not options:
        return None
    if re.fullmatch(r"[0-9]+", typed):
        index = int(typed) - 1
        return options[index].data if 0 <= index < len(options) else None
    labels = {i: fold(o.label) for i, o in enumerate(options)}
    for i, label in labels.items():
        if label == typed:
            return options[i].data
    found = process.extract(typed, labels, scorer=fuzz.ratio, score_cutoff=OPTION_THRESHOLD, limit=2)
    if len(found) == 1 or (len(found) == 2 and found[0][1] > found[1][1]):
        return options[found[0][2]].data
    return None
