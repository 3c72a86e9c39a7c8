"""Migrations: upgrade to head, models match (alembic check), full downgrade and upgrade again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio
from alembic import command
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from service.db import migrate
from service.db.urls import async_url


@pytest_asyncio.fixture(loop_scope="session")
async def scratch_url(server_url: str) -> AsyncIterator[str]:
    name = f"registry_migrations_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        names = {row[0] for row in rows}
    await engine.dispose()
    return names


async def _check(url: str) -> None:
    engine = create_async_engine(async_url(url), poolclass=pool.NullPool)

    def run(connection: Connection) -> None:
        config = migrate.alembic_config(url)
        config.attributes["connection"] = connection
        command.check(config)

    async with engine.connect() as connection:
        await connection.run_sync(run)
    await engine.dispose()


async def test_migrations_round_trip_and_match_models(scratch_url: str) -> None:
    await migrate.upgrade(scratch_url)
    assert {"artifacts", "artifact_versions", "audit_log", "alembic_version"} <= await _tables(
        scratch_url
    )
    await _check(scratch_url)
    await migrate.downgrade(scratch_url, "base")
    assert await _tables(scratch_url) == {"alembic_version"}
    await migrate.upgrade(scratch_url)
    await _check(scratch_url)
