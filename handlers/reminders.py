"""Reminders, snoozes, leave and group digests in chat: "Nhắc lại sau"
(snz:DAYS:CODE, or /nhaclai), /nghiphep, /lichgui (a group's digest
schedule) and /tonghop (the digest now, within the asker's scope). The
reminders themselves come from bot/scheduler.py; their "Báo cáo" option is
the core's r:CODE, which opens the report form for the task."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dialogs.forms import Reply
from domain.reminders import snooze_until
from domain.reports import task_code
from domain.text import fold
from domain.workdays import WorkCalendar, parse_hhmm
from handlers.router import PRIVATE, Router
from services.digest import compose, load_source
from services.texts import say, t
from storage.models import Task
from storage.org import scope_of
from storage.schedule import acknowledge, end_leave, group_link, latest_reminded_tasks, leave_of, set_leave, snooze
from storage.tasks import current_plan, find_task
from storage.units import UnitError, find_unit

router = Router()

MAX_SNOOZE_DAYS = 10
MAX_LEAVE_DAYS = 366
REMINDER_MEMORY = timedelta(days=14)  # "/nhaclai" alone snoozes the newest reminder of this long ago at most


def calendar(ctx) -> WorkCalendar:
    return WorkCalendar.from_settings(ctx.settings)


# --- snooze -----------------------------------------------------------------

@router.option("snz:")
async def snooze_option(ctx, data):
    days, _, target = data.partition(":")
    return await _snooze(ctx, days, target or "*")


@router.command("nhaclai", roles=("officer", "leader"), in_group=PRIVATE)
async def snooze_command(ctx, args):
    parts = args.split()
    if not parts:
        return [Reply(t("schedule_snooze_usage"))]
    return await _snooze(ctx, parts[0], parts[1] if len(parts) > 1 else "*")


async def _snooze(ctx, days_text: str, target: str) -> list[Reply]:
    if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_SNOOZE_DAYS:
        return [Reply(t("schedule_snooze_usage"))]
    plan = await current_plan(ctx.session)
    if plan is None:
        return [Reply(t("no_plan"))]
    if target == "*":
        task_ids = await latest_reminded_tasks(ctx.session, ctx.person.id, ctx.now - REMINDER_MEMORY)
        if not task_ids:
            return [Reply(t("schedule_snooze_nothing"))]
        tasks = [await ctx.session.get(Task, task_id) for task_id in task_ids]
    else:
        code = task_code(target)
        task = await find_task(ctx.session, plan, code) if code else None
        if task is None:
            return [Reply(t("task_unknown", code=target))]
        await ctx.session.refresh(task, ["assignments"])
        if (await ctx.org()).role_of(task.assignments, scope_of(ctx.person, await ctx.org())) is None:
            return [Reply(t("report_task_not_yours", code=task.code))]
        tasks = [task]
    until = snooze_until(ctx.today, int(days_text), calendar(ctx))
    for task in tasks:
        await snooze(ctx.session, ctx.person.id, task.id, until, ctx.now)
    await acknowledge(ctx.session, ctx.person.id, [task.id for task in tasks], ctx.now)
    return [Reply(t("schedule_snoozed", codes=[task.code for task in tasks], until=until))]


# --- leave ------------------------------------------------------------------

_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?$")


def parse_day(text: str, today: date) -> date | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    year = int(m.group(3)) if m.group(3) else today.year
    year = year + 2000 if year < 100 else year
    try:
        return date(year, int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


@router.command("nghiphep", in_group=PRIVATE)
async def leave(ctx, args):
    words = fold(args).strip()
    if not words:
        current = await leave_of(ctx.session, ctx.person.id)
        if current is not None and current.until >= ctx.today:
            return [Reply(t("leave_current", until=current.until))]
        return [Reply(t("leave_usage"))]
    if words in ("huy", "ket thuc", "di lam"):
        ended = await end_leave(ctx.session, ctx.person.id)
        return [Reply(t("leave_ended") if ended else t("leave_none"))]
    until = parse_day(args, ctx.today)
    if until is None:
        return [Reply(t("leave_date_invalid", value=args))]
    if until < ctx.today:
        return [Reply(t("leave_date_past", value=until, today=ctx.today))]
    if (until - ctx.today).days > MAX_LEAVE_DAYS:
        return [Reply(t("leave_too_long", days=MAX_LEAVE_DAYS))]
    await set_leave(ctx.session, ctx.person.id, ctx.today, until, ctx.now)
    return [Reply(t("leave_set", starts=ctx.today, until=until))]


# --- group digests ----------------------------------------------------------

_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4}
_SCHEDULE = re.compile(
    r"^(?:thu\s*|t)(?P<day>[2-6]|hai|ba|tu|nam|sau)\b[\s,]*(?:luc\s*)?(?P<h>\d{1,2})(?:\s*[:h]\s*(?P<m>\d{2})?)?(?:\s*gio)?$"
)


def parse_schedule(text: str) -> tuple[int, str] | str | None:
    """'thứ 6 16:00', 'T2 8h30', 'thu sau luc 16h' -> (weekday, 'HH:MM');
    'tắt' -> 'off'; 'bật' -> 'on'; None when not understood."""
    folded = re.sub(r"\s+", " ", fold(text).strip(" ."))
    if folded in ("tat", "off", "ngung", "dung"):
        return "off"
    if folded in ("bat", "on", "mo"):
        return "on"
    m = _SCHEDULE.match(folded)
    if not m:
        return None
    day = m.group("day")
    weekday = int(day) - 2 if day.isdigit() else _WEEKDAY_WORDS[day]
    hours, minutes = int(m.group("h")), int(m.group("m") or 0)
    if hours > 23 or minutes > 59:
        return None
    return weekday, f"{hours:02d}:{minutes:02d}"


@router.command("lichgui", roles=("leader", "admin"))
async def digest_schedule(ctx, args):
    if not ctx.event.in_group:
        return [Reply(t("digest_schedule_only_group"))]
    link = await group_link(ctx.session, ctx.event.platform, ctx.event.chat_id)
    if link is None:
        return [Reply(t("digest_schedule_not_linked"))]
    weekday: int = link.digest_weekday if link.digest_weekday is not None else ctx.settings.digest_weekday
    at: str = link.digest_time or ctx.settings.digest_time
    if not args:
        await ctx.session.refresh(link, ["scope_unit"])
        scope = link.scope_unit.name if link.scope_unit else None
        return [Reply(t("digest_schedule_show", enabled=link.digest_enabled, weekday=weekday, at=at, scope=scope))]
    parsed = parse_schedule(args)
    if parsed is None:
        return [Reply(t("digest_schedule_invalid", value=args))]
    if isinstance(parsed, str):  # "on" or "off"
        link.digest_enabled = parsed == "on"
    else:
        weekday, at = parsed
        parse_hhmm(at)
        link.digest_weekday, link.digest_time, link.digest_enabled = weekday, at, True
    await ctx.session.flush()
    return [Reply(t("digest_schedule_set", enabled=link.digest_enabled, weekday=weekday, at=at))]


@router.command("tonghop")
async def digest_now(ctx, args):
    scope = await ctx.scope()  # a group's, or the person's in private
    unit_id = await ctx.home_unit()
    if args:
        try:
            unit = await find_unit(ctx.session, args)
        except UnitError as error:
            return [Reply(say(error.notice))]
        if scope is not None and unit.id not in scope:
            return [Reply(t("digest_out_of_scope", unit=unit.name))]
        unit_id = unit.id
    source = await load_source(ctx.session, ctx.settings, ctx.now)
    if source is None:
        return [Reply(t("no_plan"))]
    message = compose(source, unit_id, ctx.event.platform)
    return [Reply(message.text, files=message.files)]
