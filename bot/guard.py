"""One inbound update that cannot be handled must not hold up the others.

A failure is counted in the database (storage/dead_letters.py). Polling tries
the update again after a short wait, doubled each time; a webhook answers 500
and the platform sends the update again. Once it failed UPDATE_MAX_ATTEMPTS
times the update is dead: skipped (acknowledged), kept for the admins, and
its sender is told through the outbox, in the same transaction, so once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.logs import describe
from domain.messages import Outbound
from services.texts import t
from storage.dead_letters import forget_failure, record_failure
from storage.outbox import enqueue

log = logging.getLogger(__name__)

MAX_WAIT = 60.0  # seconds between two tries when even the failure cannot be recorded


@dataclass(frozen=True)
class Origin:
    """Where an update came from, for the dead letter and the notice."""

    key: str  # Telegram update_id, Zalo message_id
    chat_id: str | None
    user_id: str | None


class UpdateGuard:
    def __init__(self, app, platform: str, secrets: list[str], wake: Callable[[], None] = lambda: None,
                 sleep: Callable[[float], Awaitable] = asyncio.sleep):
        self.app = app
        self.platform = platform
        self.secrets = [s for s in secrets if s]
        self.wake = wake
        self.sleep = sleep

    @property
    def max_attempts(self) -> int:
        return max(1, self.app.settings.update_max_attempts)

    async def run(self, origin: Origin, payload, handle: Callable[[], Awaitable]) -> None:
        """Polling: handle the update, trying again after a failure, until it
        is handled or dead. Returns when the update may be confirmed."""
        failures = 0
        while True:
            try:
                await handle()
            except Exception as error:
                failures += 1
                try:
                    if await self.failed(origin, payload, error):
                        return
                    wait = self.app.settings.update_retry_backoff_seconds * 2 ** (failures - 1)
                except Exception:
                    # Not even the failure could be written (the database is down?):
                    # nothing is skipped unrecorded; try again, slower and slower.
                    log.exception("could not record the failure of %s update %s", self.platform, origin.key)
                    wait = self.app.settings.update_retry_backoff_seconds * 2 ** min(failures, 10)
                await self.sleep(min(wait, MAX_WAIT))
            else:
                if failures:
                    await self._forget(origin)
                return

    async def failed(self, origin: Origin, payload, error: Exception) -> bool:
        """Count a failure; True when the update is dead (skip it, acknowledge it)."""
        log.error("%s update %s failed (%s)", self.platform, origin.key, describe(error, self.secrets),
                  exc_info=error)
        now = self.app.clock.now()
        async with self.app.sessions() as session, session.begin():
            failure = await record_failure(
                session, platform=self.platform, update_key=origin.key, chat_id=origin.chat_id,
                user_id=origin.user_id, payload=payload, error=describe(error, self.secrets), now=now,
                max_attempts=self.max_attempts,
            )
            if failure.newly_dead and origin.chat_id:
                await enqueue(session, [Outbound(self.platform, origin.chat_id,
                                                 t("update_failed", attempts=failure.attempts))], now)
        if failure.newly_dead:
            log.error("%s update %s failed %d times: kept as a dead letter and skipped",
                      self.platform, origin.key, failure.attempts)
            self.wake()
        return failure.dead

    async def _forget(self, origin: Origin) -> None:
        try:
            async with self.app.sessions() as session, session.begin():
                await forget_failure(session, self.platform, origin.key)
        except Exception:
            log.warning("could not clear the failures of %s update %s", self.platform, origin.key)
