"""Delivering the outbox to a platform within its flood limits.

One courier per platform claims pending messages, sends each chat's messages
in order and different chats side by side, keeps the platform's rates (per
chat, per group, overall), waits out "too many requests", retries what is safe
to retry, and writes the fate of every message back to the outbox."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Awaitable, Callable, Protocol

from handlers.events import Outbound
from storage.outbox import as_outbound, claim_pending, release_stale_claims, settle

log = logging.getLogger(__name__)


class RetryAfter(Exception):
    """The platform asks to slow down (HTTP 429); None: it did not say how long."""

    def __init__(self, seconds: float | None):
        super().__init__(f"retry after {seconds}")
        self.seconds = seconds


class Transient(Exception):
    """Failed before the platform took the message (5xx, no connection): safe to retry."""


class Uncertain(Exception):
    """The request left and no answer came (read timeout): resending could duplicate."""


class Unreachable(Exception):
    """The person blocked the bot (Telegram 403)."""


class ChatMoved(Exception):
    """A group became a supergroup with a new id."""

    def __init__(self, new_chat_id: str):
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class Rejected(Exception):
    """The platform refused the message for good (bad request)."""


class Transport(Protocol):
    platform: str

    async def deliver(self, message: Outbound) -> str | None:
        """Send one message; the platform's id of what was sent, if any."""


@dataclass(frozen=True)
class Limits:
    overall_per_second: float = 30.0
    private_interval: float = 1.0  # seconds between two messages to one person
    group_per_minute: int = 20

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")


TELEGRAM_LIMITS = Limits()


class RateKeeper:
    """Waits until a chat may get its next message: its own pace, then the overall pace."""

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable] = asyncio.sleep):
        self.limits = limits
        self.monotonic = monotonic
        self.sleep = sleep
        self._next_overall = 0.0
        self._next_private: dict[str, float] = {}
        self._group_sends: dict[str, deque] = defaultdict(deque)
        self._lock = asyncio.Lock()

    async def wait_turn(self, chat_id: str) -> None:
        await self._wait_for_chat(chat_id)
        async with self._lock:  # overall slots are handed out one at a time
            now = self.monotonic()
            slot = max(now, self._next_overall)
            self._next_overall = slot + 1.0 / self.limits.overall_per_second
        if slot > now:
            await self.sleep(slot - now)
        self._record(chat_id)

    async def _wait_for_chat(self, chat_id: str) -> None:
        if self.limits.is_group(chat_id):
            sends = self._group_sends[chat_id]
            while sends and sends[0] <= self.monotonic() - 60:
                sends.popleft()
            if len(sends) >= self.limits.group_per_minute:
                await self.sleep(sends[0] + 60 - self.monotonic())
        else:
            wait = self._next_private.get(chat_id, 0.0) - self.monotonic()
            if wait > 0:
                await self.sleep(wait)

    def _record(self, chat_id: str) -> None:
        now = self.monotonic()
        if self.limits.is_group(chat_id):
            self._group_sends[chat_id].append(now)
        else:
            self._next_private[chat_id] = now + self.limits.private_interval

    def hold(self, chat_id: str, seconds: float) -> None:
        """After a 429: nothing more to this chat for a while."""
        until = self.monotonic() + seconds
        if self.limits.is_group(chat_id):
            sends = self._group_sends[chat_id]
            sends.clear()
            sends.extend([until - 60] * self.limits.group_per_minute)
        else:
            self._next_private[chat_id] = max(self._next_private.get(chat_id, 0.0), until)


OnUnreachable = Callable[[str], Awaitable[None]]
OnMoved = Callable[[str, str], Awaitable[None]]


class Courier:
    def __init__(self, sessions, transport: Transport, clock, limits: Limits = TELEGRAM_LIMITS, *,
                 on_unreachable: OnUnreachable | None = None, on_moved: OnMoved | None = None,
                 max_attempts: int = 5, backoff: float = 0.5, rate: RateKeeper | None = None,
                 sleep: Callable[[float], Awaitable] = asyncio.sleep,
                 after_round: Callable[[], Awaitable[None]] | None = None):
        self.sessions = sessions
        self.transport = transport
        self.clock = clock
        self.rate = rate or RateKeeper(limits, sleep=sleep)
        self.sleep = sleep
        self.on_unreachable = on_unreachable
        self.on_moved = on_moved
        self.after_round = after_round
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.retries_after_429 = 0
        self._round = asyncio.Lock()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was just put in the outbox."""
        self._wake.set()

    async def deliver_pending(self) -> int:
        """Claim what is pending and deliver it; how many messages were settled."""
        async with self._round:
            async with self.sessions() as session, session.begin():
                rows = await claim_pending(session, self.transport.platform, self.clock.now())
            by_chat: dict[str, list] = defaultdict(list)
            for row in rows:
                by_chat[row.chat_id].append(row)
            await asyncio.gather(*(self._deliver_chat(chat_rows) for chat_rows in by_chat.values()))
        if rows and self.after_round is not None:
            await self.after_round()
        return len(rows)

    async def run(self, idle: float = 1.0, stale_after: timedelta = timedelta(minutes=5)) -> None:
        async with self.sessions() as session, session.begin():
            released = await release_stale_claims(session, self.clock.now(), stale_after)
        if released:
            log.warning("%d %s messages were being sent when a sender stopped; marked unknown", released, self.transport.platform)
        while True:
            if not await self.deliver_pending():
                try:
                    await asyncio.wait_for(self._wake.wait(), idle)
                except asyncio.TimeoutError:
                    pass
                self._wake.clear()

    async def _deliver_chat(self, rows) -> None:
        moved_to: str | None = None
        for row in rows:
            message = as_outbound(row)
            if moved_to:
                message.chat_id = moved_to
            status, error, attempts, sent_id = await self._send(message)
            if status == "moved":
                moved_to = error
                if self.on_moved:
                    await self.on_moved(row.chat_id, moved_to)
                message.chat_id = moved_to
                status, error, attempts, sent_id = await self._send(message)
            async with self.sessions() as session, session.begin():
                await settle(session, row.id, status, self.clock.now(), error=error, attempts=attempts,
                             platform_message_id=sent_id)

    async def _send(self, message: Outbound) -> tuple[str, str | None, int, str | None]:
        attempts = 0
        while True:
            attempts += 1
            await self.rate.wait_turn(message.chat_id)
            try:
                return "sent", None, attempts, await self.transport.deliver(message)
            except RetryAfter as error:
                self.retries_after_429 += 1
                seconds = error.seconds if error.seconds is not None else self.backoff * 2 ** min(attempts, 6)
                self.rate.hold(message.chat_id, seconds)
                attempts -= 1  # waiting out a flood limit is not a failed attempt
                if self.retries_after_429 > 10_000:
                    return "failed", "too many 429 answers", attempts, None
            except Transient as error:
                if attempts >= self.max_attempts:
                    return "failed", str(error), attempts, None
                await self.sleep(self.backoff * 2 ** (attempts - 1))
            except Uncertain as error:
                log.warning("no answer for a %s message to %s: not resent", self.transport.platform, message.chat_id)
                return "unknown", str(error), attempts, None
            except Unreachable as error:
                if self.on_unreachable:
                    await self.on_unreachable(message.chat_id)
                return "failed", str(error), attempts, None
            except ChatMoved as error:
                return "moved", error.new_chat_id, attempts, None
            except Rejected as error:
                return "failed", str(error), attempts, None
