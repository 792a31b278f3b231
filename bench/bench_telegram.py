"""Benchmark: the Telegram side against a fake Bot API server with Telegram's limits.

Run from the project root, in the project's virtualenv:

    python bench/bench_telegram.py [--group-messages 2000] [--groups 100]
                                   [--private-messages 5000] [--mixed-messages 900]
                                   [--updates 5000] [--concurrency 8]
                                   [--inbound-courier off|on] [--quick] [--profile]

Goals (from the issue):

* Outbound fan-out through the outbox and the product's Courier (TelegramApp,
  TELEGRAM_LIMITS, its own RateKeeper and retry policy), against
  ``FakeTelegram(enforce_limits=True)`` (1 msg/s per private chat, 20/min per
  group, 30/s overall; over a limit it answers 429 with ``retry_after``):
  achieved rate >= 90 % of the allowed rate, zero 429s left unhandled, zero
  duplicates, zero lost (checked on the server side).
* Inbound: ``--updates`` message updates POSTed to the webhook; p50 / p99 /
  max time to the 200 answer (reported; the issue sets no figure).

What it does (see bench/README.md):

1. Outbound, one run per scenario, each on a fresh SQLite file database and a
   fresh fake server: ``group`` (``--group-messages`` round-robin over
   ``--groups`` groups), ``private`` (``--private-messages`` to as many distinct
   people), ``mixed`` (``--mixed-messages``: a third to groups, a third to
   distinct people, a third to ``--busy-chats`` private chats, shuffled). Every
   text is distinct. The messages are enqueued (storage.outbox.enqueue), then
   ``courier.deliver_pending()`` is called until it settles nothing; the wall
   time covers every round (claiming included). Allowed rate = min(30/s, the
   messages over the least time the busiest chat's own limit needs); for the
   default runs the same as min(30/s, sum over the chats of each chat's own
   cap: 1/s per person, 20/60 per group) = 30/s. Checked on the server: delivered == enqueued, every (chat,
   text) exactly once, every chat in enqueue order, 429s answered vs retried
   by the courier, every outbox row "sent". Also shown: the time spent
   claiming (round start -> its first accepted send) and pauses between sends.
2. Inbound: a fresh database with the sample organisation, TelegramApp routes on
   bot.http.make_http_app served on 127.0.0.1, a webhook secret. Distinct
   message updates (quick reports "I.2 đang thực hiện 40%" from the sample
   officer 100001 and from the other registered Telegram users on their units'
   tasks, /nhiemvu, /help, unregistered strangers, group chatter) are POSTed
   with aiohttp at ``--concurrency``; per request the time until the 200 answer
   has been read. The courier is off by default (replies stay in the outbox);
   ``--inbound-courier on`` runs it at the same time against the limited fake.
3. Prints a Markdown table and PASS/FAIL per goal; results also go to
   ``<out>/telegram_results.json``. Exits 0 whatever the figures; non-zero only
   on an error.

``--quick`` divides the message and update counts by 10 (not the number of
groups: fewer groups would lower the allowed rate and lengthen the run).
``--profile`` runs the inbound part under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import logging
import math
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import itertools

import aiohttp
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.cli import App
from bot.delivery import TELEGRAM_LIMITS, Limits
from bot.http import make_http_app, serve
from bot.sample import ensure_sample
from bot.settings import Settings
from bot.telegram.app import SECRET_HEADER, WEBHOOK_PATH, TelegramApp, make_bot
from domain.clock import FixedClock
from domain.messages import Outbound
from storage.db import create_engine, migrate, session_factory
from storage.models import ChatIdentity, OutboxMessage, Person, StatusUpdate
from storage.org import Organisation
from storage.outbox import enqueue
from storage.tasks import current_plan, task_views
from tests.fakes.telegram_api import FakeTelegram

SEED = 2026
VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 4, 15, 9, 0, tzinfo=VN)
GOAL_RATIO = 0.90
SECRET = "bench-webhook-secret"
OFFICER = 100001  # sample/people.csv: Lê Thị Mai Anh, Phòng Hành chính – Quản trị
BUSY_CHATS = 30  # mixed scenario: private chats that get many messages each (--busy-chats)


def say(*parts) -> None:
    print(*parts, flush=True)


# --- outbound -------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    messages: list[tuple[str, str]]  # (chat_id, text), in enqueue order
    description: str


def group_id(i: int) -> str:
    return str(-(4_000_000 + i))  # a basic group for the fake (not -100…: supergroup; both count as groups)


def private_id(i: int) -> str:
    return str(200_000_000 + i)


def group_scenario(messages: int, groups: int) -> Scenario:
    # A fan-out: the same kind of announcement to every group, again and again (round-robin).
    out = [(group_id(k % groups), f"Thông báo nhóm số {k}: đôn đốc báo cáo tiến độ nhiệm vụ")
           for k in range(messages)]
    return Scenario("group", out, f"{messages:,} messages round-robin over {groups} groups")


def private_scenario(messages: int) -> Scenario:
    out = [(private_id(k), f"Nhắc việc cá nhân số {k}: hạn báo cáo tiến độ là thứ Sáu") for k in range(messages)]
    return Scenario("private", out, f"{messages:,} messages to {messages:,} distinct people")


def mixed_scenario(messages: int, groups: int, busy_chats: int, seed: int) -> Scenario:
    rng = random.Random(seed)
    third = messages // 3
    busy = min(busy_chats, max(1, third))
    kinds = ["group"] * third + ["person"] * third + ["busy"] * (messages - 2 * third)
    rng.shuffle(kinds)
    out = []
    counters = Counter()
    for k, kind in enumerate(kinds):
        n = counters[kind]
        counters[kind] += 1
        if kind == "group":
            chat = group_id(10_000 + n % groups)
        elif kind == "person":
            chat = private_id(10_000_000 + n)
        else:
            chat = private_id(20_000_000 + n % busy)
        out.append((chat, f"Tin hỗn hợp số {k} ({kind})"))
    used_groups = min(groups, third)
    return Scenario("mixed", out, f"{messages:,} messages: {third:,} over {used_groups} groups, {third:,} to distinct "
                                  f"people, {messages - 2 * third:,} to {busy} busy private chats; shuffled")


def allowed_rate(messages: list[tuple[str, str]], limits: Limits = TELEGRAM_LIMITS) -> tuple[float, float, float]:
    """(allowed msgs/s, sum of the per-chat caps, busiest chat's floor in s).

    Allowed = min(overall, messages / the busiest chat's floor), the floor being
    the least time a chat's own limit needs for its messages: (m - 1) s for m
    messages to a person, (ceil(m / 20) - 1) min for a group (20 may go at
    once). For the default runs this equals min(overall, sum over the chats of
    each chat's steady cap: 1/s per person, 20/60 per group) = 30/s; the sum of
    caps alone would undercount short runs (30 messages to 30 groups: 10/s,
    though all 30 may go within a second), so it is only reported."""
    per_chat = Counter(chat for chat, _ in messages)
    caps = sum(limits.group_per_minute / 60 if limits.is_group(c) else 1 / limits.private_interval for c in per_chat)
    floor = max((math.ceil(m / limits.group_per_minute) - 1) * 60 if limits.is_group(c)
                else (m - 1) * limits.private_interval for c, m in per_chat.items())
    allowed = limits.overall_per_second
    if floor > 0:
        allowed = min(allowed, len(messages) / floor)
    return allowed, caps, floor


async def fresh_app(workdir: Path, name: str, secret: str | None = None) -> tuple[App, object]:
    db = workdir / f"{name}.db"
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{db}", files_dir=workdir / f"{name}-files",
                        telegram_webhook_secret=SecretStr(secret) if secret else None)
    return App(settings, session_factory(engine), FixedClock(START)), engine


async def progress(label: str, fake: FakeTelegram, total: int, started: float, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        stats = fake.stats()
        elapsed = time.monotonic() - started
        done = stats["delivered_total"]
        say(f"  [{label}] {elapsed:6.1f} s  {done:>6,}/{total:,} delivered  {done / elapsed:5.1f} msg/s  "
            f"429s {stats['too_many_requests']}")


async def run_outbound(scenario: Scenario, workdir: Path, every: float) -> dict:
    messages = scenario.messages
    total = len(messages)
    allowed, caps, chat_floor = allowed_rate(messages)
    say(f"\n## outbound {scenario.name}: {scenario.description}")
    say(f"  allowed rate {allowed:.2f} msg/s (overall 30/s, sum of per-chat caps {caps:,.1f}/s, busiest chat "
        f"needs ≥ {chat_floor:.0f} s); at that rate {total / allowed:.0f} s")
    app, engine = await fresh_app(workdir, f"out-{scenario.name}")
    async with app.sessions() as session, session.begin():
        await enqueue(session, [Outbound("telegram", chat, text) for chat, text in messages], app.clock.now())
    fake = FakeTelegram(enforce_limits=True)
    await fake.start()
    bot = make_bot(fake.token, fake.base_url)
    tg = TelegramApp(app, bot)  # the product courier: TELEGRAM_LIMITS, default RateKeeper and retries
    courier = tg.courier
    rounds: list[dict] = []
    # time.monotonic throughout: the fake stamps what it receives with it, so rounds and sends line up.
    started = finished = time.monotonic()
    ticker = asyncio.create_task(progress(scenario.name, fake, total, started, every))
    try:
        while True:
            round_start = time.monotonic()
            settled = await courier.deliver_pending()
            if not settled:
                break
            finished = time.monotonic()
            rounds.append({"settled": settled, "start": round_start, "end": finished})
    finally:
        ticker.cancel()
        await asyncio.gather(ticker, return_exceptions=True)
    wall = finished - started

    async with app.sessions() as session:
        statuses = Counter(dict((await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all()))
    stats = fake.stats()
    sends = [s for s in fake.sent if s["method"].lower() == "sendmessage"]
    sent_pairs = Counter((str(s["chat_id"]), s["text"]) for s in sends)
    wanted = Counter(messages)
    lost = sum((wanted - sent_pairs).values())
    unexpected = sum((sent_pairs - wanted).values())
    by_chat_sent: dict[str, list[str]] = defaultdict(list)
    for s in sends:
        by_chat_sent[str(s["chat_id"])].append(s["text"])
    by_chat_wanted: dict[str, list[str]] = defaultdict(list)
    for chat, text in messages:
        by_chat_wanted[chat].append(text)
    out_of_order = sum(1 for chat, texts in by_chat_wanted.items() if by_chat_sent.get(chat) != texts)
    # Arrival times of the accepted sends, on the server's clock (what its limit windows count).
    times = sorted(rec.time for rec in fake.requests if rec.method.lower() == "sendmessage" and rec.status == 200)
    server_span = times[-1] - times[0] if len(times) > 1 else 0.0
    # Peak count in any 1 s window, counted as the fake counts (it keeps only accepted sends).
    peak, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        peak = max(peak, i - j + 1)
    # Where a round's time goes: claiming (round start -> its first accepted send), sending, and the
    # tail (its last accepted send -> the round ends: settling, and retries held back after a 429).
    claim_s = tail_s = 0.0
    for r in rounds:
        inside = [t for t in times if r["start"] <= t <= r["end"]]
        if inside:
            r["claim_s"], r["tail_s"] = inside[0] - r["start"], r["end"] - inside[-1]
            claim_s += r["claim_s"]
            tail_s += r["tail_s"]
        r["start"], r["end"] = r["start"] - started, r["end"] - started
    gaps = [(b - a) for a, b in itertools.pairwise(times) if b - a > 0.25]  # pauses in the stream of sends
    server_429 = stats["too_many_requests"]
    retried = courier.retries_after_429
    retry_after = Counter(
        (rec.response.get("parameters") or {}).get("retry_after") for rec in fake.requests
        if rec.status == 429 and isinstance(rec.response, dict))
    not_sent = total - statuses.get("sent", 0)
    achieved = total / wall if wall else 0.0
    await bot.session.close()
    await fake.stop()
    await engine.dispose()
    result = {
        "scenario": scenario.name,
        "description": scenario.description,
        "messages": total,
        "chats": len(by_chat_wanted),
        "allowed_rate": allowed,
        "sum_of_chat_caps": caps,
        "busiest_chat_floor_s": chat_floor,
        "wall_s": wall,
        "achieved_rate": achieved,
        "ratio": achieved / allowed if allowed else 0.0,
        "server_rate": (len(times) - 1) / server_span if server_span else 0.0,
        "server_peak_per_1s": peak,
        "rounds": rounds,
        "claim_s": claim_s,
        "tail_s": tail_s,
        "pauses_over_250ms": len(gaps),
        "pause_s": sum(gaps),
        "retry_after": {str(k): v for k, v in retry_after.items()},
        "delivered": stats["delivered_total"],
        "lost": lost,
        "unexpected": unexpected,
        "duplicates": stats["duplicates"],
        "out_of_order_chats": out_of_order,
        "server_429": server_429,
        "courier_429_retries": retried,
        "unhandled_429": max(0, server_429 - retried) + not_sent,
        "outbox_statuses": dict(statuses),
        "requests": stats["requests"],
    }
    say(f"  done: {total:,} in {wall:.1f} s = {achieved:.2f} msg/s ({result['ratio']:.1%} of allowed); "
        f"server: delivered {result['delivered']:,}, lost {lost}, duplicates {result['duplicates']}, "
        f"429s {server_429} (courier retried {retried}), outbox {dict(statuses)}")
    say(f"  time: {len(rounds)} rounds; claiming {claim_s:.1f} s, round tails {tail_s:.1f} s; "
        f"{len(gaps)} pauses > 250 ms between sends totalling {sum(gaps):.1f} s; "
        f"retry_after answered {dict(retry_after)}")
    return result


# --- inbound --------------------------------------------------------------------


@dataclass
class User:
    telegram_id: int
    name: str
    role: str
    codes: list[str] = field(default_factory=list)


async def registered_users(app: App) -> list[User]:
    async with app.sessions() as session:
        org = await Organisation.load(session)
        plan = await current_plan(session)
        views = await task_views(session, plan)
        rows = (await session.execute(
            select(ChatIdentity.external_id, Person.name, Person.role, Person.unit_id)
            .join(Person).where(ChatIdentity.platform == "telegram").order_by(ChatIdentity.external_id)
        )).all()
    users = []
    for external_id, name, role, unit_id in rows:
        codes = [v.task.code for v in views if unit_id is not None and org.role_of(v.task.assignments, {unit_id})]
        users.append(User(int(external_id), name, role, codes))
    return users


def inbound_updates(fake: FakeTelegram, users: list[User], count: int, seed: int) -> tuple[list[bytes], Counter]:
    """`count` distinct message updates (distinct update_id), as JSON bodies, and their mix."""
    rng = random.Random(seed)
    reporters = [u for u in users if u.codes]
    kinds = ["officer_report", "report", "tasks", "help", "stranger", "group"]
    weights = [25, 25, 22, 13, 10, 5]
    group_chat = -5_000_001
    bodies, mix = [], Counter()
    first = {u.telegram_id: u.name.split()[-1] for u in users}
    for _k in range(count):
        kind = rng.choices(kinds, weights)[0]
        if kind == "officer_report":
            user, text = OFFICER, f"I.2 đang thực hiện {rng.randrange(5, 100, 5)}%"
            chat = user
        elif kind == "report":
            u = rng.choice(reporters)
            user, chat = u.telegram_id, u.telegram_id
            text = f"{rng.choice(u.codes)} đang thực hiện {rng.randrange(5, 100, 5)}%"
        elif kind == "tasks":
            u = rng.choice(users)
            user, chat, text = u.telegram_id, u.telegram_id, "/nhiemvu"
        elif kind == "help":
            u = rng.choice(users)
            user, chat, text = u.telegram_id, u.telegram_id, "/help"
        elif kind == "stranger":
            user = 900_000 + rng.randrange(200)
            chat, text = user, rng.choice(["xin chào", "/start", "/nhiemvu", "báo cáo thế nào?"])
        else:  # chatter in a group, not addressed to the bot
            u = rng.choice(users)
            user, chat, text = u.telegram_id, group_chat, rng.choice(["ok anh", "em đã nhận", "cảm ơn chị"])
        mix[kind] += 1
        update = fake.message_update(chat, user, text, first_name=first.get(user, "Khách"),
                                     chat_title="Nhóm giao ban" if chat < 0 else None)
        bodies.append(json.dumps(update, ensure_ascii=False).encode())
    return bodies, mix


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[rank]


async def run_inbound(count: int, concurrency: int, courier_on: bool, workdir: Path, every: float,
                      profile: bool) -> dict:
    say(f"\n## inbound: {count:,} updates through the webhook, concurrency {concurrency}, "
        f"courier {'on' if courier_on else 'off'}")
    app, engine = await fresh_app(workdir, "inbound", secret=SECRET)
    await ensure_sample(app.sessions, app.clock.now(), app.settings.zone)
    users = await registered_users(app)
    fake = FakeTelegram(enforce_limits=courier_on)  # getMe (the bridge asks who it is) and, if on, the sends
    await fake.start()
    bot = make_bot(fake.token, fake.base_url)
    tg = TelegramApp(app, bot)
    http = make_http_app()
    tg.add_routes(http)
    runner = await serve(http, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}{WEBHOOK_PATH}"
    bodies, mix = inbound_updates(fake, users, count, SEED)
    courier_task = asyncio.create_task(tg.courier.run(idle=0.05)) if courier_on else None

    latencies: list[float] = [0.0] * len(bodies)
    status_codes: Counter = Counter()
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(len(bodies)):
        queue.put_nowait(i)
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    done = 0

    async def worker(client: aiohttp.ClientSession) -> None:
        nonlocal done
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            async with client.post(url, data=bodies[i], headers=headers) as response:
                await response.read()
                status_codes[response.status] += 1
            latencies[i] = time.perf_counter() - t0
            done += 1

    async def ticker(started: float) -> None:
        while True:
            await asyncio.sleep(every)
            elapsed = time.perf_counter() - started
            say(f"  [inbound] {elapsed:6.1f} s  {done:>6,}/{count:,} answered  {done / elapsed:6.1f} updates/s")

    profiler = cProfile.Profile() if profile else None
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as client:
        started = time.perf_counter()
        tick = asyncio.create_task(ticker(started))
        if profiler:
            profiler.enable()
        try:
            await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        finally:
            if profiler:
                profiler.disable()
            tick.cancel()
            await asyncio.gather(tick, return_exceptions=True)
        wall = time.perf_counter() - started

    async with app.sessions() as session:
        outbox = Counter(dict((await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all()))
        reports = await session.scalar(select(func.count()).select_from(StatusUpdate))
    delivered_meanwhile = fake.stats()["delivered_total"]
    server_429 = fake.stats()["too_many_requests"]
    if courier_task:
        courier_task.cancel()
        await asyncio.gather(courier_task, return_exceptions=True)
    await runner.cleanup()
    await bot.session.close()
    await fake.stop()
    await engine.dispose()
    ms = [x * 1000 for x in latencies]
    result = {
        "updates": count,
        "concurrency": concurrency,
        "courier": "on" if courier_on else "off",
        "mix": dict(mix),
        "wall_s": wall,
        "throughput": count / wall,
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms),
        "mean_ms": statistics.fmean(ms),
        "statuses": {str(k): v for k, v in status_codes.items()},
        "non_200": sum(v for k, v in status_codes.items() if k != 200),
        "replies_in_outbox": sum(outbox.values()),
        "outbox_statuses": dict(outbox),
        "status_updates_written": reports,
        "delivered_meanwhile": delivered_meanwhile,
        "server_429": server_429,
    }
    say(f"  done: {count:,} in {wall:.1f} s = {result['throughput']:.1f} updates/s; p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.1f} ms, mean {result['mean_ms']:.1f} ms; HTTP {dict(status_codes)}; "
        f"replies {result['replies_in_outbox']:,} {dict(outbox)}; status updates {reports:,}")
    if profiler:
        for key in ("cumulative", "tottime"):
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats(key).print_stats(25)
            say(f"\n### profile (inbound, by {key})\n```\n{buffer.getvalue()}```")
    return result


# --- report ---------------------------------------------------------------------


def verdicts(outbound: list[dict], inbound: dict | None) -> list[tuple[str, bool, str]]:
    lines = []
    for r in outbound:
        name = r["scenario"]
        lines.append((f"{name}: achieved rate ≥ 90 % of allowed", r["ratio"] >= GOAL_RATIO,
                      f"{r['achieved_rate']:.2f} / {r['allowed_rate']:.2f} msg/s = {r['ratio']:.1%}"))
        lines.append((f"{name}: zero 429s left unhandled", r["unhandled_429"] == 0,
                      f"{r['server_429']} answered, {r['courier_429_retries']} retried, "
                      f"{r['messages'] - r['outbox_statuses'].get('sent', 0)} rows not sent"))
        lines.append((f"{name}: zero duplicates", r["duplicates"] == 0 and r["unexpected"] == 0,
                      f"{r['duplicates']} duplicated sends"))
        lines.append((f"{name}: zero lost", r["lost"] == 0 and r["delivered"] == r["messages"],
                      f"{r['delivered']:,} / {r['messages']:,} delivered, {r['lost']} lost"))
    if inbound:
        lines.append(("inbound: every update answered 200", inbound["non_200"] == 0,
                      f"{inbound['statuses']}"))
    return lines


def print_report(outbound: list[dict], inbound: dict | None) -> list[tuple[str, bool, str]]:
    say("\n## Results\n")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    say(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs "
        f"(load average now {load}); SQLite file databases; fake Bot API on 127.0.0.1 with Telegram's limits "
        f"enforced.\n")
    if outbound:
        say("| Outbound | Messages | Chats | Allowed msg/s | Wall s | Achieved msg/s | Ratio | Server-side msg/s "
            "| Peak in 1 s | 429s answered / retried | Delivered | Lost | Dups | Out of order | Rounds "
            "| Claiming s |")
        say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in outbound:
            say(f"| {r['scenario']} | {r['messages']:,} | {r['chats']:,} | {r['allowed_rate']:.2f} | {r['wall_s']:.1f} "
                f"| {r['achieved_rate']:.2f} | {r['ratio']:.1%} | {r['server_rate']:.2f} | {r['server_peak_per_1s']} "
                f"| {r['server_429']} / {r['courier_429_retries']} | {r['delivered']:,} | {r['lost']} "
                f"| {r['duplicates']} | {r['out_of_order_chats']} | {len(r['rounds'])} | {r['claim_s']:.1f} |")
        say("")
    if inbound:
        say("| Inbound | Updates | Concurrency | Courier | p50 ms | p90 ms | p99 ms | Max ms | Mean ms | Updates/s "
            "| HTTP | Replies queued | Status updates |")
        say("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
        i = inbound
        say(f"| webhook | {i['updates']:,} | {i['concurrency']} | {i['courier']} | {i['p50_ms']:.1f} | {i['p90_ms']:.1f} "
            f"| {i['p99_ms']:.1f} | {i['max_ms']:.1f} | {i['mean_ms']:.1f} | {i['throughput']:.1f} | {i['statuses']} "
            f"| {i['replies_in_outbox']:,} | {i['status_updates_written']:,} |")
        say(f"\nUpdate mix: {i['mix']}")
        say("")
    lines = verdicts(outbound, inbound)
    for label, ok, detail in lines:
        say(f"- **{'PASS' if ok else 'FAIL'}** {label} ({detail})")
    return lines


async def main_async(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scenarios = []
    if args.group_messages:
        scenarios.append(group_scenario(args.group_messages, args.groups))
    if args.private_messages:
        scenarios.append(private_scenario(args.private_messages))
    if args.mixed_messages:
        scenarios.append(mixed_scenario(args.mixed_messages, args.groups, args.busy_chats, SEED))
    outbound, inbound = [], None
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
        workdir = Path(tmp)
        for scenario in scenarios:
            outbound.append(await run_outbound(scenario, workdir, args.progress))
        if args.updates:
            inbound = await run_inbound(args.updates, args.concurrency, args.inbound_courier == "on", workdir,
                                        args.progress, args.profile)
    lines = print_report(outbound, inbound)
    results = {
        "args": vars(args),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "outbound": outbound,
        "inbound": inbound,
        "verdicts": [{"goal": label, "pass": ok, "detail": detail} for label, ok, detail in lines],
    }
    (out / "telegram_results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--group-messages", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--private-messages", type=int, default=5000)
    parser.add_argument("--mixed-messages", type=int, default=900, help="0 skips the mixed run")
    parser.add_argument("--busy-chats", type=int, default=BUSY_CHATS,
                        help="mixed run: private chats sharing the last third of its messages")
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--inbound-courier", choices=["off", "on"], default="off")
    parser.add_argument("--quick", action="store_true", help="message and update counts / 10 (a smoke run)")
    parser.add_argument("--progress", type=float, default=10.0, help="seconds between progress lines")
    parser.add_argument("--profile", action="store_true", help="cProfile the inbound part")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = parser.parse_args()
    if args.quick:
        for name in ("group_messages", "private_messages", "mixed_messages", "updates"):
            setattr(args, name, getattr(args, name) // 10)
        args.progress = min(args.progress, 5.0)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
