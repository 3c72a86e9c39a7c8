"""A real `registry serve` process for the contract and SDK tests.

With TEST_DATABASE_URL set, the server gets a fresh database created on that PostgreSQL server
(dropped afterwards); otherwise it starts its embedded PostgreSQL in a temporary --data-dir.
The server's log goes to a file (a pipe nobody reads would fill up and stall the server), and its
tail is shown when the server fails to start.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from tests.helpers import ADMIN_TOKEN

REGISTRY = [sys.executable, "-m", "service.cli"]
READY_TIMEOUT = 90.0


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path
    database: str

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion from sync code, even inside a running event loop's thread."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


async def _admin(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextmanager
def live_registry(
    directory: Path,
    prefix: str = "registry_live",
    *,
    registry: Sequence[str] = REGISTRY,
    server_url: str | None = None,
    embedded: bool = False,
    args: Sequence[str] = (),
    cwd: Path | None = None,
) -> Iterator[LiveServer]:
    """Start `registry serve` on a free port, wait for /readyz, stop it (Ctrl-C) afterwards.

    The database is a fresh one on `server_url` (default TEST_DATABASE_URL), or with
    `embedded=True` (or neither given) the embedded PostgreSQL in `directory`. `registry` is the
    command to run (an installed `registry` script, say), `args` extra `serve` options.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REGISTRY_DATABASE_URL", "REGISTRY_DATA_DIR", "PYTHONPATH"}
    }
    # Writes need a token: the tests send this one (tests.helpers.ADMIN).
    env["REGISTRY_BOOTSTRAP_TOKEN"] = ADMIN_TOKEN
    # Fuzzing and the authorization tests fail on purpose many times from one address.
    env.setdefault("REGISTRY_AUTH_FAILURES_PER_MINUTE", "100000")
    env["REGISTRY_DATA_DIR"] = str(directory / "registry-data")  # its signing keys
    port = _free_port()
    command = [*registry, "serve", "--port", str(port), *args]
    given = None if embedded else server_url or os.environ.get("TEST_DATABASE_URL")
    database = "embedded"
    if given:
        server_url = _plain(given)
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        _run(_admin(server_url, f'CREATE DATABASE "{name}"'))
        env["DATABASE_URL"] = (
            make_url(server_url).set(database=name).render_as_string(hide_password=False)
        )
        database = name
    else:
        command += ["--data-dir", str(directory / "pgdata-root")]
    log = directory / "registry-serve.log"
    url = f"http://127.0.0.1:{port}"
    server = LiveServer(url=url, log=log, database=database)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=cwd
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"registry serve exited early:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"registry serve not ready in {READY_TIMEOUT:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # stops the embedded PostgreSQL too
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if given:
            _run(_admin(_plain(given), f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
