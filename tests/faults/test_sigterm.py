"""`SIGTERM` to `registry serve` (embedded PostgreSQL) under load: requests in flight finish,
new connections are refused, the pool and the embedded database close, and the exit code is 0."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.faults.server import clean_env, fresh_database, start, stop
from tests.helpers import ADMIN, ADMIN_TOKEN, agent_file

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
MARKDOWN = {"Content-Type": "text/markdown", **ADMIN}  # writes need the admin token


def _load(url: str, stop_at: threading.Event, outcomes: Counter[str]) -> None:
    """Fresh connection per request, so a refused connection is told apart from a cut one."""
    while not stop_at.is_set():
        try:
            response = httpx.get(f"{url}/v1/profiles/tester@1.0.0", timeout=30)
        except httpx.ConnectError:
            outcomes["refused"] += 1
            time.sleep(0.05)
            continue
        except httpx.RemoteProtocolError as exc:
            # Queued in the kernel's backlog as the listener closed: never reached the app.
            assert "without sending" in str(exc), exc
            outcomes["not accepted"] += 1
            continue
        outcomes[str(response.status_code)] += 1
        if response.status_code == 200:
            assert response.json()["name"] == "tester"


def test_sigterm_drains_in_flight_requests_refuses_new_ones_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    env = clean_env(REGISTRY_BODY_MIN_RATE="50", REGISTRY_BODY_RATE_GRACE="2")
    served = start(tmp_path / "registry-serve.log", env, "--data-dir", str(data_dir))
    try:
        body = agent_file("tester")
        httpx.put(
            f"{served.url}/v1/agents/tester/versions/1.0.0", content=body, headers=MARKDOWN
        ).raise_for_status()
        slow_body = agent_file("in-flight") + b"Take your time.\n" * 40
        host, port = served.url.removeprefix("http://").split(":")
        in_flight = socket.create_connection((host, int(port)), timeout=30)
        in_flight.sendall(
            b"PUT /v1/agents/in-flight/versions/1.0.0 HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: text/markdown\r\nAuthorization: Bearer "
            + ADMIN_TOKEN.encode()
            + b"\r\nContent-Length: "
            + str(len(slow_body)).encode()
            + b"\r\n\r\n"
        )
        outcomes: Counter[str] = Counter()
        stop_load = threading.Event()
        workers = [
            threading.Thread(target=_load, args=(served.url, stop_load, outcomes)) for _ in range(3)
        ]
        for worker in workers:
            worker.start()
        chunk = max(1, len(slow_body) // 20)
        signalled = refused_while_draining = False
        for index, offset in enumerate(range(0, len(slow_body), chunk)):
            in_flight.sendall(slow_body[offset : offset + chunk])  # ~20 chunks over ~3 s
            time.sleep(0.15)
            if index == 5:
                served.process.terminate()  # SIGTERM, to this PID only
                signalled = True
            if signalled and not refused_while_draining and index >= 8:
                try:
                    socket.create_connection((host, int(port)), timeout=2).close()
                except ConnectionRefusedError:
                    refused_while_draining = True
        answer = b""
        in_flight.settimeout(30)
        while b"\r\n\r\n" not in answer:
            piece = in_flight.recv(65536)
            if not piece:
                break
            answer += piece
        in_flight.close()
        exit_code = served.process.wait(60)
        stop_load.set()
        for worker in workers:
            worker.join(60)
    finally:
        stop(served)
    log = served.log_text()
    with capsys.disabled():
        print(f"\nSIGTERM: load outcomes {dict(outcomes)}; in-flight answer {answer[:40]!r}")
    assert answer.startswith(b"HTTP/1.1 201 "), answer
    assert refused_while_draining
    assert exit_code == 0, log[-3000:]
    assert outcomes["200"] > 0 and outcomes["refused"] > 0, outcomes
    assert set(outcomes) <= {"200", "refused", "not accepted"}, outcomes
    assert "database pool closed" in log
    assert "Embedded PostgreSQL stopped." in log
    assert not (data_dir / "pgdata" / "postmaster.pid").exists()


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_sigterm_stops_within_the_shutdown_timeout_when_a_request_never_ends(
    server: str, tmp_path: Path, server_url: str
) -> None:
    """A request whose body never finishes (no rate floor here) would hold the drain forever:
    `REGISTRY_SHUTDOWN_TIMEOUT` (2 s) bounds it (granian: the worker is killed; uvicorn: the task
    is cancelled), and the exit code is still 0."""
    with fresh_database(server_url, "registry_sigterm") as url:
        env = clean_env(DATABASE_URL=url, REGISTRY_SHUTDOWN_TIMEOUT="2", REGISTRY_BODY_MIN_RATE="0")
        served = start(tmp_path / "registry-serve.log", env, "--server", server)
        try:
            host, port = served.url.removeprefix("http://").split(":")
            with socket.create_connection((host, int(port)), timeout=30) as stuck:
                stuck.sendall(
                    b"PUT /v1/agents/stuck/versions/1.0.0 HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: text/markdown\r\nAuthorization: Bearer "
                    + ADMIN_TOKEN.encode()
                    + b"\r\nContent-Length: 100000\r\n\r\n"
                    + agent_file("stuck")[:50]
                )
                time.sleep(1)  # the route is reading the body
                signalled = time.monotonic()
                served.process.terminate()  # SIGTERM, this PID only
                exit_code = served.process.wait(30)
                took = time.monotonic() - signalled
        finally:
            stop(served)
    log = served.log_text()
    assert exit_code == 0, log[-3000:]
    assert 1.5 < took < 2 + 5, took  # waited for the request, then no longer than the timeout
    if server == "granian":
        # The worker is killed, so its lifespan's shutdown does not run (PostgreSQL drops its
        # connections); granian says so, and nothing else is logged as an error.
        assert "Killing worker-1 after it refused to gracefully stop" in log
        assert "Traceback" not in log
    else:
        # uvicorn cancels the request's task and logs it as an application error with its
        # traceback (uvicorn's own line); the lifespan's shutdown runs.
        assert "timeout graceful shutdown exceeded" in log
        assert "database pool closed" in log
