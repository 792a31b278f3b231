"""What the bot says to text nobody else understood: the help, with a note."""

from __future__ import annotations

from dialogs.forms import Reply
from handlers.commands import visible_commands
from handlers.router import Router
from services.texts import render

router = Router()


@router.text
async def not_understood(ctx, text):
    return [Reply(render("chat/help.j2", person=ctx.person, commands=visible_commands(ctx), welcome=False, not_understood=True))]
