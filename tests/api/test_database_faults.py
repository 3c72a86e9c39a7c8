"""Database faults seen by one app: dropped connections, an unreachable server, the log they leave."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import pytest_asyncio

from service.db.engine import LISTENER_APPLICATION_NAME
from service.settings import Settings
from tests.helpers import agent_file, put, serving
from tests.servers import plain


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _backends(database_url: str) -> set[int]:
    """The test database's backends other than the cache listeners (and this query's own)."""
    admin = await asyncpg.connect(plain(database_url))
    try:
        rows = await admin.fetch(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            f" AND application_name <> '{LISTENER_APPLICATION_NAME}'"
        )
        return {row["pid"] for row in rows}
    finally:
        await admin.close()


async def _terminate_app_backends(
    database_url: str, *, waiting_on_lock: bool = False, spare: frozenset[int] = frozenset()
) -> int:
    """pg_terminate_backend on the apps' pooled sessions of the test database (what a failover
    does), leaving the cache listeners and the `spare` backends (other apps' pools) alone."""
    admin = await asyncpg.connect(plain(database_url))
    try:
        condition = "AND wait_event_type = 'Lock'" if waiting_on_lock else ""
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = current_database() AND pid <> pg_backend_pid() {condition}"
            f" AND application_name <> '{LISTENER_APPLICATION_NAME}'"
            " AND NOT (pid = ANY($1::int[]))",
            sorted(spare),
        )
        return len(rows)
    finally:
        await admin.close()


@pytest_asyncio.fixture(loop_scope="session")
async def other_backends(database_url: str, clean_db: None) -> frozenset[int]:
    """Backends open before `one_connection` starts: other apps' pools (the session-wide app
    keeps an idle one after some tests), which a test killing "the app's" connection spares."""
    return frozenset(await _backends(database_url))


@pytest_asyncio.fixture(loop_scope="session")
async def one_connection(
    database_url: str, other_backends: frozenset[int]
) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose pools hold one connection each (the engine's, and the profile fast path's
    for first fetches), so the test knows which ones it kills."""
    settings = Settings(
        database_url=database_url, db_pool_size=1, db_max_overflow=0, db_fastpath_pool_size=1
    )
    async with serving(settings) as http:
        yield http


@pytest_asyncio.fixture(loop_scope="session")
async def unreachable() -> AsyncIterator[httpx.AsyncClient]:
    """An app pointed at a port nobody listens on."""
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/registry"
    async with serving(Settings(database_url=url, db_connect_timeout=2)) as http:
        yield http


async def test_pooled_connection_killed_while_idle_is_replaced_and_the_read_succeeds(
    one_connection: httpx.AsyncClient, database_url: str, other_backends: frozenset[int]
) -> None:
    assert (await put(one_connection, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    assert (await one_connection.get("/v1/profiles/tester@1.0.0")).status_code == 200
    # Exactly this app's two pooled connections (the PUT's and the first fetch's), not another
    # app's idle one.
    assert await _terminate_app_backends(database_url, spare=other_backends) == 2
    await asyncio.sleep(0.3)  # the server's close reaches the pooled sockets
    for path in ("/v1/profiles/tester@1.0.0?format=markdown", "/v1/agents/tester/versions/1.0.0"):
        again = await one_connection.get(path)  # a first fetch, then a route's read
        assert again.status_code == 200, again.text
        assert "tester" in again.text


async def test_connection_killed_mid_request_is_503_with_retry_after_not_500(
    one_connection: httpx.AsyncClient, database_url: str
) -> None:
    assert (await put(one_connection, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    # Hold the version row, so the yank below waits inside its statement; then kill its backend.
    holder = await asyncpg.connect(plain(database_url))
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT 1 FROM artifact_versions FOR UPDATE")
        yank = asyncio.ensure_future(one_connection.post("/v1/agents/tester/versions/1.0.0/yank"))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if await _terminate_app_backends(database_url, waiting_on_lock=True):
                break
        else:
            pytest.fail("the yank never waited on the row lock")
        response = await asyncio.wait_for(yank, 30)
        await transaction.rollback()
    finally:
        await holder.close()
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["code"] == "database_unavailable"
    assert "SELECT" not in response.text
    # The next request gets a fresh connection: nothing half-written, the version is not yanked.
    after = await one_connection.get("/v1/agents/tester/versions/1.0.0")
    assert after.status_code == 200
    assert after.json()["yanked"] is False


async def test_unreachable_database_is_503_with_retry_after_everywhere(
    unreachable: httpx.AsyncClient,
) -> None:
    for method, path in (
        ("GET", "/readyz"),
        ("GET", "/v1/profiles/tester@1.0.0"),
        ("GET", "/v1/agents"),
        ("PUT", "/v1/agents/tester/versions/1.0.0"),
    ):
        response = await unreachable.request(
            method, path, content=agent_file(), headers={"Content-Type": "text/markdown"}
        )
        assert response.status_code == 503, (path, response.text)
        assert response.headers["retry-after"] == "5", path
        assert response.json()["code"] == "database_unavailable", path
    assert (await unreachable.get("/healthz")).status_code == 200


async def test_database_outage_logs_one_line_per_request_without_a_traceback(
    unreachable: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await unreachable.get(
        "/v1/profiles/tester@1.0.0", headers={"X-Request-ID": "outage-1"}
    )
    assert response.status_code == 503
    errors = [r for r in caplog.records if r.name == "service.errors"]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    record = errors[0]
    assert record.exc_info is None
    assert record.levelno == logging.WARNING
    fields = record.__dict__["fields"]
    assert fields["code"] == "database_unavailable"
    assert fields["route"] == "/v1/profiles/{spec:path}"
    assert fields["request_id"] == "outage-1"
    assert not [r for r in caplog.records if r.exc_info]
