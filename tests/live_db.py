"""A `registry serve` on a database the test owns, so it can be stopped, killed and restarted."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy.engine import make_url

from tests.contract.live_server import _admin, _run
from tests.helpers import ADMIN_TOKEN

T = TypeVar("T")


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextmanager
def database() -> Iterator[str]:
    server = plain(os.environ["TEST_DATABASE_URL"])
    name = f"registry_hooks_{uuid.uuid4().hex[:12]}"
    _run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        _run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def serve(
    database_url: str,
    log: Path,
    settings: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """Start it on a free port of 127.0.0.1 with these REGISTRY_* settings and `registry serve`
    options; wait for /readyz."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "REGISTRY_DATABASE_URL"}}
    # Writes need a token: the server takes the tests' admin token (send tests.helpers.ADMIN).
    env |= {
        "DATABASE_URL": database_url,
        "REGISTRY_BOOTSTRAP_TOKEN": ADMIN_TOKEN,
        **(settings or {}),
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *options],
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


def run_value(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync test code (pytest-asyncio may own this thread's loop)."""
    result: list[T] = []

    def target() -> None:
        result.append(asyncio.run(coroutine))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result[0]
