"""What the tests that start processes and databases share: free ports, a fresh database on a
PostgreSQL server, waiting for `/readyz`, and stopping a process we started (by its PID only)."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import asyncpg
import httpx
from sqlalchemy.engine import make_url

T = TypeVar("T")
READY_TIMEOUT = 90.0


def plain(url: str) -> str:
    """asyncpg wants `postgresql://`; accept the SQLAlchemy form too."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop's thread
    (pytest-asyncio may own this one): on a thread of its own, re-raising what it raised."""
    outcome: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(asyncio.run(coroutine))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return outcome[0]


async def execute(server_url: str, statement: str) -> None:
    """One statement on a connection of its own (CREATE/DROP DATABASE cannot share one)."""
    connection = await asyncpg.connect(plain(server_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database on that server (whoever uses it migrates it), dropped afterwards;
    yields its URL."""
    server_url = plain(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    run_sync(execute(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        run_sync(execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def wait_ready(
    url: str,
    process: subprocess.Popen[bytes],
    log_tail: Callable[[], str],
    timeout: float = READY_TIMEOUT,
) -> None:
    """Until `url`/readyz answers 200; RuntimeError (with the log's tail) if the process exits
    first or `timeout` seconds pass. The caller decides what to do with the process then."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"registry serve exited early:\n{log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"registry serve not ready in {timeout:.0f} s:\n{log_tail()}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGINT, timeout: float = 30) -> None:
    """Ours only, by PID: `sig` (Ctrl-C by default: `registry serve` then stops its embedded
    PostgreSQL too), then SIGKILL if it has not exited within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
