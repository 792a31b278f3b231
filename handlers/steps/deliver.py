"""The replies become outbound messages: to the chat the event came from
(the first reply to a press replaces the prompt and answers the press), then
the messages to other chats; each cut to the platform's limits, and written
to the outbox in the event's transaction when a sender delivers them."""

from __future__ import annotations

from dialogs.forms import Reply
from domain.messages import Outbound
from handlers.context import Context
from services.outbound import finish
from storage.outbox import enqueue


async def deliver(ctx: Context, replies: list[Reply], outbox: bool) -> list[Outbound]:
    event = ctx.event
    outbound = [
        Outbound(event.platform, event.chat_id, r.text, list(r.options), list(r.files), toast=r.toast)
        for r in replies
    ]
    if outbound and event.option is not None:
        outbound[0].replace_message_id = event.option_message_id
        outbound[0].callback_id = event.callback_id
    messages = [part for message in outbound + ctx.outbox for part in finish(message)]
    if outbox:
        await enqueue(ctx.session, messages, ctx.now)
    return messages
