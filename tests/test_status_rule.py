"""The status rule (storage.status) against a plain statement of it.

For random histories — status reports and contributions at random times,
several at the same instant (then the later id is the newer) — and random
"as of" moments, every SQL shape storage.status offers (the window pass over
the history, the per-task index look-up and its SQL category) gives the
status, the time the task became done and the four-way category that the
plain rule below gives, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.db import create_engine, migrate, session_factory
from storage.models import Area, Plan, StatusUpdate, Task
from storage.status import (
    TaskStatus,
    category_column,
    dialect_of,
    first_done,
    newest_report,
    status_column,
    status_of,
    statuses_query,
)
from tests.conftest import BACKENDS, POSTGRES_URL, VN

START = datetime(2026, 4, 1, tzinfo=UTC)
STATUSES = ("not_started", "in_progress", "done", "stuck")


# --- The rule, stated plainly -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    order: int  # insertion order: the id's order
    at: datetime
    status: str
    kind: str  # "status" or "contribution"

    @property
    def reported_at(self) -> datetime:
        return self.at


def expected(history: list[Entry], as_of: datetime | None, due: date | None, recurring: bool,
             today: date) -> tuple[str, datetime | None, str]:
    """Contributions never count; the newest status report made by `as_of`
    (ties: the later one written) is the status; a done task is done since
    the first report of its last unbroken run of "done" reports; then the
    Government Office's four ways."""
    reports = sorted((e for e in history if e.kind == "status" and (as_of is None or e.at <= as_of)),
                     key=lambda e: (e.at, e.order))
    status = reports[-1].status if reports else "not_started"
    done_since = None
    if status == "done":
        run = []
        for e in reversed(reports):
            if e.status != "done":
                break
            run.append(e)
        done_since = run[-1].at
    if recurring:
        category = "recurring"
    elif done_since is not None:
        late = due is not None and done_since.astimezone(VN).date() > due
        category = "done_late" if late else "done_on_time"
    elif due is not None and due < today:
        category = "overdue"
    else:
        category = "open_on_time"
    return status, done_since, category


# --- A database per backend, on a loop of its own (Hypothesis drives it example by example) --------------------


@dataclass
class Db:
    loop: asyncio.AbstractEventLoop
    engine: AsyncEngine


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Db]:
    loop = asyncio.new_event_loop()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/status.db")
    else:
        assert POSTGRES_URL is not None

        async def create_schema() -> None:
            admin = create_async_engine(POSTGRES_URL)
            async with admin.begin() as conn:
                await conn.execute(text(f"CREATE SCHEMA {schema}"))
            await admin.dispose()

        loop.run_until_complete(create_schema())
        engine = create_async_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    loop.run_until_complete(migrate(engine))
    yield Db(loop, engine)
    loop.run_until_complete(engine.dispose())
    if request.param != "sqlite":

        async def drop_schema() -> None:
            admin = create_async_engine(POSTGRES_URL)
            async with admin.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            await admin.dispose()

        loop.run_until_complete(drop_schema())
    loop.close()


# --- Random histories -----------------------------------------------------------------------------------------

# Times on a coarse grid of hours, so that equal timestamps are common.
moments = st.integers(min_value=0, max_value=60).map(lambda h: START + timedelta(hours=h))
entries = st.tuples(st.sampled_from(STATUSES), st.sampled_from(("status", "status", "contribution")), moments)
tasks = st.tuples(
    st.lists(entries, max_size=8),
    st.one_of(st.none(), st.integers(min_value=-2, max_value=4).map(lambda d: date(2026, 4, 1) + timedelta(days=d))),
    st.booleans(),
)


async def _check(engine: AsyncEngine, plans: list[tuple[list[tuple[str, str, datetime]], date | None, bool]],
                 as_of: datetime | None) -> None:
    today = (as_of or START + timedelta(hours=30)).astimezone(VN).date()
    async with session_factory(engine)() as session, session.begin():
        plan = Plan(name=uuid.uuid4().hex, year=2026, imported_at=START)
        session.add(plan)
        await session.flush()
        area = Area(plan_id=plan.id, code="I", name="a", position=0)
        session.add(area)
        await session.flush()
        histories: dict[int, list[Entry]] = {}
        facts: dict[int, tuple[date | None, bool]] = {}
        for position, (raw, due, recurring) in enumerate(plans):
            task = Task(plan_id=plan.id, area_id=area.id, code=f"T{position}", position=position, content="c",
                        due_date=due, recurring=recurring, milestones=[], warnings=[])
            session.add(task)
            await session.flush()
            histories[task.id], facts[task.id] = [], (due, recurring)
            for order, (status, kind, at) in enumerate(raw):
                # One flush per update: ids follow the order written.
                session.add(StatusUpdate(task_id=task.id, status=status, reported_at=at, source="test", kind=kind))
                await session.flush()
                histories[task.id].append(Entry(order, at, status, kind))
        ids = list(histories)
        want = {tid: expected(histories[tid], as_of, *facts[tid], today) for tid in ids}

        # The window pass over the history (storage.tasks, reports, the scheduler).
        found = await session.execute(statuses_query(ids, as_of))
        window = {update.task_id: TaskStatus(update.status, done_at) for update, done_at in found}
        for tid in ids:
            state = window.get(tid, TaskStatus())
            due, recurring = facts[tid]
            got = (state.status, state.done_at if state.status == "done" else None,
                   state.category(due, recurring, today, VN))
            assert got == want[tid], ("window", histories[tid], as_of)

        # The per-task look-up (leaders' questions), its SQL category included.
        newest, joined = newest_report(dialect_of(session), as_of)
        query = (
            select(Task.id, status_column(newest), first_done(Task.id, as_of),
                   category_column(newest, today, VN, as_of))
            .outerjoin(newest, joined).where(Task.id.in_(ids))
        )
        for tid, status, since, category in await session.execute(query):
            got = (status, since if status == "done" else None, category)
            assert got == want[tid], ("look-up", histories[tid], as_of)

        # The rule in Python, as storage.questions.task_detail reads a history.
        for tid in ids:
            made = [e for e in histories[tid] if as_of is None or e.at <= as_of]
            ordered = sorted(made, key=lambda e: (e.at, e.order))
            state = status_of(ordered)
            assert (state.status, state.done_at if state.status == "done" else None) == want[tid][:2]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(tasks, min_size=1, max_size=4), as_of=st.one_of(st.none(), moments))
def test_sql_answers_follow_the_rule(db: Db, plans: list[tuple[list[tuple[str, str, datetime]], date | None, bool]],
                                     as_of: datetime | None) -> None:
    db.loop.run_until_complete(_check(db.engine, plans, as_of))
