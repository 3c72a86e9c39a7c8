"""Apply Alembic migrations, serialised across replicas by a PostgreSQL advisory lock."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from service.db.faults import unreachable
from service.db.urls import async_url
from service.resources import alembic_ini, migrations_dir

# Any fixed 64-bit number; every replica uses the same one so only one migrates at a time.
MIGRATION_LOCK_KEY = 0x5265_6769_7374_7279  # "Registry"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(alembic_ini()))
    config.set_main_option("script_location", str(migrations_dir()))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


@cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(database_url: str, revision: str = "head") -> None:
    await _locked(database_url, lambda config: command.upgrade(config, revision))


async def downgrade(database_url: str, revision: str) -> None:
    await _locked(database_url, lambda config: command.downgrade(config, revision))


async def _locked(database_url: str, action: Callable[[Config], None]) -> None:
    engine = create_async_engine(async_url(database_url), poolclass=pool.NullPool)
    try:
        try:
            connection = await engine.connect()
        except Exception as exc:  # refused, no such database, bad password: one line, no trace
            failure = unreachable(database_url, exc)
            if failure is None:
                raise
            raise failure from exc
        try:
            await connection.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
            await connection.commit()
            try:
                await connection.run_sync(_run_with, action, database_url)
                await connection.commit()
            finally:
                await connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                await connection.commit()
        finally:
            await connection.close()
    finally:
        await engine.dispose()


def _run_with(connection: Connection, action: Callable[[Config], None], database_url: str) -> None:
    config = alembic_config(database_url)
    config.attributes["connection"] = connection
    action(config)


async def is_at_head(connection: AsyncConnection) -> bool:
    """Read `alembic_version` directly: a MigrationContext would log two INFO lines per call,
    and `/readyz` calls this on every probe."""
    try:
        versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    except ProgrammingError:
        return False  # never migrated: no alembic_version table yet
    return [row[0] for row in versions] == [head_revision()]
