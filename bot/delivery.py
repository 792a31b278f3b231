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
    # The platform counts arrivals in sliding windows; a send that leaves a
    # little late must not put two inside one window's edge.
    margin: float = 0.03

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")


TELEGRAM_LIMITS = Limits()


class RateKeeper:
    """Waits until a chat may get its next message: its own pace, then the
    overall pace, each a sliding window over the moments sends really left."""

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable] = asyncio.sleep):
        self.limits = limits
        self.monotonic = monotonic
        self.sleep = sleep
        self._overall: deque = deque()  # when the last sends left, oldest first
        self._overall_size = max(1, int(limits.overall_per_second))
        self._next_private: dict[str, float] = {}
        self._group_sends: dict[str, deque] = defaultdict(deque)
        self._lock = asyncio.Lock()

    async def wait_turn(self, chat_id: str) -> None:
        await self._wait_for_chat(chat_id)
        async with self._lock:  # overall slots are handed out one at a time
            window = self._overall_size / self.limits.overall_per_second
            while len(self._overall) >= self._overall_size:
                wait = self._overall[0] + window + self.limits.margin - self.monotonic()
                if wait <= 0:
                    self._overall.popleft()
                else:
                    await self.sleep(wait)
            self._overall.append(self.monotonic())
        self._record(chat_id)

    async def _wait_for_chat(self, chat_id: str) -> None:
        margin = self.limits.margin
        if self.limits.is_group(chat_id):
            sends = self._group_sends[chat_id]
            while sends and sends[0] <= self.monotonic() - 60 - margin:
                sends.popleft()
            if len(sends) >= self.limits.group_per_minute:
                await self.sleep(sends[0] + 60 + margin - self.monotonic())
        else:
            wait = self._next_private.get(chat_id, 0.0) - self.monotonic()
            if wait > 0:
                await self.sleep(wait)

    def _record(self, chat_id: str) -> None:
        now = self.monotonic()
        if self.limits.is_group(chat_id):
            self._group_sends[chat_id].append(now)
        else:
            self._next_private[chat_id] = now + self.limits.private_interval + self.limits.margin

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
        self._progress = asyncio.Event()
        self._queues: dict[str, deque] = defaultdict(deque)
        self._workers: dict[str, asyncio.Task] = {}
        self.low_water = 60  # claim more when fewer messages than this are waiting (~2 s at 30/s)

    def wake(self) -> None:
        """Something was just put in the outbox."""
        self._wake.set()

    async def deliver_pending(self) -> int:
        """Deliver everything pending, then return how many messages were
        settled. Each chat has its own worker, so a chat held by its limit
        does not hold the others, and more is claimed while the queues run
        low rather than after the slowest chat is done."""
        async with self._round:
            total = 0
            while True:
                if self._queued() < self.low_water:
                    async with self.sessions() as session, session.begin():
                        rows = await claim_pending(session, self.transport.platform, self.clock.now())
                    for row in rows:
                        self._queues[row.chat_id].append(row)
                        if row.chat_id not in self._workers:
                            self._workers[row.chat_id] = asyncio.create_task(self._work(row.chat_id))
                    total += len(rows)
                if not self._workers:
                    break
                self._progress.clear()
                await self._progress.wait()
        if total and self.after_round is not None:
            await self.after_round()
        return total

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

    def _queued(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    async def _work(self, chat_id: str) -> None:
        queue = self._queues[chat_id]
        moved_to: str | None = None
        try:
            while queue:
                row = queue.popleft()
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
                self._progress.set()
        finally:
            del self._workers[chat_id]
            if not queue:
                self._queues.pop(chat_id, None)
            self._progress.set()

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
