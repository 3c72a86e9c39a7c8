"""Which failures mean "the database is unavailable" (a 503 a client may retry), not a bug."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc as sa_exc

from service.db.urls import shown
from service.errors import DatabaseUnavailable

# Connection lost or refused, server shutting down or restarting, statement or connect timeout,
# too many connections: every one of them passes when the database comes back.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError, refused and reset connections, socket timeouts
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,  # ConnectionDoesNotExistError, ConnectionFailureError
    asyncpg.exceptions.OperatorInterventionError,  # admin/crash shutdown, statement timeout
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    sa_exc.TimeoutError,  # no pooled connection became free within the pool timeout
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, sa_exc.DBAPIError) and isinstance(current.orig, BaseException):
            yield current.orig
        current = current.__cause__ or current.__context__


def connection_lost(exc: BaseException) -> bool:
    """The connection in use died under the request (restart, failover, terminated backend)."""
    for cause in _chain(exc):
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, asyncpg.ConnectionDoesNotExistError):
            return True
        if isinstance(cause, asyncpg.InterfaceError) and "connection is closed" in str(cause):
            return True
    return False


def database_unavailable(exc: BaseException) -> bool:
    """True for failures that say nothing about the request and pass when the database returns."""
    if connection_lost(exc):
        return True
    return any(isinstance(cause, (*_UNAVAILABLE, sa_exc.OperationalError)) for cause in _chain(exc))


# Refusals at connect time that a person fixes in DATABASE_URL or on the server; their text
# names the database or role, never a statement.
_REFUSED_AT_CONNECT = (
    asyncpg.InvalidCatalogNameError,  # database "x" does not exist
    asyncpg.InvalidAuthorizationSpecificationError,  # bad password, unknown role, no pg_hba entry
)


def unreachable(database_url: str, exc: BaseException) -> DatabaseUnavailable | None:
    """`exc`, raised while opening a connection to `database_url`, as one line for a person
    (the command line prints it instead of a traceback); None when it is something else."""
    why = next(
        (str(cause) for cause in _chain(exc) if isinstance(cause, _REFUSED_AT_CONNECT)), None
    )
    if why is None and database_unavailable(exc):
        root = list(_chain(exc))[-1]
        why = f"{type(root).__name__}: {root}" if str(root) else type(root).__name__
    if why is None:
        return None
    return DatabaseUnavailable(f"cannot connect to the database {shown(database_url)}: {why}")


class OutageMemory:
    """Remembers a recent outage for a few seconds, so answers that can come from memory do
    so at once instead of each waiting out the connect timeout first."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._until = 0.0

    def failed(self) -> None:
        self._until = time.monotonic() + self.seconds

    def succeeded(self) -> None:
        self._until = 0.0

    @property
    def recent(self) -> bool:
        return time.monotonic() < self._until


def read_only_mirror(exc: BaseException) -> bool:
    """A write refused by the `changes_read_only` trigger (SQLSTATE RG001)."""
    return any(getattr(link, "sqlstate", None) == "RG001" for link in _chain(exc))
