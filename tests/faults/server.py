"""A `registry serve` subprocess the fault tests start, signal, kill and restart by PID."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REGISTRY = [sys.executable, "-m", "service.cli"]
READY_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any database or data-dir setting, plus `extra`."""
    dropped = {"DATABASE_URL", "REGISTRY_DATABASE_URL", "REGISTRY_DATA_DIR"}
    return {k: v for k, v in os.environ.items() if k not in dropped} | extra


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
