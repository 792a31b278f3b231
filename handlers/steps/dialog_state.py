"""The form in progress in this chat (storage: DialogState), ended when it has
been left longer than dialog_ttl_hours. An expired form says so at the end of
the route, unless it only offered something (Form.quiet_expiry)."""

from __future__ import annotations

from datetime import timedelta

from dialogs.forms import Reply
from handlers.context import Context
from storage.conversations import expired, load_state


async def load_dialog(ctx: Context) -> list[Reply] | None:
    event, conversation = ctx.event, ctx.conversation
    state = conversation.state = await load_state(ctx.session, event.platform, event.chat_id, event.user_id)
    if state is not None and expired(state, ctx.now, timedelta(hours=ctx.settings.dialog_ttl_hours)):
        form = conversation.forms.get(state.dialog)
        conversation.expired = form is None or not form.quiet_expiry
        await conversation.clear()
    return None
