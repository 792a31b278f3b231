"""Who may do what: a command must exist and be the person's role's (or
open to guests) and allowed in this kind of chat; anything else needs a
registered person (an unregistered one is told how to register, in private)."""

from __future__ import annotations

from dialogs.forms import Reply
from handlers.context import Context
from handlers.router import PRIVATE, parse_command
from services.texts import t


async def check_permission(ctx: Context) -> list[Reply] | None:
    parsed = parse_command(ctx.text)
    if parsed is None:
        if ctx.person is None:
            return [Reply(t("not_registered"))] if not ctx.event.in_group else []
        return None
    name, _ = parsed
    command = ctx.router.command_named(name)
    if command is None:
        return [Reply(t("command_unknown", command=name))]
    if "guest" not in command.roles:
        if ctx.person is None:
            return [Reply(t("not_registered"))]
        if ctx.person.role not in command.roles:
            return [Reply(t("not_allowed"))]
    if ctx.event.in_group and command.in_group == PRIVATE:
        return [Reply(t("group_private_only"))]
    return None
