"""Leaders' questions in plain Vietnamese ("nhiệm vụ nào quá hạn?", "phòng
HCQT còn việc gì chưa xong?"), and /quahan, /tiendo, /tim. Officers may ask
too, about their own unit. Text that is not such a question passes on to the
next handler (the help)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from dialogs.forms import Reply
from dialogs.questions import QuestionForm, answer
from domain.questions import Query, QuestionParser
from domain.unit_mentions import UnitMentions
from domain.units import KnownUnit
from handlers.context import Context
from handlers.router import Router
from services.texts import t
from storage.models import Area, Plan, UnitAlias
from storage.tasks import current_plan

router = Router()
router.form(QuestionForm())


@lru_cache(maxsize=8)
def _parser(units: tuple, areas: tuple) -> QuestionParser:
    known = [KnownUnit(unit_id, name, list(aliases)) for unit_id, name, aliases in units]
    return QuestionParser(UnitMentions(known), dict(areas))


async def parser_for(ctx: Context, plan: Plan) -> QuestionParser:
    """A parser for the organisation's units and the plan's areas,
    built once for as long as they do not change."""
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
async def question(ctx: Context, text: str) -> list[Reply] | None:
    plan = await current_plan(ctx.session)
    if plan is None:
        return None
    query = (await parser_for(ctx, plan)).parse(text, ctx.today)
    return None if query is None else await answer(ctx, plan, query)


@router.command("quahan")
async def overdue(ctx: Context, args: str) -> list[Reply]:
    plan = await current_plan(ctx.session)
    if plan is None:
        return [Reply(t("q_no_plan"))]
    return await _answer(ctx, plan, (await parser_for(ctx, plan)).parse(f"nhiệm vụ quá hạn {args}", ctx.today))


@router.command("tiendo")
async def progress(ctx: Context, args: str) -> list[Reply]:
    plan = await current_plan(ctx.session)
    if plan is None:
        return [Reply(t("q_no_plan"))]
    parser = await parser_for(ctx, plan)
    if parser.unread(args, ctx.today):  # words that are neither a unit nor an area
        return [Reply(t("q_scope_unknown", text=args))]
    return await _answer(ctx, plan, parser.parse(f"tiến độ {args}", ctx.today))


@router.command("tim")
async def search(ctx: Context, args: str) -> list[Reply]:
    plan = await current_plan(ctx.session)
    if plan is None:
        return [Reply(t("q_no_plan"))]
    query = (await parser_for(ctx, plan)).search(args, ctx.today) if args else None
    return [Reply(t("q_search_usage"))] if query is None else await answer(ctx, plan, query)


async def _answer(ctx: Context, plan: Plan, query: Query | None) -> list[Reply]:
    """The answer to a command's question (its words always make one)."""
    if query is None:
        raise LookupError("a command's question was not understood")
    return await answer(ctx, plan, query)
