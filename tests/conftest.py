"""Shared fixtures: a migrated database on SQLite and, when TEST_POSTGRES_URL
is set (CI sets it), on a real PostgreSQL server, each test in its own schema."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import App
from bot.settings import Settings
from domain.clock import FixedClock
from storage.db import create_engine, migrate, session_factory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")

BACKENDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL not set")),
]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 4, 15, 9, 0, tzinfo=VN))


@pytest.fixture
async def engine_sqlite(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        await migrate(engine)
        yield engine
        await engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_async_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    await migrate(engine)
    yield engine
    await engine.dispose()
    async with admin.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    await admin.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def app(engine, clock, tmp_path) -> App:
    settings = Settings(database_url="unused://", files_dir=tmp_path / "files")
    return App(settings, session_factory(engine), clock)


@pytest.fixture
async def org_app(app) -> App:
    """The app with the sample organisation and plan loaded."""
    from bot.sample import ensure_sample

    await ensure_sample(app.sessions, app.clock.now(), app.settings.zone)
    return app


@pytest.fixture
def core(org_app):
    from bot.wiring import build_core

    return build_core(org_app)


async def add_identity(sessions, platform: str, user_id: str, like: str) -> None:
    """Give the sample person known on the console as `like` an account on another platform."""
    from storage.models import ChatIdentity
    from storage.people import person_by_identity

    async with sessions() as session, session.begin():
        person = await person_by_identity(session, "console", like)
        session.add(ChatIdentity(person_id=person.id, platform=platform, external_id=user_id))
