"""One stuck-alert rule (storage.org.stuck_alert_recipients): the same stuck
report, whichever way it comes — the guided report in chat, a one-line quick
report, an Excel form sent in chat, the CLI's `status set` — tells the same
people: the leaders of the task's lead unit and of the units above it, and the
organisation-wide leaders; never the reporter."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.cli import build_parser
from services.status_form import write_form
from storage.models import ChatIdentity, OutboxMessage, Person
from storage.tasks import current_plan, task_views
from tests.test_conversation import Chat
from tests.test_report_form import fill

NOTE = "Chưa có hướng dẫn của Sở Nội vụ"
# I.3 is led by Phòng Hành chính – Quản trị: its leader (100002) and the two
# organisation-wide leaders (lanhdao, 100019).
OWNERS = {"100002", "100019", "lanhdao"}


async def by_guided_report(app, tmp_path, user):
    chat = Chat(app)
    await chat.say(user, "/baocao I.3")
    await chat.choose(user, "vướng mắc")
    await chat.say(user, NOTE)
    return await chat.choose(user, "Xác nhận")


async def by_quick_report(app, tmp_path, user):
    return await Chat(app).say(user, f"I.3 vướng mắc: {NOTE}")


async def by_form(app, tmp_path, user):
    async with app.sessions() as session:
        views = await task_views(session, await current_plan(session))
    path = write_form(views, tmp_path / "bieu.xlsx", unit=None, today=date(2026, 4, 15))
    fill(path, {"I.3": ["Gặp vướng mắc", None, None, None, NOTE]})
    return await Chat(app).say(user, "", file=str(path))


async def by_cli(app, tmp_path, user):
    args = build_parser().parse_args(["status", "set", "I.3", "stuck", "--by", user, "--note", NOTE])
    assert await args.run(app, args) == 0
    async with app.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


WAYS = {"chat": by_guided_report, "quick": by_quick_report, "form": by_form, "cli": by_cli}


@pytest.mark.parametrize("way", WAYS)
async def test_every_way_of_reporting_a_blocker_alerts_the_same_leaders(org_app, tmp_path, way):
    # An admin of no unit reports: the task's lead unit decides, not the reporter's.
    sent = await WAYS[way](org_app, tmp_path, "quantri")
    alerts = {m.chat_id: m.text for m in sent if m.chat_id != "quantri"}
    assert set(alerts) == OWNERS
    assert all("I.3" in text and NOTE in text and "Trần Thị Thu Hà" in text for text in alerts.values())


@pytest.mark.parametrize("way", ["chat", "quick"])
async def test_the_reporter_is_not_alerted_of_their_own_blocker(org_app, tmp_path, way):
    # The lead unit's own leader reports: the others that own the task hear of it.
    async with org_app.sessions() as session, session.begin():
        leader = await session.scalar(
            select(Person).join(ChatIdentity).where(ChatIdentity.external_id == "100002")
        )
        session.add(ChatIdentity(person_id=leader.id, platform="console", external_id="hcqt-leader"))
    sent = await WAYS[way](org_app, tmp_path, "hcqt-leader")
    assert {m.chat_id for m in sent if m.chat_id != "hcqt-leader"} == OWNERS - {"100002"}
