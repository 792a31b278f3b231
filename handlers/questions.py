"""Leaders' questions in plain Vietnamese ("nhiệm vụ nào quá hạn?", "phòng
HCQT còn việc gì chưa xong?"), and /quahan, /tiendo, /tim. Officers may ask
too, about their own unit. Text that is not such a question passes on to the
next handler (the help)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from dialogs.forms import Reply
from dialogs.questions import QuestionForm, answer
from domain.questions import QuestionParser
from domain.unit_mentions import UnitMentions
from domain.units import KnownUnit
from handlers.router import Router
from services.texts import t
from storage.models import Area, UnitAlias
from storage.tasks import current_plan

router = Router()
router.form(QuestionForm())


@lru_cache(maxsize=8)
def _parser(units: tuple, areas: tuple) -> QuestionParser:
    known = [KnownUnit(unit_id, name, list(aliases)) for unit_id, name, aliases in units]
    return QuestionParser(UnitMentions(known), dict(areas))


async def parser_for(ctx) -> QuestionParser | None:
    """A parser for the organisation's units and the current plan's areas,
    built once for as long as they do not change."""
    plan = await current_plan(ctx.session)
    if plan is None:
        return None
    ctx.cache["plan"] = plan
    org = await ctx.org()
    aliases: dict[int, list[str]] = {}
    for unit_id, alias in await ctx.session.execute(select(UnitAlias.unit_id, UnitAlias.alias).order_by(UnitAlias.id)):
        aliases.setdefault(unit_id, []).append(alias)
    units = tuple(sorted((u.id, u.name, tuple(aliases.get(u.id, ()))) for u in org.units.values()))
    areas = await ctx.session.execute(
        select(Area.code, Area.name).where(Area.plan_id == plan.id).order_by(Area.position)
    )
    return _parser(units, tuple(tuple(a) for a in areas))


@router.text
async def question(ctx, text):
    parser = await parser_for(ctx)
    query = parser.parse(text, ctx.today) if parser else None
    return None if query is None else await answer(ctx, query)


@router.command("quahan")
async def overdue(ctx, args):
    parser = await parser_for(ctx)
    if parser is None:
        return [Reply(t("q_no_plan"))]
    return await answer(ctx, parser.parse(f"nhiệm vụ quá hạn {args}", ctx.today))


@router.command("tiendo")
async def progress(ctx, args):
    parser = await parser_for(ctx)
    if parser is None:
        return [Reply(t("q_no_plan"))]
    if parser.unread(args, ctx.today):  # words that are neither a unit nor an area
        return [Reply(t("q_scope_unknown", text=args))]
    return await answer(ctx, parser.parse(f"tiến độ {args}", ctx.today))


@router.command("tim")
async def search(ctx, args):
    parser = await parser_for(ctx)
    if parser is None:
        return [Reply(t("q_no_plan"))]
    query = parser.search(args, ctx.today) if args else None
    return [Reply(t("q_search_usage"))] if query is None else await answer(ctx, query)
