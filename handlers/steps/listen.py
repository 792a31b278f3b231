"""What the bot listens to: in a group, only a registered person's command,
press or message addressed to the bot (the rest is talk among people); and
nothing longer than MESSAGE_LIMIT, refused before anything reads it."""

from __future__ import annotations

from dialogs.forms import Reply
from domain.sanitize import MESSAGE_LIMIT
from handlers.context import Context
from services.texts import t


async def listen(ctx: Context) -> list[Reply] | None:
    event, text = ctx.event, ctx.text
    if event.in_group and (ctx.person is None or not (text.startswith("/") or event.addressed or event.option)):
        return []
    if len(text) > MESSAGE_LIMIT:
        return [Reply(t("message_too_long", length=len(text), limit=MESSAGE_LIMIT))]
    return None
