"""The weekly digest as a message: the text within the platform's limit, and
the chart where the platform takes images (Telegram, the console and the
scripted chat); text alone elsewhere (Zalo)."""

from __future__ import annotations

import asyncio
import html
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from domain import digest as build_digest
from domain.periods import period_containing
from services.charts import chart_path, render_chart
from services.recipients import Roster
from services.texts import render, t
from storage.org import Organisation
from storage.schedule import people_on_leave
from storage.schedule_data import TaskRow, load_people, load_tasks
from storage.tasks import current_plan

log = logging.getLogger(__name__)

CHART_PLATFORMS = ("telegram", "console")
# Characters a digest may take: a Telegram photo caption (after HTML escaping), a Zalo text.
TEXT_LIMITS = {"telegram": 1024, "zalo": 2000, "console": 4096}
# From the fullest to the shortest: (characters of a task's content, items per list).
LEVELS = [(50, 8), (40, 6), (32, 5), (24, 4), (0, 4), (0, 3), (0, 2), (0, 1), (0, 0)]
POOL_FROM = 24  # charts to draw before it pays to start worker processes (a second or two each)


@dataclass
class DigestSource:
    """What every digest of one tick is made from, read and worked out once."""

    tasks: list[TaskRow]
    roster: Roster
    now: datetime
    zone: tzinfo
    period_mode: str
    due_days: int
    files_dir: Path
    unit_names: dict[int, str] = field(default_factory=dict)
    officers: dict[int, list[str]] = field(default_factory=dict)
    leads: dict[int, list[int]] = field(default_factory=dict)  # task id -> lead units
    categories: dict[int, str] = field(default_factory=dict)  # task id -> category today
    led_by: dict[int, list[TaskRow]] = field(default_factory=dict)  # unit -> tasks it leads
    position: dict[int, int] = field(default_factory=dict)  # task id -> place in the plan

    def __post_init__(self):
        today = self.now.astimezone(self.zone).date()
        self.position = {task.id: i for i, task in enumerate(self.tasks)}
        self.unit_names = {u.id: u.name for u in self.roster.org.units.values()}
        self.officers = {unit: [p.name for p in people] for unit, people in self.roster.officers.items()}
        for task in self.tasks:
            units = self.leads[task.id] = self.roster.lead_units(task.leads)
            self.categories[task.id] = task.category(today, self.zone)
            for unit in units:
                self.led_by.setdefault(unit, []).append(task)

    def in_scope(self, scope: set[int] | None) -> list[TaskRow]:
        if scope is None:
            return self.tasks
        found = {task.id: task for unit in scope for task in self.led_by.get(unit, [])}
        return sorted(found.values(), key=lambda task: self.position[task.id])


async def load_source(session, settings, now: datetime, roster: Roster | None = None,
                      tasks: list[TaskRow] | None = None) -> DigestSource | None:
    plan = await current_plan(session)
    if plan is None:
        return None
    if roster is None:
        org = await Organisation.load(session)
        today = now.astimezone(settings.zone).date()
        roster = Roster(await load_people(session), org, await people_on_leave(session, today),
                        settings.reminder_platforms)
    if tasks is None:
        tasks = await load_tasks(session, plan)
    return DigestSource(tasks, roster, now, settings.zone, settings.period_mode, settings.digest_due_days,
                        Path(settings.files_dir))


@dataclass
class DigestMessage:
    text: str
    files: list[str]
    chart: tuple | None = None  # (title, legend, bars) still to draw


def compose(source: DigestSource, scope_unit_id: int | None, platform: str, chart: bool = True,
            draw: bool = True) -> DigestMessage:
    """One scope's digest for one platform; with draw=False the chart is
    named (its path in `files`) but left to draw_charts."""
    org = source.roster.org
    scope = org.subtree(scope_unit_id)
    scope_name = org.units[scope_unit_id].name if scope_unit_id is not None else None
    today = source.now.astimezone(source.zone).date()
    period = period_containing(today, "quarter", source.period_mode)
    digest = build_digest.build(
        source.in_scope(scope), lambda task: source.leads[task.id],
        source.unit_names, scope, scope_name, now=source.now, zone=source.zone, period=period,
        due_days=source.due_days, officers=source.officers, categories=lambda task: source.categories[task.id],
    )
    message = DigestMessage(fit(digest, platform, source.due_days), [])
    if chart and platform in CHART_PLATFORMS and digest.bars:
        spec = (t("digest_chart_title", by_unit=digest.by_unit, day=today), tuple(t("digest_legend").split("|")),
                digest.bars)
        path = render_chart(source.files_dir, *spec) if draw else chart_path(source.files_dir, *spec)
        message.files.append(str(path.resolve()))
        message.chart = None if draw else spec
    return message


async def draw_charts(files_dir: Path, messages: list[DigestMessage]) -> None:
    """Draw the charts the messages name, each once; many of them in worker
    processes (all the CPUs, and the event loop stays free meanwhile)."""
    specs = _undrawn(messages)
    if len(specs) >= POOL_FROM and (os.cpu_count() or 1) > 1:
        loop = asyncio.get_running_loop()
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        try:
            with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
                await asyncio.gather(*(loop.run_in_executor(pool, render_chart, files_dir, *spec)
                                       for spec in specs.values()))
            return
        except (BrokenProcessPool, OSError) as error:
            log.warning("chart workers failed (%s); drawing in this process", error)
    await asyncio.to_thread(_draw_all, files_dir, list(specs.values()))


def _undrawn(messages: list[DigestMessage]) -> dict[str, tuple]:
    """The charts the messages name that are not drawn yet, by path."""
    specs = {}
    for message in messages:
        if message.chart is not None and not Path(message.files[0]).is_file():
            specs[message.files[0]] = message.chart
    return specs


def _draw_all(files_dir: Path, specs: list) -> None:
    for spec in specs:
        render_chart(files_dir, *spec)


def measure(text: str, platform: str) -> int:
    return len(html.escape(text, quote=False)) if platform == "telegram" else len(text)


def fit(digest: build_digest.Digest, platform: str, due_days: int) -> str:
    """The fullest version that fits the platform; the rest is one /tiendo away."""
    limit = TEXT_LIMITS.get(platform, 4096)
    period = t("periodic_short_label", p=digest.period)
    text = ""
    for width, caps in LEVELS:
        text = render("digest/digest.j2", d=digest, caps=caps, width=width, due_days=due_days, period=period)
        if measure(text, platform) <= limit:
            return text
    return text[: limit - 1] + "…"
