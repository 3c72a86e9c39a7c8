"""A `registry serve` on a database the test owns, so it can be stopped, killed and restarted."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import ADMIN_TOKEN
from tests.servers import free_port, fresh_database, wait_ready


@contextmanager
def database() -> Iterator[str]:
    """A fresh database on TEST_DATABASE_URL's server, dropped afterwards."""
    with fresh_database(os.environ["TEST_DATABASE_URL"], "registry_hooks") as url:
        yield url


def serve(
    database_url: str,
    log: Path,
    settings: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """Start it on a free port of 127.0.0.1 with these REGISTRY_* settings and `registry serve`
    options; wait for /readyz."""
    port = free_port()
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
    try:
        wait_ready(url, process, lambda: log.read_text(errors="replace")[-3000:])
    except RuntimeError:
        process.kill()
        raise
    return process, url
