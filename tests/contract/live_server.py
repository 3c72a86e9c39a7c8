"""A real `registry serve` process for the contract and SDK tests.

With TEST_DATABASE_URL set, the server gets a fresh database created on that PostgreSQL server
(dropped afterwards); otherwise it starts its embedded PostgreSQL in a temporary --data-dir.
The server's log goes to a file (a pipe nobody reads would fill up and stall the server), and its
tail is shown when the server fails to start.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.helpers import ADMIN_TOKEN
from tests.servers import free_port, fresh_database, stop, wait_ready

REGISTRY = [sys.executable, "-m", "service.cli"]


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path
    database: str
    data_dir: Path | None = None  # the embedded PostgreSQL's (and the signing keys'), if embedded

    def first_start_token(self) -> str:
        """The admin token a first start on the embedded database printed (`export ...`)."""
        found = re.search(r"export REGISTRY_TOKEN=(\S+)", self.log.read_text(errors="replace"))
        if found is None:
            raise RuntimeError(f"no first-start token in the log:\n{self.log_tail()}")
        return found[1]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


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
    first_start: bool = False,
) -> Iterator[LiveServer]:
    """Start `registry serve` on a free port, wait for /readyz, stop it (Ctrl-C) afterwards.

    The database is a fresh one on `server_url` (default TEST_DATABASE_URL), or with
    `embedded=True` (or neither given) the embedded PostgreSQL in `directory`. `registry` is the
    command to run (an installed `registry` script, say), `args` extra `serve` options.
    `first_start=True` serves as the README's `registry serve` does on a new machine: embedded,
    no bootstrap token (the server creates an admin token and prints it: `first_start_token`),
    default limits.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REGISTRY_DATABASE_URL",
            "REGISTRY_DATA_DIR",
            "PYTHONPATH",
            "REGISTRY_BOOTSTRAP_TOKEN",
        }
    }
    if not first_start:
        # Writes need a token: the tests send this one (tests.helpers.ADMIN).
        env["REGISTRY_BOOTSTRAP_TOKEN"] = ADMIN_TOKEN
        # Fuzzing and the authorization tests fail on purpose many times from one address.
        env.setdefault("REGISTRY_AUTH_FAILURES_PER_MINUTE", "100000")
    env["REGISTRY_DATA_DIR"] = str(directory / "registry-data")  # its signing keys
    port = free_port()
    command = [*registry, "serve", "--port", str(port), *args]
    given = None if embedded or first_start else server_url or os.environ.get("TEST_DATABASE_URL")
    with ExitStack() as cleanup:
        if given:
            env["DATABASE_URL"] = cleanup.enter_context(fresh_database(given, prefix))
            database = make_url(env["DATABASE_URL"]).database or ""
        else:
            database = "embedded"
            command += ["--data-dir", str(directory / "pgdata-root")]  # keys there too
        log = directory / "registry-serve.log"
        server = LiveServer(
            url=f"http://127.0.0.1:{port}",
            log=log,
            database=database,
            data_dir=None if given else directory / "pgdata-root",
        )
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=cwd
            )
        cleanup.callback(stop, process)  # Ctrl-C: stops the embedded PostgreSQL too
        wait_ready(server.url, process, server.log_tail)
        yield server
