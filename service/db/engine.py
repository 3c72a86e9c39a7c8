"""Engine and session factory; created per app, never at import time."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from service.db.driver_pool import DriverPool
from service.db.urls import async_url
from service.settings import Settings


def create_engine(settings: Settings, database_url: str) -> AsyncEngine:
    url = async_url(database_url)
    statements = statement_cache(settings)
    if settings.db_statement_cache_size == 0:
        url = url.update_query_dict({"prepared_statement_cache_size": "0"})
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # No pre-ping: the asyncpg dialect wraps it in BEGIN/ROLLBACK, three round trips per
        # request (measured: 8-15% of profile throughput). Recycling covers idle server timeouts;
        # a connection the server closed is discarded at checkout (below) without a round trip.
        pool_recycle=1800,
        pool_timeout=settings.db_pool_timeout,
        connect_args={**statements, **_timeouts(settings)},
    )
    event.listen(engine.sync_engine.pool, "checkout", _discard_closed)
    return engine


def create_driver_pool(settings: Settings, database_url: str) -> DriverPool:
    """The profile fast path's own connections (service.db.driver_pool): the same server, TLS
    decision (`async_url`), timeouts and statement cache as the engine's, without SQLAlchemy."""
    url = async_url(database_url)
    ssl = url.query.get("ssl")
    query = {key: value for key, value in url.query.items() if key != "ssl"}
    dsn = url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    # asyncpg itself handles a 0-size cache behind PgBouncer: each statement is unnamed and
    # parsed again in the round trip that runs it.
    options: dict[str, Any] = {
        "statement_cache_size": settings.db_statement_cache_size,
        **_timeouts(settings),
        **({"ssl": ssl} if ssl else {}),
    }

    async def connect() -> Any:
        return await asyncpg.connect(dsn, **options)

    return DriverPool(connect, settings.db_fastpath_pool_size, settings.db_pool_timeout)


def _timeouts(settings: Settings) -> dict[str, Any]:
    return {
        "timeout": settings.db_connect_timeout,
        # Client side too: a silent network (no FIN, no RST) must not hold a request forever.
        "command_timeout": settings.db_statement_timeout,
        "server_settings": {"statement_timeout": str(round(settings.db_statement_timeout * 1000))},
    }


def statement_cache(settings: Settings) -> dict[str, Any]:
    """asyncpg's prepared statements: cached per connection, or (REGISTRY_DB_STATEMENT_CACHE_SIZE=0,
    behind PgBouncer in transaction pooling mode, where the next transaction may run on another
    server connection) never reused, each under a name of its own so two never collide."""
    if settings.db_statement_cache_size:
        return {"statement_cache_size": settings.db_statement_cache_size}
    return {
        "statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__registry_{uuid.uuid4().hex}__",
    }


def _discard_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """A pooled connection whose socket the server closed (restart, failover, terminated backend)
    is swapped for a fresh one before the request uses it. asyncpg notices the close as it
    happens, so this costs no round trip (unlike `pool_pre_ping`)."""
    raw = getattr(dbapi_connection, "_connection", None)
    if raw is not None and raw.is_closed():
        raise DisconnectionError("pooled connection was closed by the server")


LISTENER_APPLICATION_NAME = "registry-cache-listener"


def create_listener_engine(settings: Settings, database_url: str) -> AsyncEngine:
    """Unpooled, for one long-lived LISTEN connection that must not hold a pool slot."""
    return create_async_engine(
        async_url(database_url),
        poolclass=NullPool,
        connect_args={
            "timeout": settings.db_connect_timeout,
            "server_settings": {"application_name": LISTENER_APPLICATION_NAME},
        },
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
