"""`python -m bot` with a platform token: the bots, their couriers and the HTTP server."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.http import make_http_app, serve
from bot.sample import ensure_sample
from storage.conversations import forget_old_events
from storage.dead_letters import forget_old_failures

log = logging.getLogger(__name__)

KEEP_EVENTS = timedelta(hours=72)  # repeats are dropped for at least 48 h


async def run_scheduler(app, stop: asyncio.Event, couriers=()) -> None:
    """A tick every minute (SCHEDULER_INTERVAL_SECONDS); the couriers are woken when it sent something."""
    from services.scheduler import Scheduler

    scheduler = Scheduler(app.sessions, app.clock, app.settings)
    last_cleanup = None
    while not stop.is_set():
        try:
            result = await scheduler.tick()
            if result.messages:
                for courier in couriers:
                    courier.wake()
            now = app.clock.now()
            if last_cleanup is None or now - last_cleanup > timedelta(hours=1):
                async with app.sessions() as session, session.begin():
                    await forget_old_events(session, now - KEEP_EVENTS)
                    await forget_old_failures(session, now - KEEP_EVENTS)
                last_cleanup = now
        except Exception:
            log.exception("scheduler tick failed; the next one will try again")
        try:
            await asyncio.wait_for(stop.wait(), app.settings.scheduler_interval_seconds)
        except asyncio.TimeoutError:
            pass


async def run_bots(app, stop: asyncio.Event | None = None) -> None:
    from bot.telegram.app import TelegramApp, make_bot

    settings = app.settings
    stop = stop or asyncio.Event()
    await ensure_sample(app.sessions, app.clock.now(), settings.zone)
    http = make_http_app()
    tasks = []
    telegram = None
    if settings.telegram_bot_token:
        bot = make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base)
        telegram = TelegramApp(app, bot)
        tasks.append(asyncio.create_task(telegram.courier.run(), name="telegram-courier"))
        if settings.telegram_webhook_url:
            telegram.add_routes(http)
            tasks.append(asyncio.create_task(telegram.prepare(stop, polling=False), name="telegram-start"))
        else:
            tasks.append(asyncio.create_task(telegram.run(stop), name="telegram-polling"))
    zalo = None
    if settings.zalo_bot_token:
        from bot.media import add_media_route
        from bot.zalo.app import ZaloApp, media_secret
        from bot.zalo.client import ZaloClient

        token = settings.zalo_bot_token.get_secret_value()
        zalo = ZaloApp(app, ZaloClient(token, settings.zalo_api_base), public_base=settings.bot_public_url)
        if settings.bot_public_url:
            add_media_route(http, media_secret(token), settings.files_dir)
        tasks.append(asyncio.create_task(zalo.courier.run(), name="zalo-courier"))
        if settings.zalo_webhook_url:
            zalo.add_routes(http)
        else:
            tasks.append(asyncio.create_task(zalo.poll(stop), name="zalo-polling"))
    couriers = [bot_app.courier for bot_app in (telegram, zalo) if bot_app is not None]
    tasks.append(asyncio.create_task(run_scheduler(app, stop, couriers), name="scheduler"))
    runner = await serve(http, settings.bot_http_host, settings.bot_http_port)
    log.info("bot running; HTTP on %s:%s", settings.bot_http_host, settings.bot_http_port)
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runner.cleanup()
        if telegram is not None:
            await telegram.bot.session.close()
        if zalo is not None:
            await zalo.client.close()
