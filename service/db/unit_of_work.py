"""The unit of work: one transaction per request or job, committed or rolled back here only.

Services and repositories add and change rows; they never commit. A request's session
(service.dependencies) and every other caller (CLI, mirror, import, webhook sender, seeding)
end their transaction through `transaction`: commit when the work returns, roll back when it
raises. What may only happen once the rows are committed (this process's profile cache, a
nudge to the webhook sender) is registered with `after_commit`, run after the commit and
dropped on a rollback. What must be recorded although the work fails (the audit record of a
refused request) is registered with `record_always`: it commits with the work, or on its own
after a rollback.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import Result
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.db.faults import database_unavailable
from service.errors import WriteConflict

_HOOKS = "registry.after_commit"
_RECORDS = "registry.record_always"
# A concurrent transaction won: unique violation, serialization failure, deadlock.
_CONFLICT_STATES = frozenset({"23505", "40001", "40P01"})


def after_commit(session: AsyncSession, hook: Callable[[], Any]) -> None:
    """Run `hook` once this session's transaction has committed; never if it rolls back."""
    session.info.setdefault(_HOOKS, []).append(hook)


async def driver_sql(session: AsyncSession, sql: str, parameters: tuple[Any, ...]) -> Result[Any]:
    """Run one statement written for the driver (`$1` parameters; jsonb sent as JSON text and
    read back parsed) on the session's connection, in its transaction: no compile step, for
    the hot paths (publish); engine events still see it."""
    connection = await session.connection()
    return await connection.exec_driver_sql(sql, parameters)


def record_always(session: AsyncSession, record: Callable[[], Any]) -> None:
    """Run `record` (which adds rows to the session) whatever becomes of the work: with its
    transaction when it commits, in a transaction of its own after it rolls back. What a
    failed request must still leave behind."""
    session.info.setdefault(_RECORDS, []).append(record)


async def commit(session: AsyncSession) -> None:
    """Commit, then run the after-commit hooks. A commit a concurrent write defeated is a
    WriteConflict (409, retry); a lost connection propagates as the 503 it is."""
    hooks: list[Callable[[], Any]] = session.info.pop(_HOOKS, [])
    for record in session.info.pop(_RECORDS, []):
        record()
    try:
        await session.commit()
    except sa_exc.DBAPIError as exc:
        if _sqlstate(exc) in _CONFLICT_STATES:
            raise WriteConflict(
                "a concurrent change conflicted with this one; nothing was written: try again"
            ) from exc
        raise
    for hook in hooks:
        hook()


async def rollback(session: AsyncSession) -> None:
    """Roll back and drop the after-commit hooks, then commit what `record_always` holds.
    On a dead connection, drop the connection instead."""
    session.info.pop(_HOOKS, None)
    records: list[Callable[[], Any]] = session.info.pop(_RECORDS, [])
    async with _or_invalidate(session):
        await session.rollback()
        if records:
            for record in records:
                record()
            await session.commit()


async def close(session: AsyncSession) -> None:
    """Close; when the connection died under the work, whose answer (a 503, or a profile from
    memory) is already decided, drop the connection instead of failing again."""
    async with _or_invalidate(session):
        await session.close()


@contextlib.asynccontextmanager
async def _or_invalidate(session: AsyncSession) -> AsyncIterator[None]:
    """A lost connection raised in the block drops the session's connection instead."""
    try:
        yield
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        with contextlib.suppress(Exception):
            await session.invalidate()


@contextlib.asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Commit `session` when the block returns, roll it back when the block raises."""
    try:
        yield session
    except BaseException:
        await rollback(session)
        raise
    await commit(session)


@contextlib.asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A new session in one transaction, for work outside a request (CLI, mirror, jobs)."""
    async with sessions() as session, transaction(session):
        yield session


def _sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return state if isinstance(state, str) else None
