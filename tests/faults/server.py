"""A `registry serve` subprocess the fault tests start, signal, kill and restart by PID."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from tests.helpers import ADMIN_TOKEN

REGISTRY = [sys.executable, "-m", "service.cli"]
READY_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _admin(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database on that server (the server migrates it), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any database or data-dir setting, plus `extra`; the server takes
    the tests' admin token as REGISTRY_BOOTSTRAP_TOKEN (send tests.helpers.ADMIN)."""
    dropped = {"DATABASE_URL", "REGISTRY_DATABASE_URL", "REGISTRY_DATA_DIR"}
    kept = {k: v for k, v in os.environ.items() if k not in dropped}
    return kept | {"REGISTRY_BOOTSTRAP_TOKEN": ADMIN_TOKEN} | extra


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start(log: Path, env: dict[str, str], *args: str, port: int | None = None) -> Served:
    """Start `registry serve` and wait until /readyz answers 200."""
    port = port or free_port()
    # Its signing keys beside its log, not in the user's data directory.
    env = {"REGISTRY_SIGNING_KEYS_FILE": str(log.parent / "signing-keys.json"), **env}
    with log.open("ab") as output:
        process = subprocess.Popen(
            [*REGISTRY, "serve", "--port", str(port), *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{served.url}/readyz", timeout=2).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"registry serve exited early:\n{served.log_text()[-3000:]}")
        time.sleep(0.1)
    stop(served)
    raise RuntimeError(f"registry serve not ready in {READY_TIMEOUT:.0f} s")


def stop(served: Served) -> None:
    """Ctrl-C, then SIGKILL if it does not exit in 30 s; only this PID."""
    if served.process.poll() is None:
        served.process.send_signal(2)
        try:
            served.process.wait(30)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait(10)
