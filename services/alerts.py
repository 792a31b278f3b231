"""Alerts sent at once when a task is reported stuck, whichever way the
report came (chat, quick report, Excel form, CLI). Who is told is
storage.org.stuck_alert_recipients, the one rule."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domain.messages import Outbound
from services.texts import render
from storage.models import Person, StatusUpdate
from storage.org import Organisation, reachable_identity, stuck_alert_recipients
from storage.tasks import TaskView


async def stuck_alerts(
    session: AsyncSession, org: Organisation, view: TaskView, update: StatusUpdate, reporter: Person | None,
    prefer_platform: str = "",
) -> list[Outbound]:
    """The messages telling the leaders that own the task that it is stuck,
    each on the person's account on `prefer_platform` when they have one,
    else their first. `reporter.unit` must be loaded (the text names it)."""
    text = render("chat/stuck_alert.j2", view=view, update=update, reporter=reporter)
    messages = []
    for leader in await stuck_alert_recipients(session, org, view.task.assignments, reporter):
        identity = reachable_identity(leader, prefer_platform)
        if identity is not None:
            messages.append(Outbound(identity.platform, identity.external_id, text))
    return messages
