"""Delivering the outbox to a platform within its flood limits.

One courier per platform and process leases pending messages, sends each
chat's messages in order and different chats side by side, keeps the
platform's rates (per chat, per group, overall), waits out "too many
requests", retries what failed on the way, and writes the fate of every
message back to the outbox.

Delivery policy: at least once, except button answers.

* A claim is a lease: the row records its courier (host:pid:random) and an
  expiry (DELIVERY_LEASE_SECONDS, 60 s). A live courier renews the leases of
  the rows it still holds (DELIVERY_HEARTBEAT_SECONDS, 20 s), however long a
  chat's queue takes (a group at 20 messages a minute). When a courier dies,
  any other courier, or the restarted one, takes its rows over once the lease
  ran out, so within a minute.
* Before each request leaves, the row is marked as handed over (its own short
  transaction); at most about a second's worth of sends (the overall rate) is
  handed over and not yet recorded at any moment. Taking a row over, or a request that got no answer (a read
  timeout), therefore tells "never handed over" (sent, no doubt about it) from
  "handed over, answer unknown". Telegram and Zalo have no idempotency key:
  the second case is resent, because a duplicate reminder, digest or reply is
  the lesser evil than a lost one. Resends after no answer are bounded
  (`max_unanswered`, 3): then the row ends `unknown`. An edit of a message is
  idempotent, so resending it is harmless. A button's answer (a toast,
  answerCallbackQuery) is not resent once Telegram's window (~15 s after the
  press) has passed: it ends `expired`, since Telegram would refuse it.
* A failure on the way (no connection, a timeout, 5xx, an answer that cannot be
  read, any unexpected error of the transport) is retried with exponential
  backoff capped at DELIVERY_BACKOFF_CAP_SECONDS (60 s, so a recovered API is
  used within a minute) for DELIVERY_RETRY_HOURS (24 h) after the first
  failure; then the row ends `failed`. Waiting rows go back to `pending` with a
  `not_before` time (a restart keeps the schedule), the chat's later messages
  wait behind them, other chats go on.
* `failed` at once only for a refusal: 400 bad request, 403 blocked/kicked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from domain.messages import Outbound
from storage.models import OutboxMessage
from storage.outbox import as_outbound, claim_pending, mark_handed, release, renew_leases, retry_later, settle

log = logging.getLogger(__name__)


class RetryAfter(Exception):
    """The platform asks to slow down (HTTP 429); None: it did not say how long."""

    def __init__(self, seconds: float | None):
        super().__init__(f"retry after {seconds}")
        self.seconds = seconds


class Transient(Exception):
    """Failed on the way (5xx, no connection, an unreadable answer): retried later."""


class Uncertain(Exception):
    """The request left and no answer came (read timeout): resent, a bounded number of times."""


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
        await self.wait_for_chat(chat_id)
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

    async def wait_for_chat(self, chat_id: str) -> None:
        """The chat's own pace only (a person 1/s, a group 20/min)."""
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


def courier_settings(settings) -> dict:
    """The courier's options from the Settings (DELIVERY_*)."""
    return {
        "lease": settings.delivery_lease_seconds,
        "heartbeat": settings.delivery_heartbeat_seconds,
        "retry_for": settings.delivery_retry_hours * 3600,
        "backoff_cap": settings.delivery_backoff_cap_seconds,
        "overall_per_second": settings.delivery_overall_per_second,
    }


