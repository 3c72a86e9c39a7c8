"""Test harness: a real PostgreSQL (TEST_DATABASE_URL, or an embedded pgserver), migrated once."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url

from service.app import create_app
from service.db import migrate
from service.db.embedded import start_embedded
from service.settings import Settings
from tests.helpers import ADMIN, ADMIN_TOKEN, EXAMPLES
from tests.servers import execute, plain

# Pure-function property tests have no time budget: on a loaded 2-core machine a single example
# can take longer than Hypothesis's default 200 ms deadline, which would be a flaky failure.
hypothesis_settings.register_profile("registry", deadline=None)
hypothesis_settings.load_profile("registry")

TABLES = (
    "webhook_subscriptions",
    "changes",
    "audit_log",
    "version_files",
    "file_blobs",
    "version_dependencies",
    "tags",
    "artifact_versions",
    "artifacts",
    "namespaces",
    "api_tokens",
    "trust_policies",
    "namespace_policies",
)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server for the whole run: the given one, or an embedded one we start."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield plain(given)
        return
    with tempfile.TemporaryDirectory(prefix="registry-test-pg-") as directory:
        embedded = start_embedded(Path(directory))
        try:
            yield embedded.url
        finally:
            embedded.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    """A fresh database on that server, migrated to head once, dropped at the end."""
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    await execute(server_url, f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    await migrate.upgrade(url)
    try:
        yield url
    finally:
        await execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        default_namespace="default",
        max_body_bytes=64 * 1024,
        bootstrap_token=ADMIN_TOKEN,
        # The authorization tests fail on purpose many times; the limit has a test of its own.
        auth_failures_per_minute=10_000,
        # Delivering is tested by apps of their own (tests/webhooks); this one only records.
        webhook_dispatcher=False,
        data_dir=tmp_path_factory.mktemp("registry-data"),
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


def reset_app_memory(app: FastAPI) -> None:
    """What the shared app remembers between tests: the emptied tables sent no cache notices."""
    app.state.failed_logins.reset()
    app.state.profile_cache.clear()
    app.state.read_tokens.clear()
    # Snapshots are keyed by name, version and digest: after TRUNCATE the same bytes may be
    # published again, resolved against other skills, so one remembered could judge wrongly.
    app.state.release_snapshots.clear()


@pytest_asyncio.fixture(loop_scope="session")
async def clean_db(database_url: str) -> AsyncIterator[None]:
    """Each test starts from empty tables (tests that need real commits can't roll back)."""
    connection = await asyncpg.connect(plain(database_url))
    try:
        await connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
    yield


@pytest_asyncio.fixture(loop_scope="session")
async def anonymous_client(app: FastAPI, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """No token: for reads and for the authorization tests."""
    reset_app_memory(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as http:
        yield http


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: FastAPI, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """Sends the admin token (REGISTRY_BOOTSTRAP_TOKEN of the test app) with every request."""
    reset_app_memory(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://registry.test", headers=ADMIN
    ) as http:
        yield http


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES
