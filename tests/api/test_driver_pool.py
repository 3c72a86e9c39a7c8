"""The profile fast path's own connections (service.db.driver_pool), on the real PostgreSQL:
bounded, reused, replaced when the server closed them, never reused after a failed read."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from service.db.driver_pool import DriverPool
from service.db.engine import create_driver_pool
from service.settings import Settings


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _pool(database_url: str, size: int, timeout: float = 5.0) -> DriverPool:
    name = f"driver-pool-test-{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=database_url, db_fastpath_pool_size=size)
    # The URL may carry a query already (the embedded server's `?host=` socket directory).
    url = make_url(database_url).update_query_dict({"application_name": name})
    pool = create_driver_pool(settings, url.render_as_string(hide_password=False))
    pool.timeout = timeout
    return pool


async def _backends(database_url: str, pool: DriverPool) -> list[int]:
    """Backend PIDs of this pool's connections, by its application_name."""
    own = await pool.fetchrow("SELECT current_setting('application_name') AS name")
    admin = await asyncpg.connect(_plain(database_url))
    try:
        rows = await admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", own["name"]
        )
        return [row["pid"] for row in rows]
    finally:
        await admin.close()


async def test_reads_share_at_most_size_connections_and_reuse_them(database_url: str) -> None:
    pool = _pool(database_url, size=2)
    try:
        pids = await asyncio.gather(
            *(pool.fetchrow("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)") for _ in range(8))
        )
        assert len({row["pid"] for row in pids}) == 2
        assert pool.open == 2 and pool.in_use == 0
        again = await pool.fetchrow("SELECT pg_backend_pid() AS pid")
        assert again["pid"] in {row["pid"] for row in pids}
    finally:
        await pool.close()
    assert pool.open == 0


async def test_a_connection_the_server_closed_is_replaced_at_checkout(database_url: str) -> None:
    pool = _pool(database_url, size=1)
    try:
        [pid] = await _backends(database_url, pool)
        admin = await asyncpg.connect(_plain(database_url))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        await asyncio.sleep(0.3)  # the close reaches the idle socket
        row = await pool.fetchrow("SELECT pg_backend_pid() AS pid")
        assert row["pid"] != pid
        assert pool.open == 1
    finally:
        await pool.close()


async def test_a_failed_read_closes_its_connection_and_the_next_read_gets_another(
    database_url: str,
) -> None:
    pool = _pool(database_url, size=1)
    try:
        first = await pool.fetchrow("SELECT pg_backend_pid() AS pid")
        with pytest.raises(asyncpg.PostgresError):
            await pool.fetchrow("SELECT 1 / 0")
        assert pool.open == 0 and pool.in_use == 0
        # A read cancelled mid-statement (a client gone) leaves no half-read connection behind.
        slow = asyncio.ensure_future(pool.fetchrow("SELECT pg_sleep(5)"))
        await asyncio.sleep(0.2)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert pool.open == 0
        row = await pool.fetchrow("SELECT pg_backend_pid() AS pid")
        assert row["pid"] != first["pid"]
    finally:
        await pool.close()


async def test_a_read_waits_for_a_free_connection_at_most_the_pool_timeout(
    database_url: str,
) -> None:
    pool = _pool(database_url, size=1, timeout=0.3)
    try:
        busy = asyncio.ensure_future(pool.fetchrow("SELECT pg_sleep(1)"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimeoutError):
            await pool.fetchrow("SELECT 1 AS one")
        await busy
        assert (await pool.fetchrow("SELECT 1 AS one"))["one"] == 1
    finally:
        await pool.close()


async def test_reads_that_stop_waiting_leave_no_slot_taken(database_url: str) -> None:
    pool = _pool(database_url, size=1, timeout=0.3)
    try:
        busy = asyncio.ensure_future(pool.fetchrow("SELECT pg_sleep(0.6)"))
        await asyncio.sleep(0.1)
        gone = asyncio.ensure_future(pool.fetchrow("SELECT 1"))  # its client goes away
        late = asyncio.ensure_future(pool.fetchrow("SELECT 1"))  # gives up after 0.3 s
        await asyncio.sleep(0.05)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        with pytest.raises(TimeoutError):
            await late
        await busy
        # The one slot is free again, and handed from read to read in order.
        rows = await asyncio.gather(*(pool.fetchrow(f"SELECT {n} AS n") for n in range(5)))
        assert [row["n"] for row in rows] == list(range(5))
        assert pool.in_use == 0 and pool.open == 1
    finally:
        await pool.close()
