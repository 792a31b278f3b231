"""`python -m bot`: the command line. Without a command it opens the chat."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.logs import describe, protect, redact
from bot.sample import ensure_sample
from bot.settings import Settings
from domain.clock import Clock, FixedClock, SystemClock
from domain.messages import PLATFORMS
from domain.periods import CALENDAR, DECREE09, PeriodError
from domain.report_periods import parse_period_text
from domain.report_text import slug
from domain.sanitize import EVIDENCE_LIMIT, NOTE_LIMIT, clean
from services.alerts import stuck_alerts
from services.importers.people_file import PeopleFileError, import_people, parse_role
from services.importers.plan_file import parse_plan_file
from services.importers.tables import PlanFileError
from services.texts import Texts, say, t, texts_in
from storage.conversations import INVITE_DAYS, create_invite, link_group
from storage.db import create_engine, migrate, session_factory
from storage.models import STATUSES, ChatIdentity, Person, Unit
from storage.org import Organisation, may_set_status
from storage.outbox import enqueue
from storage.plans import import_plan
from storage.tasks import add_update, current_plan, find_task, task_views
from storage.units import UnitError, find_unit, set_parent


class CliError(Exception):
    """One clear line for the user, and a non-zero exit."""


class Parser(argparse.ArgumentParser):
    """Arguments become stored text (notes, evidence, names, file names):
    cleaned of control characters as chat messages are (domain/sanitize.py)."""

    def parse_known_args(self, args=None, namespace=None):
        args = sys.argv[1:] if args is None else args
        return super().parse_known_args([clean(a) for a in args], namespace)


@dataclass
class App:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock

    @property
    def texts(self) -> Texts:
        """The catalogue showing dates and times in the configured zone."""
        return texts_in(self.settings.zone)


@asynccontextmanager
async def open_app(settings: Settings | None = None, clock: Clock | None = None):
    settings = settings or Settings()
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
        raise CliError(t("datetime_invalid", value=value)) from None
    return at if at.tzinfo else at.replace(tzinfo=app.settings.zone)


async def cmd_import(app: App, args) -> int:
    path = Path(args.file)
    parsed = parse_plan_file(path, plan_year=args.plan_year, plan_name=args.plan_name)
    async with app.sessions() as session, session.begin():
        summary = await import_plan(session, parsed, path.name, app.clock.now(), say)
    print(app.texts.render("cli/import_summary.txt.j2", s=summary))
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
        print(app.texts.render("cli/tasks.txt.j2", plan=plan, views=views))
    return 0


async def cmd_units(app: App, args) -> int:
    async with app.sessions() as session:
        if args.units_command == "set-parent":
            async with session.begin():
                unit, parent = await set_parent(session, args.unit, args.parent)
            print(app.texts.render("cli/unit_parent.txt.j2", unit=unit, parent=parent))
            return 0
        units = (await session.scalars(select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.name))).all()
        by_id = {u.id: u for u in units}
        print(app.texts.render("cli/units.txt.j2", units=units, by_id=by_id))
    return 0


async def cmd_people(app: App, args) -> int:
    async with app.sessions() as session, session.begin():
        summary = await import_people(session, Path(args.file))
    print(app.texts.render("cli/people_summary.txt.j2", s=summary))
    return 0


async def cmd_status(app: App, args) -> int:
    if args.status not in STATUSES:
        raise CliError(t("status_unknown", status=args.status))
    if args.percent is not None and not 0 <= args.percent <= 100:
        raise CliError(t("percent_invalid", value=args.percent))
    if args.percent is not None and args.status != "in_progress":
        raise CliError(t("percent_only_in_progress"))
    for text, limit in ((args.evidence, EVIDENCE_LIMIT), (args.note, NOTE_LIMIT)):
        if text and len(text) > limit:
            raise CliError(t("text_too_long", limit=limit))
    at = _parse_at(args.at, app)
    async with app.sessions() as session, session.begin():
        plan = await current_plan(session)
        if plan is None:
            raise CliError(t("no_plan"))
        task = await find_task(session, plan, args.code)
        if task is None:
            raise CliError(t("task_unknown", code=args.code))
        person = await _person_by_user_id(session, args.by)
        [view] = await task_views(session, plan, codes=[task.code])
        org = await Organisation.load(session)
        if not may_set_status(person, org, view.task.assignments):
            await session.refresh(person, ["unit"])
            raise CliError(t("status_lead_only", unit=person.unit.name if person.unit else None, code=task.code,
                             lead="; ".join(view.lead), hint=False))
        update = await add_update(
            session, task, status=args.status, at=at, source="admin", reporter=person,
            percent=args.percent, evidence=args.evidence, note=args.note,
        )
        if update.status == "stuck":  # as a stuck report in chat: the leaders that own the task hear at once
            await session.refresh(person, ["unit"])
            alerts = await stuck_alerts(session, org, view, update, person)
            await enqueue(session, alerts, app.clock.now())
    print(app.texts.render("cli/status_set.txt.j2", task=task, update=update, person=person))
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


async def cmd_tick(app: App, args) -> int:
    from services.scheduler import Scheduler

    result = await Scheduler(app.sessions, app.clock, app.settings).tick(_parse_at(args.at, app))
    for message in result.messages:
        print(t("tick_message", chat=message.chat_id, platform=message.platform, text=message.text))
        for path in message.files:
            print(f"  [tệp] {path}")
    print(app.texts.t("tick_summary", at=result.at, count=len(result.messages), skipped=len(result.skipped)))
    return 0


async def cmd_invite(app: App, args) -> int:
    role = parse_role(args.role)
    if role is None:
        raise CliError(t("role_unknown", role=args.role))
    if args.uses < 1:
        raise CliError(t("invite_uses_invalid", value=args.uses))
    if args.expires < 1:
        raise CliError(t("invite_expires_invalid", value=args.expires))
    now = app.clock.now()
    async with app.sessions() as session, session.begin():
        unit = await find_unit(session, args.unit) if args.unit else None
        invite = await create_invite(
            session, unit_id=unit.id if unit else None, role=role, uses=args.uses,
            expires_at=now + timedelta(days=args.expires),
            created_by=None, now=now,
        )
    print(app.texts.render("cli/invite_created.txt.j2", invite=invite, unit=unit))
    return 0


async def cmd_groups(app: App, args) -> int:
    if args.platform not in PLATFORMS:
        raise CliError(t("platform_unknown", platform=args.platform))
    async with app.sessions() as session, session.begin():
        unit = None if args.scope == "all" else await find_unit(session, args.scope)
        await link_group(session, args.platform, args.chat_id, unit.id if unit else None, None, app.clock.now())
    print(t("group_linked", scope=unit.name if unit else None))
    return 0


def _report_period(app: App, text: str, mode: str | None):
    mode = mode or app.settings.period_mode
    if mode not in (CALENDAR, DECREE09):
        raise CliError(t("periodic_mode_unknown", mode=mode))
    try:
        return parse_period_text(text, mode), mode
    except PeriodError:
        raise CliError(t("periodic_period_invalid", value=text)) from None


async def _report_plan(session, year: int | None):
    plan = await current_plan(session, year) if year is not None else None
    plan = plan or await current_plan(session)
    if plan is None:
        raise CliError(t("no_plan"))
    return plan


async def cmd_report(app: App, args) -> int:
    from services.reports import default_name, write_report

    period, mode = _report_period(app, args.period, args.mode)
    now = app.clock.now()
    if period.start > now.astimezone(app.settings.zone).date():
        raise CliError(t("periodic_period_not_started", label=t("period_label", p=period), start=period.start))
    async with app.sessions() as session:
        plan = await _report_plan(session, args.plan_year or period.year)
        unit = await find_unit(session, args.unit) if args.unit else None
        path: Path | None
        if args.out:
            path = Path(args.out)
        else:
            path = None if args.format == "md" else Path(default_name(period, unit, args.format))
        result = await write_report(
            session, plan, period, args.format, path, zone=app.settings.zone, now=now, mode=mode, unit=unit
        )
    if path is None:
        print(result)
    else:
        print(t("periodic_report_written", path=str(path)))
    return 0


async def cmd_export_form(app: App, args) -> int:
    from services.status_form import unit_views, write_form
    from storage.org import Organisation

    async with app.sessions() as session:
        plan = await _report_plan(session, args.plan_year)
        unit = await find_unit(session, args.unit) if args.unit else None
        views = await task_views(session, plan)
        views = unit_views(views, await Organisation.load(session), unit.id if unit else None)
    path = Path(args.out) if args.out else Path(f"bieu-mau-trang-thai{'-' + slug(unit.name) if unit else ''}.xlsx")
    today = app.clock.now().astimezone(app.settings.zone).date()
    write_form(views, path, unit=unit.name if unit else None, today=today)
    print(t("sheet_form_written", path=str(path), count=len(views)))
    return 0


async def cmd_import_status(app: App, args) -> int:
    from services.status_form import StatusFormError, import_status_file

    path = Path(args.file)
    if not path.is_file():  # noqa: ASYNC240 - one command per run, nothing else waits on this loop
        raise CliError(t("file_missing", path=str(path)))
    async with app.sessions() as session, session.begin():
        plan = await _report_plan(session, args.plan_year)
        person = await _person_by_user_id(session, args.by) if args.by else None
        try:
            outcome = await import_status_file(session, plan, path, now=app.clock.now(), zone=app.settings.zone,
                                               reporter=person, timeout=app.settings.file_parse_seconds)
        except StatusFormError as error:
            raise CliError(str(error)) from None
        if outcome.errors:
            raise CliError("\n".join([*outcome.errors, t("sheet_rejected", count=len(outcome.errors))]))
        if not outcome.saved:
            raise CliError(t("sheet_nothing_to_import"))
        codes = [view.task.code for view, _ in outcome.saved]
    print(t("sheet_imported", count=len(codes), codes=codes))
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


async def cmd_serve(app: App, args) -> int:
    import signal

    from bot.logs import setup_logging
    from bot.run import run_bots

    problems = app.settings.webhook_problems()
    if problems:  # a webhook without a secret would take forged updates
        raise CliError("\n".join(t(problem) for problem in problems))
    setup_logging(app.settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(name, stop.set)
    await run_bots(app, stop)
    return 0


async def cmd_telegram(app: App, args) -> int:
    from bot.telegram.app import TelegramApp, make_bot

    settings = app.settings
    token = settings.telegram_bot_token
    if not token:
        raise CliError(t("token_missing", platform="Telegram"))
    if not settings.telegram_webhook_url:
        raise CliError(t("webhook_missing"))
    if "telegram_secret_invalid" in settings.webhook_problems():
        raise CliError(t("telegram_secret_invalid"))
    bot = make_bot(token.get_secret_value(), settings.telegram_api_base)
    try:
        secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
        await TelegramApp(app, bot).set_webhook(settings.telegram_webhook_url, secret)
    except Exception as error:  # an API refusal, no connection, a proxy's HTML page
        raise CliError(t("platform_error", platform="Telegram", description=describe(error, limit=300))) from None
    finally:
        await bot.session.close()
    print(t("webhook_set", url=settings.telegram_webhook_url))
    return 0


async def cmd_zalo(app: App, args) -> int:
    from bot.zalo.client import ZaloClient, ZaloError

    settings = app.settings
    if not settings.zalo_bot_token:
        raise CliError(t("token_missing", platform="Zalo"))
    if not settings.zalo_webhook_url:
        raise CliError(t("zalo_webhook_missing"))
    secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else ""
    if not 8 <= len(secret) <= 256:
        raise CliError(t("zalo_secret_invalid"))
    client = ZaloClient(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base)
    try:
        await client.set_webhook(settings.zalo_webhook_url, secret)
    except ZaloError as error:
        raise CliError(t("platform_error", platform="Zalo", description=redact(error.description))) from None
    except Exception as error:  # no connection, a timeout
        raise CliError(t("platform_error", platform="Zalo", description=describe(error, limit=300))) from None
    finally:
        await client.close()
    print(t("webhook_set", url=settings.zalo_webhook_url))
    return 0


async def cmd_dead_letters(app: App, args) -> int:
    from storage.dead_letters import dead_letters

    async with app.sessions() as session:
        letters = await dead_letters(session, limit=args.limit, platform=args.platform)
    print(app.texts.render("cli/dead_letters.txt.j2", letters=letters))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m bot",
        description="tiendo: theo dõi tiến độ kế hoạch cải cách hành chính. "
                    "Không có lệnh: mở trò chuyện trên terminal.",
    )
    commands = parser.add_subparsers(dest="command", metavar="LỆNH")

    p = commands.add_parser("serve", help="chạy bot Telegram/Zalo (mặc định khi đã đặt mã bot)")
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("telegram", help="quản lý bot Telegram")
    sub = p.add_subparsers(dest="telegram_command", required=True)
    sub.add_parser("set-webhook", help="đăng ký webhook với Telegram (TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET)")
    p.set_defaults(run=cmd_telegram)

    p = commands.add_parser("zalo", help="quản lý bot Zalo")
    sub = p.add_subparsers(dest="zalo_command", required=True)
    sub.add_parser("set-webhook", help="đăng ký webhook với Zalo (ZALO_WEBHOOK_URL, ZALO_WEBHOOK_SECRET)")
    p.set_defaults(run=cmd_zalo)

    p = commands.add_parser("chat", help="trò chuyện với bot trên terminal (mặc định)")
    p.add_argument("--as", dest="user", default="canbo", metavar="USER_ID",
                   help="mã người dùng console, mặc định canbo")
    p.set_defaults(run=cmd_chat)

    p = commands.add_parser("simulate", help="chạy kịch bản trò chuyện JSON Lines")
    p.add_argument("file", nargs="?", default="-", metavar="TỆP|-")
    p.set_defaults(run=cmd_simulate)

    p = commands.add_parser("tick", help="chạy lịch một lượt: nhắc việc, báo lãnh đạo, bản tin nhóm (cho cron)")
    p.add_argument("--at", metavar="ISO_DATETIME", help="thời điểm của lượt chạy, mặc định là bây giờ")
    p.set_defaults(run=cmd_tick)

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
    sp.add_argument("--expires", type=int, default=INVITE_DAYS, metavar="DAYS",
                    help=f"hết hạn sau số ngày (mặc định {INVITE_DAYS})")
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

    p = commands.add_parser("report", help="lập báo cáo CCHC định kỳ (DOCX, XLSX, Markdown)")
    p.add_argument("--period", required=True, metavar="KỲ",
                   help="2026-Q1 … 2026-Q4, 2026-H1, 2026-H2, 2026, 2026-M5 (5 tháng đầu năm), 2026-03-15..2026-06-14")
    p.add_argument("--format", default="docx", choices=("docx", "xlsx", "md"))
    p.add_argument("--out", metavar="TỆP", help="tệp ghi ra (md: bỏ trống thì in ra màn hình)")
    p.add_argument("--unit", help="chỉ các nhiệm vụ do đơn vị này chủ trì")
    p.add_argument("--mode", choices=(CALENDAR, DECREE09), help="cách tính kỳ; mặc định theo PERIOD_MODE")
    p.add_argument("--plan-year", type=int)
    p.set_defaults(run=cmd_report)

    p = commands.add_parser("export-form", help="xuất biểu Excel để đơn vị điền trạng thái")
    p.add_argument("--unit", help="đơn vị (bỏ trống: mọi nhiệm vụ)")
    p.add_argument("--out", metavar="TỆP")
    p.add_argument("--plan-year", type=int)
    p.set_defaults(run=cmd_export_form)

    p = commands.add_parser("import-status", help="nhập trạng thái từ biểu Excel đã điền (tất cả hoặc không)")
    p.add_argument("file", metavar="TỆP")
    p.add_argument("--by", metavar="USER_ID", help="người báo cáo (mã người dùng)")
    p.add_argument("--plan-year", type=int)
    p.set_defaults(run=cmd_import_status)

    p = commands.add_parser("dead-letters", help="tin nhắn bot không xử lý được (đã bỏ qua), mới nhất trước")
    p.add_argument("--limit", type=int, default=50, help="số tin tối đa, mặc định 50")
    p.add_argument("--platform", choices=("telegram", "zalo"))
    p.set_defaults(run=cmd_dead_letters)
    return parser


async def run(args, settings: Settings | None = None, clock: Clock | None = None) -> int:
    async with open_app(settings, clock) as app:
        return await args.run(app, args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings()
    protect(settings)  # no secret in any error, log line or traceback from here on
    if args.command is None:
        platform_configured = settings.telegram_bot_token or settings.zalo_bot_token
        args = parser.parse_args(["serve" if platform_configured else "chat"])
    try:
        return asyncio.run(run(args, settings))
    except (CliError, PlanFileError, PeopleFileError) as exc:
        print(redact(str(exc)), file=sys.stderr)
        return 1
    except UnitError as exc:
        print(redact(say(exc.notice)), file=sys.stderr)
        return 1
    except Exception as exc:
        logging.getLogger(__name__).debug("unexpected error", exc_info=exc)
        print(t("unexpected_error", error=describe(exc, limit=300)), file=sys.stderr)
        return 1
