"""`python -m bot` with a platform token: a channel per platform (its updates
and its courier), the scheduler and the HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.http import make_http_app, serve
from bot.sample import ensure_sample
from storage.conversations import forget_old_events
from storage.dead_letters import forget_old_failures

if TYPE_CHECKING:
    from bot.channel import QueuedChannel

log = logging.getLogger(__name__)

KEEP_EVENTS = timedelta(hours=72)  # repeats are dropped for at least 48 h


async def run_scheduler(app, stop: asyncio.Event, couriers=()) -> None:
    """A tick every minute (SCHEDULER_INTERVAL_SECONDS); the couriers are woken when it sent something."""
    from services.scheduler import Scheduler  # with charts and matplotlib: seconds, after the settings are checked

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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), app.settings.scheduler_interval_seconds)


def build_channels(app) -> list[QueuedChannel]:
    """A channel for each platform with a token in the settings. The platforms'
    modules are imported only then: aiogram alone takes seconds to import, and
    `serve` first checks the settings (a refusal must come at once)."""
    from bot.telegram.app import TelegramApp, make_bot
    from bot.zalo.app import ZaloApp
    from bot.zalo.client import ZaloClient

    settings = app.settings
    channels: list[QueuedChannel] = []
    if settings.telegram_bot_token:
        bot = make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base)
        channels.append(TelegramApp(app, bot))
    if settings.zalo_bot_token:
        client = ZaloClient(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base)
        channels.append(ZaloApp(app, client, public_base=settings.bot_public_url))
    return channels


async def run_bots(app, stop: asyncio.Event | None = None) -> None:
    settings = app.settings
    stop = stop or asyncio.Event()
    await ensure_sample(app.sessions, app.clock.now(), settings.zone)
    http = make_http_app()
    channels = build_channels(app)
    tasks = []
    for channel in channels:
        channel.mount(http)
        tasks.append(asyncio.create_task(channel.courier.run(), name=f"{channel.platform}-courier"))
        tasks.append(asyncio.create_task(channel.serve(stop), name=f"{channel.platform}-updates"))
    couriers = [channel.courier for channel in channels]
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
        for channel in channels:
            await channel.close()
