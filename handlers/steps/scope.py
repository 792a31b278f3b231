"""The group the event comes from: its link (storage: GroupLink), whose unit
bounds what the group is shown (Context.scope). A group not linked is told so;
only a command that works there (in_group=LINKS: /ketnoi) goes on."""

from __future__ import annotations

from dialogs.forms import Reply
from handlers.context import Context
from handlers.router import LINKS, parse_command
from services.texts import t
from storage.schedule import group_link


async def group_scope(ctx: Context) -> list[Reply] | None:
    event = ctx.event
    if not event.in_group:
        return None
    ctx.group = await group_link(ctx.session, event.platform, event.chat_id)
    if ctx.group is not None:
        return None
    parsed = parse_command(ctx.text)
    command = ctx.router.command_named(parsed[0]) if parsed else None
    if command is not None and command.in_group == LINKS:
        return None
    return [Reply(t("group_not_linked"))]
