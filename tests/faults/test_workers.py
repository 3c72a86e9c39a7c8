"""granian's workers (the default server): `registry serve --workers 2` forks two, each running
the lifespan; one that crashes is started again; two crashes in a row stop `registry serve`
(exit 1); and `kill -9` of `registry serve` takes its workers with it, so nothing holds the
port and a restart on it succeeds."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.server import clean_env, fresh_database, start, stop

pytestmark = [pytest.mark.e2e, pytest.mark.faults]


@pytest.fixture
def worker_database(server_url: str) -> Iterator[str]:
    with fresh_database(server_url, "registry_workers") as url:
        yield url


def _workers(pid: int) -> list[int]:
    """The children of `registry serve` (granian's worker processes), from /proc."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(children)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _until(what: str, check: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s: {what}"
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_workers_are_respawned_and_die_with_registry_serve(
    worker_database: str, tmp_path: Path
) -> None:
    log = tmp_path / "registry-serve.log"
    env = clean_env(DATABASE_URL=worker_database)
    served = start(log, env, "--workers", "2")
    try:
        pid = served.process.pid
        _until("two workers", lambda: len(_workers(pid)) == 2)
        first, second = _workers(pid)
        _until("both lifespans started", lambda: served.log_text().count("signing key") >= 2)

        os.kill(first, signal.SIGKILL)  # a worker crashes (its PID only)
        _until("a new worker", lambda: len(set(_workers(pid)) - {first, second}) == 1)
        _until("answers again", lambda: _answers(served.url))
        assert served.process.poll() is None
        assert "Respawning worker-1" in served.log_text()
        for _ in range(20):  # both workers (the kernel spreads connections between them)
            assert httpx.get(f"{served.url}/v1/skills", timeout=10).status_code == 200

        port = int(served.url.rsplit(":", 1)[1])
        workers = _workers(pid)
        os.kill(pid, signal.SIGKILL)  # `registry serve` itself, abruptly
        served.process.wait(30)
        _until("the workers gone", lambda: not any(_alive(w) for w in workers), 10)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        stop(served)

    again = start(log, env, "--no-migrate", port=port)  # the same port is free at once
    try:
        pid = again.process.pid
        _until("one worker", lambda: len(_workers(pid)) == 1)
        for round_ in range(2):  # a crash, then another within granian's 5.5 s crash-loop window
            (worker,) = _workers(pid)
            os.kill(worker, signal.SIGKILL)
            if round_ == 0:
                _until("respawned", lambda w=worker: _workers(pid) not in ([], [w]))
        assert again.process.wait(30) == 1  # a worker that cannot be kept up stops the server
        assert "Worker crash loop detected" in again.log_text()
    finally:
        stop(again)
