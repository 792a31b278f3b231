"""One tick of the scheduler: what is due now, worked out from the database
(nothing is held in memory between ticks), claimed and written to the outbox
in one transaction.

A tick first reads and plans without writing (tasks, people, group links,
what is already claimed), then takes the scheduler lock (a write, so that two
schedulers queue behind each other), keeps what nobody has claimed since,
claims it (schedule_claims, a unique key per kind, target and period), logs
the reminders and enqueues the messages. A crash before the commit leaves
nothing; after it, the couriers deliver. Console messages have no courier:
they are stored as sent and the caller prints them (TickResult.messages)."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.messages import PLATFORMS, Option, Outbound
from domain.reminders import (
    ReportStage,
    Rules,
    Stage,
    report_stages,
    should_escalate,
    stages_between,
    standing_report_stage,
    standing_stage,
)
from domain.workdays import WorkCalendar, parse_hhmm
from services.digest import compose, draw_charts, load_source
from services.outbound import finish
from services.recipients import Roster
from services.texts import render, t
from storage.models import ReminderLog
from storage.org import Organisation
from storage.schedule import (
    Claim,
    add_claims,
    all_snoozes,
    claimed_keys,
    digest_groups,
    drop_snoozes,
    enqueue_scheduled,
    finish_tick,
    last_tick,
    lock_scheduler,
    log_messages,
    log_reminders,
    people_on_leave,
    unanswered_reminders,
)
from storage.schedule_data import PersonRow, TaskRow, load_people, load_tasks
from storage.tasks import current_plan

log = logging.getLogger(__name__)

ESCALATION_HORIZON = timedelta(days=180)  # older unanswered reminders no longer count
MAX_REPORT_LINES = 8
MAX_OPTIONS = 6
SNOOZE_DAYS = (1, 3)


@dataclass
class Planned:
    claim: Claim
    kind: str  # task | snooze | report | escalation | digest
    people: list[PersonRow] = field(default_factory=list)
    unit_id: int | None = None
    tasks: list[TaskRow] = field(default_factory=list)
    stage: Stage | ReportStage | None = None  # a task's or a report's reminder stage
    standin: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def logged(self) -> bool:
        return self.kind in ("task", "snooze", "report")


@dataclass
class TickResult:
    at: datetime
    messages: list[Outbound] = field(default_factory=list)
    claimed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class Scheduler:
    def __init__(self, sessions, clock, settings):
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.zone = settings.zone
        self.calendar = WorkCalendar.from_settings(settings)
        self.rules = Rules.from_settings(settings)

    async def tick(self, at: datetime | None = None) -> TickResult:
        now = at or self.clock.now()
        local = now.astimezone(self.zone)
        working = self.calendar.in_working_hours(local)
        result = TickResult(now)
        async with self.sessions() as session:
            planned, drops, roster = await self._plan(session, now, working, result.skipped)
        if not planned and not drops and not working:
            return result
        async with self.sessions() as session, session.begin():
            await lock_scheduler(session, now)
            taken = await claimed_keys(session, [p.claim.key for p in planned])
            fresh = [p for p in planned if p.claim.key not in taken]
            ids = await add_claims(session, [p.claim for p in fresh], now)
            await log_reminders(session, [
                {"claim_id": ids[p.claim.key], "task_id": task.id, "unit_id": p.unit_id,
                 "people": [person.id for person in p.people], "sent_at": now}
                for p in fresh if p.logged and p.unit_id is not None for task in p.tasks
            ])
            drops += [p.extra["snooze_id"] for p in fresh if p.kind == "snooze"]
            await drop_snoozes(session, drops)
            reminded: list[dict] = []
            result.messages = self._messages(fresh, roster, local.date(), reminded, now) if roster else []
            await enqueue_scheduled(session, result.messages, now)
            await log_messages(session, reminded)
            if working:
                await finish_tick(session, now)
            result.claimed = [p.claim.key for p in fresh]
        for line in result.skipped:
            log.info("not sent (missed while no scheduler ran, since superseded): %s", line)
        if result.claimed:
            log.info("tick %s: claimed %d, %d messages", local.isoformat(timespec="minutes"), len(result.claimed),
                     len(result.messages))
        return result

    # --- planning (reads only) ---------------------------------------------

    async def _plan(self, session, now: datetime, working: bool, skipped: list[str]):
        plan = await current_plan(session)
        if plan is None:
            return [], [], None
        local = now.astimezone(self.zone)
        today = local.date()
        last = await last_tick(session)
        last_day = last.astimezone(self.zone).date() if last else None
        org = await Organisation.load(session)
        roster = Roster(await load_people(session), org, await people_on_leave(session, today),
                        self.settings.reminder_platforms)
        planned: list[Planned] = []
        drops: list[int] = []
        tasks: list[TaskRow] | None = None
        if working:
            tasks = await load_tasks(session, plan)
            snoozed = await self._snoozes(session, tasks, roster, today, planned, drops)
            self._task_reminders(tasks, roster, snoozed, today, last_day, planned, skipped)
            self._report_reminders(tasks, roster, today, last_day, planned, skipped)
            await self._escalations(session, tasks, roster, now, today, planned)
        digests = await self._digests(session, now, working, last, skipped)
        taken = await claimed_keys(session, [p.claim.key for p in planned + digests])
        planned = [p for p in planned if p.claim.key not in taken]
        digests = [p for p in digests if p.claim.key not in taken]
        if digests:
            source = await load_source(session, self.settings, now, roster, tasks)
            if source is None:  # the plan was there a moment ago
                raise RuntimeError("no current plan to compose the digests from")
            for item in digests:
                item.extra["message"] = compose(source, item.extra["scope"], item.extra["platform"], draw=False)
            await draw_charts(source.files_dir, [item.extra["message"] for item in digests])
            planned += digests
        return planned, drops, roster

    async def _snoozes(self, session, tasks, roster: Roster, today: date, planned, drops) -> dict[int, set[int]]:
        """Snoozes still running (task -> people), and the reminders of those whose day has come."""
        by_id = {task.id: task for task in tasks}
        running: dict[int, set[int]] = defaultdict(set)
        for snooze in await all_snoozes(session):
            if snooze.until > today:
                running[snooze.task_id].add(snooze.person_id)
                continue
            task, person = by_id.get(snooze.task_id), roster.people.get(snooze.person_id)
            answered = task is not None and task.reported_at is not None and task.reported_at > snooze.created_at
            if task is None or person is None or not task.open or answered or not roster.available(person):
                drops.append(snooze.id)
                continue
            units = roster.lead_units(task.leads)
            unit = person.unit_id if person.unit_id in units else (units[0] if units else None)
            key = f"snz:p{person.id}:t{task.id}:{snooze.until.isoformat()}"
            planned.append(Planned(Claim(key, "snooze", f"p{person.id}:t{task.id}", snooze.until.isoformat()),
                                   "snooze", [person], unit, [task], extra={"snooze_id": snooze.id}))
        return running

    def _task_reminders(self, tasks, roster: Roster, snoozed, today: date, last_day, planned, skipped) -> None:
        cal, rules = self.calendar, self.rules
        for task in tasks:
            if not task.open or task.recurring or task.due_date is None:
                continue
            stage = standing_stage(task.due_date, today, cal, rules)
            if stage is None:
                continue
            units = roster.lead_units(task.leads)
            if last_day is not None and units:
                for missed in stages_between(task.due_date, last_day, today, cal, rules):
                    if missed != stage:
                        skipped.append(f"reminder {task.code} {missed.code} of {missed.day.isoformat()}")
            for unit in units:
                people, standin = roster.reminded(unit, snoozed.get(task.id, set()))
                if not people:
                    continue
                due = task.due_date.isoformat()
                key = f"rem:t{task.id}:u{unit}:{due}:{stage.code}"
                planned.append(Planned(Claim(key, "reminder", f"t{task.id}:u{unit}", f"{due}:{stage.code}"),
                                       "task", people, unit, [task], stage, standin))

    def _report_reminders(self, tasks, roster: Roster, today: date, last_day, planned, skipped) -> None:
        mode = self.settings.period_mode
        stage = standing_report_stage(today, self.calendar, self.rules, mode)
        if stage is None:
            return
        if last_day is not None:
            for missed in report_stages(stage.deadline, stage.periods, self.calendar, self.rules):
                if last_day < missed.day < stage.day:
                    skipped.append(f"report reminder b{missed.days_before} of {missed.day.isoformat()}")
        start = datetime.combine(stage.quarter.start, time(0, 0), self.zone)
        silent: dict[int, list[TaskRow]] = defaultdict(list)
        for task in tasks:
            if task.open and (task.reported_at is None or task.reported_at < start):
                for unit in roster.lead_units(task.leads):
                    silent[unit].append(task)
        for unit, unit_tasks in silent.items():
            people, standin = roster.reminded(unit)
            if not people:
                continue
            period = f"{stage.deadline.isoformat()}:b{stage.days_before}"
            planned.append(Planned(Claim(f"rep:u{unit}:{period}", "report", f"u{unit}", period),
                                   "report", people, unit, unit_tasks, stage, standin))

    async def _escalations(self, session, tasks, roster: Roster, now: datetime, today: date, planned) -> None:
        by_id = {task.id: task for task in tasks}
        order = {task.id: index for index, task in enumerate(tasks)}
        streaks: dict[tuple[int, int], list[ReminderLog]] = defaultdict(list)
        for row in await unanswered_reminders(session, now - ESCALATION_HORIZON):
            streaks[(row.task_id, row.unit_id)].append(row)
        for (task_id, unit), rows in sorted(streaks.items(), key=lambda item: (order.get(item[0][0], 0), item[0][1])):
            task = by_id.get(task_id)
            if task is None or not task.open:
                continue
            rows = [r for r in rows if r.people and (task.reported_at is None or r.sent_at > task.reported_at)]
            days = sorted({r.sent_at.astimezone(self.zone).date() for r in rows})
            if not should_escalate(days, today, self.rules):
                continue
            who = list(dict.fromkeys(pid for r in rows for pid in r.people))
            leaders = roster.leaders_for(unit, exclude=set(who))
            if not leaders:
                continue
            first = min(r.id for r in rows)
            key = f"esc:t{task_id}:u{unit}:r{first}"
            names = [roster.people[pid].name for pid in who if pid in roster.people]
            planned.append(Planned(Claim(key, "escalation", f"t{task_id}:u{unit}", f"r{first}"), "escalation",
                                   leaders, unit, [task], extra={"who": names, "days": days}))

    async def _digests(self, session, now: datetime, working: bool, last: datetime | None, skipped) -> list[Planned]:
        local = now.astimezone(self.zone)
        found = []
        for link in await digest_groups(session):
            weekday = link.digest_weekday if link.digest_weekday is not None else self.settings.digest_weekday
            try:
                at = parse_hhmm(link.digest_time or self.settings.digest_time)
            except ValueError:
                at = parse_hhmm(self.settings.digest_time)
            occurrences = [o for o in self._occurrences(local.date(), weekday, at) if link.linked_at <= o[1] <= now]
            if not occurrences:
                continue
            week, when = occurrences[0]
            for older_week, older in occurrences[1:]:
                if last is not None and older > last:
                    skipped.append(f"digest of group {link.platform}:{link.chat_id} for {older_week}")
            late = when.astimezone(self.zone).date() != local.date()
            if late and not working:
                continue  # a digest that missed its day waits for working hours
            key = f"dig:g{link.id}:{week}"
            found.append(Planned(Claim(key, "digest", f"g{link.id}", week), "digest",
                                 extra={"platform": link.platform, "chat": link.chat_id, "scope": link.scope_unit_id}))
        return found

    def _occurrences(self, today: date, weekday: int, at: time) -> list[tuple[str, datetime]]:
        """This week's and the three weeks before: (ISO week, when), newest first.
        A scheduled day off moves to the working day before it in the same week."""
        monday = today - timedelta(days=today.weekday())
        found = []
        for back in range(4):
            start = monday - timedelta(weeks=back)
            day = self.calendar.on_or_before(start + timedelta(days=min(max(weekday, 0), 6)))
            if day < start:
                continue  # no working day in that week up to the scheduled one (Tết)
            year, week, _ = start.isocalendar()
            found.append((f"{year}-W{week:02d}", datetime.combine(day, at, self.zone)))
        return found

    # --- messages -----------------------------------------------------------

    def _messages(self, fresh: list[Planned], roster: Roster, today: date, reminded: list[dict],
                  now: datetime) -> list[Outbound]:
        messages: list[Outbound] = []
        for item in fresh:
            if item.kind == "digest":
                message = item.extra["message"]
                messages.append(Outbound(item.extra["platform"], item.extra["chat"], message.text, [], message.files))
        per_person: dict[int, list[Planned]] = defaultdict(list)
        for item in fresh:
            for person in item.people:
                per_person[person.id].append(item)
        rendered: dict[tuple, tuple] = {}  # the officers of a unit mostly get the same items: render once
        for person_id in sorted(per_person):
            person = roster.people[person_id]
            account = roster.account(person)
            if account is None:
                continue
            buttons = PLATFORMS[account.platform].buttons if account.platform in PLATFORMS else False
            items = per_person[person_id]
            key = (buttons, *(item.claim.key for item in items))
            if key not in rendered:
                rendered[key] = self._personal(items, roster, today, buttons)
            text, options = rendered[key]
            messages.extend(finish(Outbound(account.platform, account.external_id, text, list(options))))
            tasks = list(dict.fromkeys(task.id for item in items if item.logged for task in item.tasks))
            if tasks:
                reminded.append({"person_id": person_id, "task_ids": tasks, "sent_at": now})
        return messages

    def _personal(self, items: list[Planned], roster: Roster, today: date, buttons: bool):
        tasks, seen = [], set()
        for item in sorted((i for i in items if i.kind in ("task", "snooze")), key=lambda i: i.kind != "task"):
            task = item.tasks[0]
            if task.id in seen:
                continue
            seen.add(task.id)
            tasks.append({
                "code": task.code, "content": task.content, "due": task.due_date,
                "days": (task.due_date - today).days if task.due_date else 0,
                "unit": roster.org.units[item.unit_id].name if item.unit_id in roster.org.units else "",
                "standin": item.standin, "again": item.kind == "snooze",
            })
        reports: list[dict[str, Any]] = []
        for item in (i for i in items if i.kind == "report"):
            remaining = [task for task in item.tasks if task.id not in seen]
            if not remaining:
                continue
            stage = item.stage
            if not isinstance(stage, ReportStage) or item.unit_id is None:
                raise TypeError(f"report reminder {item.claim.key} without a report stage or a unit")
            reports.append({
                "periods": t("digest_periods", labels=[t("periodic_short_label", p=p) for p in stage.periods]),
                "deadline": stage.deadline, "unit": roster.org.units[item.unit_id].name, "standin": item.standin,
                "count": len(remaining), "lines": remaining[:MAX_REPORT_LINES],
                "more": max(0, len(remaining) - MAX_REPORT_LINES),
            })
        escalations = []
        for item in (i for i in items if i.kind == "escalation"):
            task = item.tasks[0]
            if item.unit_id is None:
                raise TypeError(f"escalation {item.claim.key} without a unit")
            escalations.append({
                "code": task.code, "content": task.content, "due": task.due_date,
                "unit": roster.org.units[item.unit_id].name, "who": item.extra["who"],
                "times": len(item.extra["days"]), "days": [d.strftime("%d/%m") for d in item.extra["days"]],
                "overdue": (today - task.due_date).days if task.due_date and task.due_date < today else 0,
            })
        text = render("reminders/message.j2", tasks=tasks, reports=reports, escalations=escalations, buttons=buttons)
        options: list[Option] = []
        if buttons:
            codes = [r["code"] for r in tasks] + [line.code for r in reports for line in r["lines"]]
            for code in list(dict.fromkeys(codes))[:MAX_OPTIONS]:
                options.append(Option(t("schedule_option_report", code=code), f"r:{code}"))
            if tasks:
                target = tasks[0]["code"] if len(tasks) == 1 else "*"
                options += [Option(t("schedule_option_snooze", days=n), f"snz:{n}:{target}") for n in SNOOZE_DAYS]
        return text, options
