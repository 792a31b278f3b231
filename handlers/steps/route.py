"""Who answers the event, once it may be answered: a command (which ends the
form in progress); else the form in progress; else a pressed option's
handler; else the file handlers; else the text handlers (handlers/router.py)."""

from __future__ import annotations

from dialogs.forms import Answer, Reply, match_option
from domain.text import fold
from handlers.context import Context
from handlers.router import parse_command
from services.texts import t

_BACK = {"quay lai", "tro lai", "quay lai buoc truoc", "back"}


async def route(ctx: Context) -> list[Reply]:
    parsed = parse_command(ctx.text)
    if parsed is not None:
        return await _command(ctx, *parsed)
    if ctx.conversation.state is not None:
        return await _form(ctx)
    event = ctx.event
    if event.option is not None:
        if event.in_group:
            return [Reply(t("group_private_only"))]
        replies = await ctx.router.answer_option(ctx, event.option)
        return [Reply(t("option_expired"), toast=True)] if replies is None else replies
    if ctx.conversation.expired:
        return [Reply(t("dialog_expired"))]
    if event.file is not None:
        if event.in_group:  # evidence and status forms are sent in private
            return [Reply(t("group_private_only"))]
        replies = await ctx.router.answer_file(ctx, ctx.text)
        if replies is not None:
            return replies
    return await ctx.answer_text(ctx.text)


async def _command(ctx: Context, name: str, args: str) -> list[Reply]:
    command = ctx.router.command_named(name)
    if command is None:  # handlers.steps.permission has answered it
        raise LookupError(name)
    await ctx.conversation.interrupt()  # a new command ends the conversation in progress
    return await command.handler(ctx, args)


async def _form(ctx: Context) -> list[Reply]:
    """The person's answer to the form's question: a press, "back", or typed."""
    event, conversation = ctx.event, ctx.conversation
    options = conversation.options
    if event.option is not None and event.option not in {o.data for o in options}:
        return [Reply(t("option_expired"), toast=True), *await conversation.ask_next(ctx)]
    if event.option is None and fold(ctx.text).strip(" .!") in _BACK:
        return await conversation.back(ctx)
    chosen = event.option or match_option(ctx.text, options)
    return await conversation.answer(ctx, Answer(ctx.text, chosen, event.file))
