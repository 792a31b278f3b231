"""What the bot says to text nobody else understood: the help, with a note."""

from __future__ import annotations

from dialogs.forms import Reply
from handlers.commands import visible_commands
from handlers.router import Router
from services.texts import render

router = Router()


@router.text
async def not_understood(ctx, text):
    commands = visible_commands(ctx)
    return [Reply(render("chat/help.j2", person=ctx.person, commands=commands, welcome=False, not_understood=True))]
