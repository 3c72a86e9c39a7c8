"""No webhook delivery is lost when the server is killed with SIGKILL mid-way."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.helpers import ADMIN, skill_file
from tests.live_db import database, serve
from tests.servers import run_sync
from tests.webhooks.receiver import receiver

WEBHOOKS = {
    "REGISTRY_WEBHOOK_ALLOW_PRIVATE": "true",
    "REGISTRY_WEBHOOK_POLL_INTERVAL": "0.1",
    "REGISTRY_WEBHOOK_TIMEOUT": "1",
    "REGISTRY_WEBHOOK_BACKOFF_SECONDS": "0.2",
}

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="restarts a server on the same database: needs TEST_DATABASE_URL",
)


async def _statuses(database_url: str) -> list[str]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch("SELECT status FROM webhook_deliveries ORDER BY id")
    finally:
        await connection.close()
    return [row["status"] for row in rows]


def test_deliveries_survive_kill_9_of_the_server(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with database() as database_url, receiver() as hook:
        hook.then = 503
        first, url = serve(database_url, log, WEBHOOKS)
        try:
            with httpx.Client(base_url=url, timeout=30, headers=ADMIN) as http:
                body = {"url": hook.url, "events": ["published"]}
                assert http.post("/v1/webhooks", json=body).status_code == 201
                for index in range(5):
                    response = http.put(
                        f"/v1/skills/kill-{index}/versions/1.0.0",
                        content=skill_file(f"kill-{index}"),
                        headers={"Content-Type": "text/markdown"},
                    )
                    assert response.status_code == 201
            hook.wait_for(3)  # deliveries are being tried (and failing) ...
        finally:
            first.send_signal(signal.SIGKILL)  # ... when the server dies without a goodbye
            first.wait(10)
        statuses = run_sync(_statuses(database_url))
        assert len(statuses) == 5 and "delivered" not in statuses

        hook.then = 200
        second, _ = serve(database_url, log, WEBHOOKS)
        try:
            deadline = time.monotonic() + 120
            while run_sync(_statuses(database_url)) != ["delivered"] * 5:
                assert time.monotonic() < deadline, run_sync(_statuses(database_url))
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(30)
    delivered = {r.headers["Registry-Webhook-Id"] for r in hook.requests if r.answered == 200}
    assert len(delivered) == 5
    failed_before = sum(1 for r in hook.requests if r.answered == 503)
    print(f"webhooks: {len(hook.requests)} requests, {failed_before} answered 503 before kill -9")
