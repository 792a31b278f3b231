"""`python -m bot`: the command line. Without a command it opens the chat."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.settings import Settings
from bot.sample import ensure_sample
from domain.clock import Clock, FixedClock, SystemClock
from domain.texts import configure, render, t
from storage.db import create_engine, migrate, session_factory
from storage.importers.plan_file import parse_plan_file
from storage.importers.tables import PlanFileError
from storage.models import STATUSES, ChatIdentity, Person, Unit
from handlers.events import PLATFORMS
from storage.conversations import create_invite, link_group
from storage.people import PeopleFileError, import_people, parse_role
from storage.plans import import_plan
from storage.tasks import add_update, current_plan, find_task, task_views
from storage.units import UnitError, find_unit, set_parent


class CliError(Exception):
    """One clear line for the user, and a non-zero exit."""


@dataclass
class App:
    settings: Settings
    sessions: object
    clock: Clock


@asynccontextmanager
async def open_app(settings: Settings | None = None, clock: Clock | None = None):
    settings = settings or Settings()
    configure(settings.zone)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        yield App(settings, session_factory(engine), clock or SystemClock())
    finally:
        await engine.dispose()


def _parse_at(value: str | None, app: App) -> datetime:
    if value is None:
        return app.clock.now()
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(t("datetime_invalid", value=value))
    return at if at.tzinfo else at.replace(tzinfo=app.settings.zone)


async def cmd_import(app: App, args) -> int:
    path = Path(args.file)
    parsed = parse_plan_file(path, plan_year=args.plan_year, plan_name=args.plan_name)
    async with app.sessions() as session, session.begin():
        summary = await import_plan(session, parsed, path.name, app.clock.now())
    print(render("cli/import_summary.txt.j2", s=summary))
    return 0


def task_json(view, zone) -> dict:
    task = view.task
    return {
        "code": task.code,
        "area": view.area.code,
        "area_name": view.area.name,
        "content": task.content,
        "evidence": task.evidence,
        "lead_unit": view.lead[0] if view.lead else None,
        "coordinating_units": view.coordinating,
        "timeline": task.timeline,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "recurring": task.recurring,
        "conditional": task.conditional,
        "budget_vnd": task.budget_vnd,
        "status": view.status,
        "percent": view.percent,
        "done_at": view.done_at.astimezone(zone).isoformat() if view.done_at else None,
        "warnings": list(task.warnings or []),
    }


async def cmd_tasks(app: App, args) -> int:
    async with app.sessions() as session:
        plan = await current_plan(session, args.plan_year)
        if plan is None:
            raise CliError(t("no_plan"))
        views = await task_views(session, plan)
    if args.json:
        json.dump([task_json(v, app.settings.zone) for v in views], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(render("cli/tasks.txt.j2", plan=plan, views=views))
    return 0


async def cmd_units(app: App, args) -> int:
    async with app.sessions() as session:
        if args.units_command == "set-parent":
            async with session.begin():
                unit, parent = await set_parent(session, args.unit, args.parent)
            print(render("cli/unit_parent.txt.j2", unit=unit, parent=parent))
            return 0
        units = (await session.scalars(select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.name))).all()
        by_id = {u.id: u for u in units}
        print(render("cli/units.txt.j2", units=units, by_id=by_id))
    return 0


async def cmd_people(app: App, args) -> int:
    async with app.sessions() as session, session.begin():
        summary = await import_people(session, Path(args.file))
    print(render("cli/people_summary.txt.j2", s=summary))
    return 0


async def cmd_status(app: App, args) -> int:
    if args.status not in STATUSES:
        raise CliError(t("status_unknown", status=args.status))
    if args.percent is not None and not 0 <= args.percent <= 100:
        raise CliError(t("percent_invalid", value=args.percent))
    if args.percent is not None and args.status != "in_progress":
        raise CliError(t("percent_only_in_progress"))
    at = _parse_at(args.at, app)
    async with app.sessions() as session, session.begin():
        plan = await current_plan(session)
        if plan is None:
            raise CliError(t("no_plan"))
        task = await find_task(session, plan, args.code)
        if task is None:
            raise CliError(t("task_unknown", code=args.code))
        person = await _person_by_user_id(session, args.by)
        update = await add_update(
            session, task, status=args.status, at=at, source="admin", reporter=person,
            percent=args.percent, evidence=args.evidence, note=args.note,
        )
    print(render("cli/status_set.txt.j2", task=task, update=update, person=person))
    return 0


async def cmd_chat(app: App, args) -> int:
    from bot.console import chat

    await ensure_sample(app.sessions, app.clock.now(), app.settings.zone)
    return await chat(app, args.user)


async def cmd_simulate(app: App, args) -> int:
    from bot.simulate import Simulator, open_input, run_script
    from bot.wiring import build_core

    clock = FixedClock(app.clock.now())
    app = App(app.settings, app.sessions, clock)
    await ensure_sample(app.sessions, clock.now(), app.settings.zone)
    simulator = Simulator(build_core(app), clock, app.settings.zone)
    source = open_input(args.file)
    try:
        await run_script(simulator, source, sys.stdout)
    finally:
        if source is not sys.stdin:
            source.close()
    return 0


async def cmd_invite(app: App, args) -> int:
    role = parse_role(args.role)
    if role is None:
        raise CliError(t("role_unknown", role=args.role))
    if args.uses < 1:
        raise CliError(t("invite_uses_invalid", value=args.uses))
    if args.expires is not None and args.expires < 1:
        raise CliError(t("invite_expires_invalid", value=args.expires))
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        unit = await find_unit(session, args.unit) if args.unit else None
        invite = await create_invite(
            session, unit_id=unit.id if unit else None, role=role, uses=args.uses,
            expires_at=now + timedelta(days=args.expires) if args.expires is not None else None,
            created_by=None, now=now,
        )
    print(render("cli/invite_created.txt.j2", invite=invite, unit=unit))
    return 0


async def cmd_groups(app: App, args) -> int:
    if args.platform not in PLATFORMS:
        raise CliError(t("platform_unknown", platform=args.platform))
    async with app.sessions() as session, session.begin():
        unit = None if args.scope == "all" else await find_unit(session, args.scope)
        await link_group(session, args.platform, args.chat_id, unit.id if unit else None, None, app.clock.now())
    print(t("group_linked", scope=unit.name if unit else None))
    return 0


async def _person_by_user_id(session, by: str) -> Person:
    """`--by USER_ID`, or `--by PLATFORM:USER_ID` when the id exists on several platforms."""
    platform, _, user_id = by.rpartition(":")
    query = select(Person).join(ChatIdentity).where(ChatIdentity.external_id == user_id)
    if platform:
        query = query.where(ChatIdentity.platform == platform)
    people = list(dict.fromkeys((await session.scalars(query)).all()))
    if not people:
        raise CliError(t("person_unknown", user_id=by))
    if len(people) > 1:
        raise CliError(t("person_ambiguous", user_id=by))
    return people[0]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="tiendo: theo dõi tiến độ kế hoạch cải cách hành chính. Không có lệnh: mở trò chuyện trên terminal.",
    )
    commands = parser.add_subparsers(dest="command", metavar="LỆNH")

    p = commands.add_parser("chat", help="trò chuyện với bot trên terminal (mặc định)")
    p.add_argument("--as", dest="user", default="canbo", metavar="USER_ID", help="mã người dùng console, mặc định canbo")
    p.set_defaults(run=cmd_chat)

    p = commands.add_parser("simulate", help="chạy kịch bản trò chuyện JSON Lines")
    p.add_argument("file", nargs="?", default="-", metavar="TỆP|-")
    p.set_defaults(run=cmd_simulate)

    p = commands.add_parser("import", help="nhập bảng nhiệm vụ của kế hoạch (DOCX, XLSX, CSV)")
    p.add_argument("file", metavar="TỆP")
    p.add_argument("--plan-year", type=int, help="năm kế hoạch, nếu tệp không ghi")
    p.add_argument("--plan-name", help="tên kế hoạch")
    p.set_defaults(run=cmd_import)

    p = commands.add_parser("tasks", help="liệt kê nhiệm vụ")
    p.add_argument("--json", action="store_true", help="in JSON")
    p.add_argument("--plan-year", type=int)
    p.set_defaults(run=cmd_tasks)

    p = commands.add_parser("units", help="liệt kê đơn vị và tên gọi khác")
    sub = p.add_subparsers(dest="units_command")
    sp = sub.add_parser("set-parent", help="đặt đơn vị cấp trên")
    sp.add_argument("unit", metavar="ĐƠN_VỊ")
    sp.add_argument("parent", metavar="CẤP_TRÊN")
    p.set_defaults(run=cmd_units)

    p = commands.add_parser("people", help="nhập danh sách cán bộ")
    sub = p.add_subparsers(dest="people_command", required=True)
    sp = sub.add_parser("import", help="nhập từ CSV hoặc XLSX")
    sp.add_argument("file", metavar="TỆP")
    p.set_defaults(run=cmd_people)

    p = commands.add_parser("invite", help="mã mời người dùng")
    sub = p.add_subparsers(dest="invite_command", required=True)
    sp = sub.add_parser("create", help="tạo mã mời")
    sp.add_argument("--unit", help="đơn vị (bỏ trống: toàn tổ chức)")
    sp.add_argument("--role", required=True, help="officer | leader | admin (cán bộ, lãnh đạo, quản trị)")
    sp.add_argument("--uses", type=int, default=1, help="số lần dùng, mặc định 1")
    sp.add_argument("--expires", type=int, metavar="DAYS", help="hết hạn sau số ngày")
    p.set_defaults(run=cmd_invite)

    p = commands.add_parser("groups", help="nhóm trò chuyện nhận bản tin")
    sub = p.add_subparsers(dest="groups_command", required=True)
    sp = sub.add_parser("link", help="kết nối một nhóm")
    sp.add_argument("chat_id", metavar="CHAT_ID")
    sp.add_argument("--platform", required=True, help="telegram | zalo | console")
    sp.add_argument("--scope", default="all", help="all hoặc tên đơn vị")
    p.set_defaults(run=cmd_groups)

    p = commands.add_parser("status", help="sửa trạng thái nhiệm vụ (quản trị)")
    sub = p.add_subparsers(dest="status_command", required=True)
    sp = sub.add_parser("set", help="ghi một cập nhật trạng thái")
    sp.add_argument("code", metavar="MÃ")
    sp.add_argument("status", metavar="TRẠNG_THÁI", help="not_started | in_progress | done | stuck")
    sp.add_argument("--by", required=True, metavar="USER_ID")
    sp.add_argument("--at", metavar="ISO_DATETIME")
    sp.add_argument("--percent", type=int)
    sp.add_argument("--evidence")
    sp.add_argument("--note")
    p.set_defaults(run=cmd_status)
    return parser


async def run(args, settings: Settings | None = None, clock: Clock | None = None) -> int:
    async with open_app(settings, clock) as app:
        return await args.run(app, args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["chat", *(argv or [])])
    try:
        return asyncio.run(run(args))
    except (CliError, PlanFileError, UnitError, PeopleFileError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
