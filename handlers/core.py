"""The pipeline every inbound event goes through, on every platform: the
checks below, in order, then the route, then delivery; each a small module
under handlers/steps/. A check returns the replies that end the event there,
or None to go on; the route always answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.forms import Conversation, Reply
from domain.clock import Clock
from domain.messages import Inbound, Outbound
from domain.settings import CoreSettings
from handlers.context import Context
from handlers.router import Router
from handlers.steps.dedupe import drop_repeats
from handlers.steps.deliver import deliver
from handlers.steps.dialog_state import load_dialog
from handlers.steps.identity import find_person
from handlers.steps.listen import listen
from handlers.steps.permission import check_permission
from handlers.steps.route import route
from handlers.steps.scope import group_scope

Step = Callable[[Context], Awaitable[list[Reply] | None]]

# The checks, in the order they run; the first that answers ends the event.
CHECKS: tuple[Step, ...] = (
    drop_repeats,  # an event already handled stops here, silently
    find_person,  # who sent it (None: not registered)
    listen,  # in a group, only what is addressed to the bot; nothing too long
    load_dialog,  # the form in progress, expired when left too long
    group_scope,  # the group's link; a group not linked is told so
    check_permission,  # the command exists and the person may use it here
)


class Core:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], router: Router, clock: Clock,
                 settings: CoreSettings) -> None:
        self.sessions = sessions
        self.router = router
        self.clock = clock
        self.settings = settings

    async def handle(self, event: Inbound, outbox: bool = False) -> list[Outbound]:
        """Process one event. With `outbox`, the replies are also written to
        the outbox in the same transaction, for a sender to deliver."""
        async with self.sessions() as session, session.begin():
            conversation = Conversation(session, self.router.forms)
            ctx = Context(session, event, self.clock, self.settings, self.router, conversation)
            replies = await check(ctx)
            if replies is None:
                replies = await route(ctx)  # a command, the form, an option, a file, a text: who answers
            return await deliver(ctx, replies, outbox)


async def check(ctx: Context) -> list[Reply] | None:
    for step in CHECKS:
        replies = await step(ctx)
        if replies is not None:
            return replies
    return None
