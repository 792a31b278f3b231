"""Drop repeats: an event the platform delivers twice is handled once
(storage.conversations.claim_event records it in processed_events)."""

from __future__ import annotations

import logging

from dialogs.forms import Reply
from handlers.context import Context
from storage.conversations import claim_event

log = logging.getLogger(__name__)


async def drop_repeats(ctx: Context) -> list[Reply] | None:
    event = ctx.event
    if event.message_id is None:  # an event without an id cannot be told from its repeat
        return None
    key = f"{event.chat_id}:{event.message_id}"
    if not await claim_event(ctx.session, event.platform, key, ctx.clock.now()):
        log.info("dropped a repeat of %s event %s", event.platform, key)
        return []
    return None
