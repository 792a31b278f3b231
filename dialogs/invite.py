"""/moi: an admin creates an invite code for a unit and a role."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dialogs.forms import Answer, DialogContext, Form, FormData, Invalid, Reply, Slot
from domain.messages import Option
from services.texts import render, say, t
from storage.conversations import INVITE_DAYS, create_invite
from storage.models import ROLES, Unit
from storage.units import UnitError, find_unit

PAGE_SIZE = 8


class UnitSlot(Slot):
    name = "unit"

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        units = (await ctx.session.scalars(select(Unit).order_by(Unit.name))).all()
        pages = max(1, -(-len(units) // PAGE_SIZE))
        page = data.get("page", 0) % pages
        options = [Option(t("whole_organisation"), "u:all")]
        options += [Option(u.name, f"u:{u.id}") for u in units[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
        if pages > 1:
            options.append(Option(t("more"), "more"))
        return Reply(t("invite_ask_unit"), options)

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> int | str:
        if answer.option == "more":
            data["page"] = data.get("page", 0) + 1
            raise Invalid()
        if answer.option == "u:all":
            return "all"
        if answer.option and answer.option.startswith("u:"):
            return int(answer.option[2:])
        try:
            return (await find_unit(ctx.session, answer.text)).id
        except UnitError as error:
            raise Invalid(say(error.notice)) from error


class RoleSlot(Slot):
    name = "role"

    async def ask(self, ctx: DialogContext, data: FormData) -> Reply:
        return Reply(t("invite_ask_role"), [Option(t("role_label", role=r), f"role:{r}") for r in ROLES])

    async def accept(self, ctx: DialogContext, data: FormData, answer: Answer) -> str:
        if answer.option and answer.option.startswith("role:") and answer.option[5:] in ROLES:
            return answer.option[5:]
        raise Invalid(t("invite_role_hint"))


class InviteForm(Form):
    name = "invite"
    slots = [UnitSlot(), RoleSlot()]

    async def submit(self, ctx: DialogContext, data: FormData) -> list[Reply]:
        unit_id = None if data["unit"] == "all" else data["unit"]
        invite = await create_invite(
            ctx.session, unit_id=unit_id, role=data["role"], uses=1,
            expires_at=ctx.now + timedelta(days=INVITE_DAYS), created_by=ctx.member, now=ctx.now,
        )
        unit = await ctx.session.get(Unit, unit_id) if unit_id else None
        return [Reply(render("chat/invite_created.j2", invite=invite, unit=unit, zone=ctx.zone))]
