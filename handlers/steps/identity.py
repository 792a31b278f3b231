"""Who sent the event: the person with this chat identity (None: not registered)."""

from __future__ import annotations

from dialogs.forms import Reply
from handlers.context import Context
from storage.people import person_by_identity


async def find_person(ctx: Context) -> list[Reply] | None:
    ctx.person = await person_by_identity(ctx.session, ctx.event.platform, ctx.event.user_id)
    return None
