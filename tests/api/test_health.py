"""Liveness and readiness."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from service.app import create_app
from service.db import migrate
from service.db.migrate import head_revision
from service.settings import Settings


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "migration": head_revision()}
    assert len(ready.headers["x-request-id"]) == 32
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"


async def test_readyz_is_503_until_migrations_are_at_head(server_url: str) -> None:
    name = f"registry_unmigrated_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app(Settings(database_url=url))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                pending = await http.get("/readyz")
                assert pending.status_code == 503
                assert pending.json()["code"] == "migrations_pending"
                assert pending.headers["retry-after"] == "5"
                assert pending.json()["expected"] == head_revision()
                await migrate.upgrade(url)
                assert (await http.get("/readyz")).status_code == 200
    finally:
        admin = await asyncpg.connect(server_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
