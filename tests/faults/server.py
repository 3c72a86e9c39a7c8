"""A `registry serve` subprocess the fault tests start, signal, kill and restart by PID."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ADMIN_TOKEN
from tests.servers import free_port, fresh_database, wait_ready
from tests.servers import stop as stop_process

__all__ = ["Served", "clean_env", "fresh_database", "start", "stop"]

REGISTRY = [sys.executable, "-m", "service.cli"]


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
    server: str = "granian"  # `registry serve --server`, its default unless given

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
    server = args[args.index("--server") + 1] if "--server" in args else "granian"
    served = Served(process, f"http://127.0.0.1:{port}", log, server)
    try:
        wait_ready(served.url, process, lambda: served.log_text()[-3000:])
    except RuntimeError:
        stop(served)
        raise
    return served


def stop(served: Served) -> None:
    """Ctrl-C, then SIGKILL if it does not exit in 30 s; only this PID."""
    stop_process(served.process)
