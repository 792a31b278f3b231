"""Walking the scheduler through days with a fake clock (not a test module):
ticks at fixed times of every day, chat lines in between, and a transcript
of what went out, one line per message: "dd/mm HH:MM chat what"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.cli import App
from bot.simulate import Simulator
from bot.wiring import build_core
from domain.clock import FixedClock
from services.scheduler import Scheduler
from tests.conftest import VN

TICK_TIMES = ("06:00", "07:30", "08:00", "12:00", "16:00", "17:45", "22:00")
_CODE = re.compile(r"^• ([IVX]+\.\d+) ")


def summary(text: str) -> str:
    """'digest', or the sections of a reminder with their task codes:
    'remind:I.2 report:I.1 escalate:III.1'."""
    if text.startswith("📊"):
        return "digest"
    parts, section, codes = [], None, []
    for line in text.splitlines():
        head = {"🔔": "remind", "📝": "report", "⚠": "escalate"}.get(line[:1])
        if head:
            if section and codes:
                parts.append(f"{section}:{','.join(codes)}")
            section, codes = head, []
        elif m := _CODE.match(line):
            codes.append(m.group(1))
    if section and codes:
        parts.append(f"{section}:{','.join(codes)}")
    return " ".join(parts) or text.splitlines()[0]


def at(day: date, clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=VN)


class Walk:
    def __init__(self, app, start: datetime, schedulers: int = 1, sessions=None):
        self.clock = FixedClock(start)
        self.app = App(app.settings, app.sessions, self.clock)
        self.sim = Simulator(build_core(self.app), self.clock, VN)
        self.other_sessions = sessions or [app.sessions] * (schedulers - 1)
        self.log: list[str] = []
        self.replies: list[str] = []
        self.skipped: list[str] = []

    async def tick(self, when: datetime) -> list[str]:
        self.clock.set(when)
        if not self.other_sessions:
            messages = await self.sim.tick()
        else:
            import asyncio

            others = [Scheduler(s, self.clock, self.app.settings) for s in self.other_sessions]
            results = await asyncio.gather(
                Scheduler(self.app.sessions, self.clock, self.app.settings).tick(), *(o.tick() for o in others)
            )
            messages = [m for r in results for m in r.messages]
            for m in messages:
                if m.options:
                    self.sim.last_options[(m.platform, m.chat_id)] = m.options
        lines = sorted(f"{when:%d/%m %H:%M} {m.chat_id} {summary(m.text)}" for m in messages)
        self.log += lines
        return lines

    async def say(self, when: datetime, user: str, text: str = "", **extra):
        self.clock.set(when)
        out = await self.sim.step({"user": user, "text": text, **extra})
        self.replies += [m.text for m in out]
        return out

    async def days(self, first: date, last: date, actions: dict | None = None, times=TICK_TIMES) -> None:
        """Tick at `times` on every day from first to last; actions[(day, "HH:MM")] = [(user, text, extra)]."""
        actions = actions or {}
        day = first
        while day <= last:
            moments = sorted({*times, *(clock for (d, clock) in actions if d == day)})
            for clock in moments:
                for user, text, extra in actions.get((day, clock), []):
                    await self.say(at(day, clock), user, text, **extra)
                if clock in times:
                    await self.tick(at(day, clock))
            day += timedelta(days=1)
