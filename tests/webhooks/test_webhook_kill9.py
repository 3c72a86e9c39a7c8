"""No webhook delivery is lost when the server is killed with SIGKILL mid-way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.contract.live_server import _admin, _run
from tests.helpers import skill_file
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="restarts a server on the same database: needs TEST_DATABASE_URL",
)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextmanager
def _database() -> Iterator[str]:
    server = _plain(os.environ["TEST_DATABASE_URL"])
    name = f"registry_hooks_{uuid.uuid4().hex[:12]}"
    _run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        _run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _serve(database_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "REGISTRY_DATABASE_URL"}}
    env |= {
        "DATABASE_URL": database_url,
        "REGISTRY_WEBHOOK_ALLOW_PRIVATE": "true",
        "REGISTRY_WEBHOOK_POLL_INTERVAL": "0.1",
        "REGISTRY_WEBHOOK_TIMEOUT": "1",
        "REGISTRY_WEBHOOK_BACKOFF_SECONDS": "0.2",
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(log.read_text(errors="replace")[-3000:])
        time.sleep(0.2)


async def _statuses(database_url: str) -> list[str]:
    connection = await asyncpg.connect(_plain(database_url))
    try:
        rows = await connection.fetch("SELECT status FROM webhook_deliveries ORDER BY id")
    finally:
        await connection.close()
    return [row["status"] for row in rows]


def test_deliveries_survive_kill_9_of_the_server(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with _database() as database_url, receiver() as hook:
        hook.then = 503
        first, url = _serve(database_url, log)
        try:
            with httpx.Client(base_url=url, timeout=30) as http:
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
        statuses = _run_value(_statuses(database_url))
        assert len(statuses) == 5 and "delivered" not in statuses

        hook.then = 200
        second, _ = _serve(database_url, log)
        try:
            deadline = time.monotonic() + 120
            while _run_value(_statuses(database_url)) != ["delivered"] * 5:
                assert time.monotonic() < deadline, _run_value(_statuses(database_url))
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(30)
    delivered = {r.headers["Registry-Webhook-Id"] for r in hook.requests if r.answered == 200}
    assert len(delivered) == 5
    failed_before = sum(1 for r in hook.requests if r.answered == 503)
    print(f"webhooks: {len(hook.requests)} requests, {failed_before} answered 503 before kill -9")


def _run_value(coroutine):  # type: ignore[no-untyped-def]
    import asyncio
    import threading

    result: list[object] = []

    def target() -> None:
        result.append(asyncio.run(coroutine))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result[0]
