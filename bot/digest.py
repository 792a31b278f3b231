"""The weekly digest as a message: the text within the platform's limit, and
the chart where the platform takes images (Telegram, the console and the
scripted chat); text alone elsewhere (Zalo)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.charts import render_chart
from bot.recipients import Roster
from domain import digest as build_digest
from domain.periods import period_containing
from domain.texts import render, t
from storage.org import Organisation
from storage.schedule import people_on_leave
from storage.schedule_data import TaskRow, load_people, load_tasks
from storage.tasks import current_plan

CHART_PLATFORMS = ("telegram", "console")
# Characters a digest may take: a Telegram photo caption (after HTML escaping), a Zalo text.
TEXT_LIMITS = {"telegram": 1024, "zalo": 2000, "console": 4096}
# From the fullest to the shortest: (characters of a task's content, items per list).
LEVELS = [(50, 8), (40, 6), (32, 5), (24, 4), (0, 4), (0, 3), (0, 2), (0, 1), (0, 0)]


@dataclass
class DigestSource:
    """What every digest of one tick is made from, read once."""

    tasks: list[TaskRow]
    roster: Roster
    unit_names: dict[int, str]
    officers: dict[int, list[str]]
    now: datetime
    zone: object
    period_mode: str
    due_days: int
    files_dir: Path

    def lead_units(self, task: TaskRow) -> list[int]:
        return self.roster.lead_units(task.leads)


async def load_source(session, settings, now: datetime, roster: Roster | None = None,
                      tasks: list[TaskRow] | None = None) -> DigestSource | None:
    plan = await current_plan(session)
    if plan is None:
        return None
    if roster is None:
        org = await Organisation.load(session)
        today = now.astimezone(settings.zone).date()
        roster = Roster(await load_people(session), org, await people_on_leave(session, today), settings.reminder_platforms)
    if tasks is None:
        tasks = await load_tasks(session, plan)
    officers: dict[int, list[str]] = {}
    for unit_id, people in roster.officers.items():
        officers[unit_id] = [p.name for p in people]
    names = {u.id: u.name for u in roster.org.units.values()}
    return DigestSource(tasks, roster, names, officers, now, settings.zone, settings.period_mode,
                        settings.digest_due_days, Path(settings.files_dir))


@dataclass
class DigestMessage:
    text: str
    files: list[str]


def compose(source: DigestSource, scope_unit_id: int | None, platform: str, chart: bool = True) -> DigestMessage:
    org = source.roster.org
    scope = org.subtree(scope_unit_id)
    scope_name = org.units[scope_unit_id].name if scope_unit_id is not None else None
    today = source.now.astimezone(source.zone).date()
    period = period_containing(today, "quarter", source.period_mode)
    digest = build_digest.build(
        source.tasks, source.lead_units, source.unit_names, scope, scope_name, now=source.now, zone=source.zone,
        period=period, due_days=source.due_days, officers=source.officers,
    )
    text = fit(digest, platform, source.due_days)
    files = []
    if chart and platform in CHART_PLATFORMS and digest.bars:
        legend = tuple(t("digest_legend").split("|"))
        path = render_chart(source.files_dir, t("digest_chart_title", by_unit=digest.by_unit, day=today), legend, digest.bars)
        files.append(str(path.resolve()))
    return DigestMessage(text, files)


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
