"""Alembic environment: runs on a connection handed over by storage.db.migrate,
or, from the alembic command line, on the DATABASE_URL environment variable."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from storage.db import create_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_environment() -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    async with engine.begin() as conn:
        await conn.run_sync(run_on)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_from_environment())