def courier_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Courier:
    def __init__(self, sessions, transport: Transport, clock, limits: Limits = TELEGRAM_LIMITS, *,
                 on_unreachable: OnUnreachable | None = None, on_moved: OnMoved | None = None,
                 backoff: float = 0.5, backoff_cap: float = 60.0, retry_for: float = 24 * 3600,
                 lease: float = 60.0, heartbeat: float = 20.0, max_unanswered: int = 3,
                 callback_window: float = 15.0, overall_per_second: float | None = None,
                 rate: RateKeeper | None = None, sleep: Callable[[float], Awaitable] = asyncio.sleep,
                 after_round: Callable[[], Awaitable[None]] | None = None,
                 wall: Callable[[], datetime] = utc_now, owner: str | None = None):
        self.sessions = sessions
        self.transport = transport
        self.clock = clock  # the app's clock: sent_at, a button's age
        self.wall = wall  # real time, shared by processes: leases and retry times
        if overall_per_second:
            limits = replace(limits, overall_per_second=overall_per_second)
        self.rate = rate or RateKeeper(limits, sleep=sleep)
        # Sends handed over and not yet recorded, at most about a second's worth:
        # what a crash may leave in doubt (and so send twice).
        self._in_flight = asyncio.Semaphore(max(4, int(self.rate.limits.overall_per_second)))
        self.sleep = sleep
        self.on_unreachable = on_unreachable
        self.on_moved = on_moved
        self.after_round = after_round
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.retry_for = timedelta(seconds=retry_for)
        self.lease, self.heartbeat = timedelta(seconds=lease), heartbeat
        self.max_unanswered = max_unanswered
        self.callback_window = timedelta(seconds=callback_window)
        self.owner = owner or courier_id()
        self.retries_after_429 = 0
        self._round = asyncio.Lock()
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._queues: dict[str, deque] = defaultdict(deque)
        self._workers: dict[str, asyncio.Task] = {}
        self._held: set[int] = set()  # rows leased to this courier and not yet settled or released
        self._retries: list[datetime] = []  # when rows put off in this round are due
        self._claimed_at: datetime | None = None  # the time of the last claim
        self.low_water = 60  # claim more when fewer messages than this are waiting (~2 s at 30/s)
        self.linger = 1.0  # a round waits for retries due within this many seconds
        self.grace = 5.0  # on shutdown, how long the sends in flight may take to finish
        self._stopping = False

    def wake(self) -> None:
        """Something was just put in the outbox."""
        self._wake.set()

    async def deliver_pending(self) -> int:
        """Deliver everything due, then return how many messages were handled
        (settled or put back to wait). Each chat has its own worker, so a chat
        held by its limit or a retry does not hold the others, and more is
        claimed while the queues run low rather than after the slowest chat."""
        async with self._round:
            total = 0
            self._retries = []
            heartbeat = asyncio.create_task(self._renew_leases())
            try:
                while True:
                    if self._queued() < self.low_water:
                        total += await self._claim()
                    if not self._workers:
                        wait = self._retry_wait()
                        if wait is None:
                            break
                        await asyncio.sleep(wait)
                        continue
                    self._progress.clear()
                    await self._progress.wait()
            except asyncio.CancelledError:
                await self._stop()
                raise
            finally:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
        if total and self.after_round is not None:
            await self.after_round()
        return total

    async def _stop(self) -> None:
        """Shutting down: the sends in flight may finish (their answer recorded,
        so that a restart does not send them again), the rest goes back to pending."""
        self._stopping = True
        try:
            workers = list(self._workers.values())
            if workers:
                _, late = await asyncio.wait(workers, timeout=self.grace)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
        finally:
            self._stopping = False

    async def _claim(self) -> int:
        self._claimed_at = self.wall()
        async with self.sessions() as session, session.begin():
            rows = await claim_pending(session, self.transport.platform, self.owner, self._claimed_at, self.lease)
        rows = [row for row in rows if row.id not in self._held]
        for row in rows:
            if row.unanswered:
                log.warning("%s message %d was handed over with no answer; sending it again",
                            self.transport.platform, row.id)
            self._held.add(row.id)
            self._queues[row.chat_id].append(row)
            if row.chat_id not in self._workers:
                self._workers[row.chat_id] = asyncio.create_task(self._work(row.chat_id))
        return len(rows)

    def _retry_wait(self) -> float | None:
        """Seconds until a retry put off in this round is due, if soon enough to wait for."""
        # Those due at the last claim were offered to it (or another courier took them).
        self._retries = [at for at in self._retries if self._claimed_at is None or at > self._claimed_at]
        if not self._retries:
            return None
        wait = (min(self._retries) - self.wall()).total_seconds()
        return None if wait > self.linger else max(wait, 0.0)

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                async with self.sessions() as session, session.begin():
                    await renew_leases(session, list(self._held), self.owner, self.wall() + self.lease)
            except Exception as error:  # the next beat tries again; the lease outlives a few misses
                log.warning("renewing the %s delivery leases failed: %s", self.transport.platform, type(error).__name__)

    async def run(self, idle: float = 1.0) -> None:
        """Deliver for ever; rows waiting for a retry are looked at every `idle` seconds."""
        while True:
            try:
                handled = await self.deliver_pending()
            except Exception:
                log.exception("%s delivery round failed; trying again", self.transport.platform)
                handled = 0
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), idle)
                self._wake.clear()

    def _queued(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    async def _work(self, chat_id: str) -> None:
        """One chat's messages in order. A message put off for a retry puts
        off the rest of the chat's queue too; nothing is left leased here."""
        queue = self._queues[chat_id]
        moved_to: str | None = None
        try:
            while queue and not self._stopping:
                row = queue[0]
                try:
                    done, moved_to = await self._deliver(row, moved_to)
                except Exception:
                    log.exception("%s message %d: delivery failed; it will be taken over",
                                  self.transport.platform, row.id)
                    done = False  # its lease runs out unrenewed and a courier takes it over
                queue.popleft()
                self._held.discard(row.id)
                self._progress.set()
                if not done:
                    break
        finally:
            # No await before the worker is gone: a claim meanwhile would queue rows nobody sends.
            left = [row.id for row in queue]
            del self._workers[chat_id]
            del self._queues[chat_id]
            self._held.difference_update(left)
            if left:
                try:
                    async with self.sessions() as session, session.begin():
                        await release(session, left, self.owner)
                except Exception:
                    log.warning("%s: %d messages not released; their lease will run out",
                                self.transport.platform, len(left))
            self._progress.set()

    async def _settle(self, row: OutboxMessage, status: str, error: str | None = None,
                      sent_id: str | None = None) -> None:
        async with self.sessions() as session, session.begin():
            kept = await settle(session, row.id, self.owner, status, self.clock.now(), error=error,
                                platform_message_id=sent_id)
        if not kept:
            log.warning("%s message %d was taken over by another courier", self.transport.platform, row.id)

    async def _deliver(self, row: OutboxMessage, moved_to: str | None) -> tuple[bool, str | None]:
        """Try one message; False when it was put off for a retry."""
        message = as_outbound(row)
        if row.toast and row.callback_id and self.clock.now() - row.created_at > self.callback_window:
            await self._settle(row, "expired", "the button's answer came too late")
            return True, moved_to
        if row.unanswered >= self.max_unanswered:
            await self._settle(row, "unknown", f"no answer after {row.unanswered} hand-overs")
            return True, moved_to
        if moved_to:
            message.chat_id = moved_to
        slowed = 0  # "too many requests" answers to this message
        while True:
            await self.rate.wait_for_chat(message.chat_id)  # a chat's own pace, before taking a slot
            async with self._in_flight:
                done = await self._attempt(row, message, slowed)
            if done is not None:
                return done, (message.chat_id if message.chat_id != row.chat_id else None)  # a group's new id
            slowed += 1

    async def _attempt(self, row: OutboxMessage, message: Outbound, slowed: int) -> bool | None:
        """One request: True settled, False put off for a retry, None to send
        again at once (after a 429 or a group's move, which changes `message`)."""
        # Marked before waiting for the overall turn, so that the request leaves the
        # moment its slot comes (a late start would bunch sends past the limits).
        async with self.sessions() as session, session.begin():
            if not await mark_handed(session, row.id, self.owner, self.wall()):
                log.warning("%s message %d: lease lost, not sent", self.transport.platform, row.id)
                return True
        await self.rate.wait_turn(message.chat_id)
        try:
            sent_id = await self.transport.deliver(message)
        except RetryAfter as error:
            self.retries_after_429 += 1
            seconds = error.seconds if error.seconds is not None else min(self.backoff * 2 ** min(slowed + 1, 6),
                                                                           self.backoff_cap)
            self.rate.hold(message.chat_id, seconds)
            if self.retries_after_429 > 10_000:
                await self._settle(row, "failed", "too many 429 answers")
                return True
            return None
        except ChatMoved as error:
            if message.chat_id == error.new_chat_id:
                await self._settle(row, "failed", str(error))
                return True
            message.chat_id = error.new_chat_id
            if self.on_moved:
                await self.on_moved(row.chat_id, error.new_chat_id)
            return None
        except (Unreachable, Rejected) as error:
            if isinstance(error, Unreachable) and self.on_unreachable:
                await self.on_unreachable(message.chat_id)
            await self._settle(row, "failed", str(error))
            return True
        except Uncertain as error:
            return await self._retry(row, f"no answer: {error}", unanswered=row.unanswered + 1)
        except Transient as error:
            return await self._retry(row, str(error), unanswered=row.unanswered)
        except Exception as error:  # an answer aiogram/httpx could not read, a bug: this send failed
            log.warning("%s message %d: unexpected %s; retrying later", self.transport.platform, row.id,
                        type(error).__name__)
            return await self._retry(row, type(error).__name__, unanswered=row.unanswered)
        await self._settle(row, "sent", sent_id=sent_id)
        return True

    async def _retry(self, row: OutboxMessage, error: str, unanswered: int) -> bool:
        """Put the message off: exponential backoff (each wait as long as the
        retries so far, from `backoff` up to `backoff_cap`), within `retry_for`."""
        now = self.wall()
        since = row.retrying_since or now
        if now - since >= self.retry_for:
            await self._settle(row, "failed", f"{error} (retried for {now - since})")
            return True
        if unanswered >= self.max_unanswered:
            await self._settle(row, "unknown", f"{error} (no answer after {unanswered} hand-overs)")
            return True
        delay = min(self.backoff_cap, max(self.backoff, (now - since).total_seconds()))
        not_before = now + timedelta(seconds=delay)
        async with self.sessions() as session, session.begin():
            await retry_later(session, row.id, self.owner, not_before, since, error, unanswered)
        self._retries.append(not_before)
        log.info("%s message %d: %s; retrying in %.1f s", self.transport.platform, row.id, error, delay)
        return False
