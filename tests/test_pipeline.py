"""Each step of the core (handlers/core.py: CHECKS, then the route, then
delivery) on its own, against a real database (SQLite and PostgreSQL): the
step module is imported directly and run on a Context made by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.wiring import build_router
from dialogs.forms import Conversation, Reply
from domain.messages import Inbound
from domain.sanitize import MESSAGE_LIMIT
from handlers.context import Context
from handlers.core import CHECKS
from handlers.steps.dedupe import drop_repeats
from handlers.steps.deliver import deliver
from handlers.steps.dialog_state import load_dialog
from handlers.steps.identity import find_person
from handlers.steps.listen import listen
from handlers.steps.permission import check_permission
from handlers.steps.route import route
from handlers.steps.scope import group_scope
from services.texts import t
from storage.conversations import link_group
from storage.models import DialogState, OutboxMessage
from storage.people import person_by_identity

GROUP = "-100"


def inbound(clock, user: str = "canbo", text: str = "", **extra) -> Inbound:
    return Inbound("console", extra.pop("chat_id", user), user, clock.now(), text=text, **extra)


def make_context(session, app, event: Inbound) -> Context:
    router = build_router()
    return Context(session, event, app.clock, app.settings, router, Conversation(session, router.forms))


async def with_person(session, app, event: Inbound) -> Context:
    ctx = make_context(session, app, event)
    assert await find_person(ctx) is None
    return ctx


def test_the_checks_run_in_the_documented_order():
    assert (drop_repeats, find_person, listen, load_dialog, group_scope, check_permission) == CHECKS


async def test_a_repeated_event_stops_at_dedupe(org_app):
    event = inbound(org_app.clock, text="tiến độ", message_id="7")
    async with org_app.sessions() as session, session.begin():
        assert await drop_repeats(make_context(session, org_app, event)) is None
    async with org_app.sessions() as session, session.begin():
        assert await drop_repeats(make_context(session, org_app, event)) == []
        # Another chat's message 7 is another event.
        other = inbound(org_app.clock, text="tiến độ", message_id="7", chat_id="elsewhere")
        assert await drop_repeats(make_context(session, org_app, other)) is None


async def test_an_event_without_an_id_is_never_dropped(org_app):
    event = inbound(org_app.clock, text="tiến độ")
    for _ in range(2):
        async with org_app.sessions() as session, session.begin():
            assert await drop_repeats(make_context(session, org_app, event)) is None


async def test_identity_finds_the_person_by_chat_identity(org_app):
    async with org_app.sessions() as session, session.begin():
        known = await with_person(session, org_app, inbound(org_app.clock, "canbo"))
        assert known.person is not None and known.person.role == "officer"
        stranger = await with_person(session, org_app, inbound(org_app.clock, "nobody"))
        assert stranger.person is None


async def test_an_unknown_person_gets_the_registration_message(org_app):
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, inbound(org_app.clock, "nobody", "xin chào"))
        assert await check_permission(ctx) == [Reply(t("not_registered"))]
        command = await with_person(session, org_app, inbound(org_app.clock, "nobody", "/baocao"))
        assert await check_permission(command) == [Reply(t("not_registered"))]
        guest = await with_person(session, org_app, inbound(org_app.clock, "nobody", "/start ABC"))
        assert await check_permission(guest) is None  # /start is open to guests: it registers


async def test_permission_refuses_a_command_of_another_role_and_an_unknown_one(org_app):
    async with org_app.sessions() as session, session.begin():
        officer = await with_person(session, org_app, inbound(org_app.clock, "canbo", "/moi"))
        assert await check_permission(officer) == [Reply(t("not_allowed"))]
        unknown = await with_person(session, org_app, inbound(org_app.clock, "canbo", "/khongco"))
        assert await check_permission(unknown) == [Reply(t("command_unknown", command="khongco"))]
        admin = await with_person(session, org_app, inbound(org_app.clock, "quantri", "/moi"))
        assert await check_permission(admin) is None


async def test_listen_ignores_group_talk_and_refuses_what_is_too_long(org_app):
    async with org_app.sessions() as session, session.begin():
        talk = await with_person(session, org_app, inbound(org_app.clock, "canbo", "ăn trưa chưa", chat_id=GROUP,
                                                           chat_type="group"))
        assert await listen(talk) == []
        addressed = await with_person(session, org_app, inbound(org_app.clock, "canbo", "@tiendo_bot tiến độ",
                                                                chat_id=GROUP, chat_type="group", addressed=True))
        assert await listen(addressed) is None
        assert addressed.text == "tiến độ"
        long = "a" * (MESSAGE_LIMIT + 1)
        too_long = await with_person(session, org_app, inbound(org_app.clock, "canbo", long))
        assert await listen(too_long) == [Reply(t("message_too_long", length=len(long), limit=MESSAGE_LIMIT))]


async def test_a_group_not_linked_stops_at_scope_except_for_the_command_that_links_it(org_app):
    def group_event(text: str) -> Inbound:
        return inbound(org_app.clock, "quantri", text, chat_id=GROUP, chat_type="group")

    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, group_event("/tiendo"))
        assert await group_scope(ctx) == [Reply(t("group_not_linked"))]
        linking = await with_person(session, org_app, group_event("/ketnoi"))
        assert await group_scope(linking) is None
        await link_group(session, "console", GROUP, None, linking.person, org_app.clock.now())
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, group_event("/tiendo"))
        assert await group_scope(ctx) is None
        assert ctx.group is not None and await ctx.scope() is None  # linked to the whole organisation
    async with org_app.sessions() as session, session.begin():
        private = await with_person(session, org_app, inbound(org_app.clock, "canbo", "/tiendo"))
        assert await group_scope(private) is None and private.group is None


async def _left_form(app, dialog: str, age: timedelta) -> None:
    async with app.sessions() as session, session.begin():
        session.add(DialogState(platform="console", chat_id="canbo", user_id="canbo", dialog=dialog, data={},
                                filled=[], options=[], updated_at=app.clock.now() - age))


@pytest.mark.parametrize(("dialog", "says_so"), [("report", True), ("question", False)])
async def test_a_stale_state_expires(org_app, dialog, says_so):
    ttl = timedelta(hours=org_app.settings.dialog_ttl_hours)
    await _left_form(org_app, dialog, ttl + timedelta(minutes=1))
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, inbound(org_app.clock, "canbo", "xin chào"))
        assert await load_dialog(ctx) is None
        assert ctx.conversation.state is None
        assert ctx.conversation.expired is says_so  # a form that only offered something ends quietly
    async with org_app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DialogState)) == 0


async def test_a_recent_state_is_the_form_in_progress(org_app):
    await _left_form(org_app, "report", timedelta(minutes=5))
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, inbound(org_app.clock, "canbo", "xin chào"))
        assert await load_dialog(ctx) is None
        assert ctx.conversation.state is not None and ctx.conversation.form.name == "report"
        assert not ctx.conversation.expired


async def test_route_says_an_expired_form_expired_and_a_command_ends_the_form(org_app):
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, inbound(org_app.clock, "canbo", "xin chào"))
        ctx.conversation.expired = True
        assert await route(ctx) == [Reply(t("dialog_expired"))]
    await _left_form(org_app, "report", timedelta(minutes=5))
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, inbound(org_app.clock, "canbo", "/huy"))
        await load_dialog(ctx)
        assert await route(ctx) == [Reply(t("cancelled"))]
        assert ctx.conversation.interrupted and ctx.conversation.state is None


async def test_a_form_hands_text_it_does_not_take_back_to_the_router(org_app):
    """The question form's "Xem thêm" offer: other text is a new message."""
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, inbound(org_app.clock, "canbo", "trợ giúp đi"))
        assert await ctx.answer_text("/khong phai lenh") == await ctx.router.answer_text(ctx, "/khong phai lenh")


async def test_deliver_answers_the_press_and_writes_the_outbox(org_app):
    event = inbound(org_app.clock, "canbo", option="more", option_message_id="41", callback_id="cb")
    async with org_app.sessions() as session, session.begin():
        ctx = await with_person(session, org_app, event)
        other = await person_by_identity(session, "console", "lanhdao")
        assert other is not None
        ctx.send("console", "lanhdao", Reply("cho lãnh đạo"))
        messages = await deliver(ctx, [Reply("một"), Reply("hai")], outbox=True)
    assert [(m.chat_id, m.text) for m in messages] == [("canbo", "một"), ("canbo", "hai"), ("lanhdao", "cho lãnh đạo")]
    assert messages[0].replace_message_id == "41" and messages[0].callback_id == "cb"
    assert messages[1].replace_message_id is None
    async with org_app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
