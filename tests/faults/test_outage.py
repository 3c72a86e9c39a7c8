"""A real `registry serve` whose PostgreSQL connection runs through a proxy the test cuts.

During a 10 s cut, profiles the server served before answer 200 from memory (marked stale),
everything else 503 with Retry-After; nothing answers 500, nothing waits past the configured
timeouts. After the restore, every kind of request succeeds again within 2 s, with the same
server process. Then slow clients. Every test runs under both servers (granian, the default, and
`--server uvicorn`), whose slow-client guards are built differently (service/slow_clients.py).
"""

from __future__ import annotations

import io
import os
import random
import socket
import tarfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.faults.proxy import FaultProxy, fault_proxy
from tests.faults.server import Served, clean_env, fresh_database, start, stop
from tests.helpers import ADMIN, AGENT_NAMES, SKILL_NAMES, agent_bytes, skill_bytes, skill_file

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
CUT_SECONDS = float(os.environ.get("REGISTRY_FAULT_CUT_SECONDS", "10"))
CONNECT_TIMEOUT = 2.0
STATEMENT_TIMEOUT = 3.0
# The longest a request may take during the cut: a connect attempt, a statement, and slack
# for a loaded machine. A hang would be much longer (asyncpg's default connect timeout is 60 s).
LONGEST = CONNECT_TIMEOUT + STATEMENT_TIMEOUT + 5.0
MARKDOWN = {"Content-Type": "text/markdown", **ADMIN}  # writes need the admin token


SERVERS = ["granian", "uvicorn"]


@pytest.fixture(scope="module", params=SERVERS)
def outage_server(
    server_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[Served, FaultProxy]]:
    with fresh_database(server_url, "registry_outage") as database, fault_proxy(database) as proxy:
        env = clean_env(
            DATABASE_URL=proxy.url_for(database),
            REGISTRY_DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
            REGISTRY_DB_STATEMENT_TIMEOUT=str(STATEMENT_TIMEOUT),
            REGISTRY_HEADER_TIMEOUT="2",
            REGISTRY_BODY_MIN_RATE="1000",
            REGISTRY_BODY_RATE_GRACE="2",
            REGISTRY_SEND_TIMEOUT="2",
        )
        log = tmp_path_factory.mktemp(f"outage-{request.param}") / "registry-serve.log"
        served = start(log, env, "--server", request.param)
        try:
            published = [("skills", n, skill_bytes(n)) for n in SKILL_NAMES]
            published += [("agents", n, agent_bytes(n)) for n in AGENT_NAMES]
            for plural, name, data in published:
                httpx.put(
                    f"{served.url}/v1/{plural}/{name}/versions/1.0.0",
                    content=data,
                    headers=MARKDOWN,
                    timeout=30,
                ).raise_for_status()
            yield served, proxy
        finally:
            stop(served)


# What each kind of request is, and what it must answer during the cut.
CACHED = {
    "cached exact json": "/v1/profiles/dev-python@1.0.0",
    "cached exact markdown": "/v1/profiles/flask-specialist@1.0.0?format=markdown",
}
UNCACHED = {
    "uncached exact": "/v1/profiles/flask-specialist@1.0.0",
    "range": "/v1/profiles/dev-python@^1",
    "unknown agent": "/v1/profiles/nobody@1.0.0",
    "version detail": "/v1/agents/dev-python/versions/1.0.0",
    "list": "/v1/skills",
    "readyz": "/readyz",
}


def _request(http: httpx.Client, kind: str) -> tuple[str, int, float, httpx.Response | None]:
    started = time.monotonic()
    try:
        if kind == "publish":
            response = http.put(
                "/v1/agents/late/versions/1.0.0",
                content=agent_bytes("dev-python").replace(b"dev-python", b"late"),
                headers=MARKDOWN,
                timeout=LONGEST * 3,
            )
        else:
            path = {**CACHED, **UNCACHED}[kind]
            response = http.get(path, timeout=LONGEST * 3)
    except httpx.TimeoutException:
        return kind, 0, time.monotonic() - started, None
    return kind, response.status_code, time.monotonic() - started, response


def test_outage_serves_cached_profiles_503s_the_rest_and_recovers(
    outage_server: tuple[Served, FaultProxy], capsys: pytest.CaptureFixture[str]
) -> None:
    served, proxy = outage_server
    pid = served.process.pid
    for path in CACHED.values():
        assert httpx.get(f"{served.url}{path}", timeout=30).status_code == 200
    kinds = [*CACHED, *UNCACHED, "publish"]
    # One client for every thread: a client per request would spend its time building TLS
    # contexts, not waiting for the server.
    http = httpx.Client(base_url=served.url, limits=httpx.Limits(max_connections=len(kinds)))
    proxy.cut()
    # The cut aborts the cache listener's connection too; once the server has seen that (a few
    # ms), warm answers stop coming from the fast path and the route marks them stale.
    time.sleep(0.2)
    cut_at = time.monotonic()
    results: list[tuple[str, int, float, httpx.Response | None]] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        while time.monotonic() - cut_at < CUT_SECONDS:
            results += pool.map(lambda kind: _request(http, kind), kinds)
    proxy.restore()
    restored_at = time.monotonic()
    recovered: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
        # Every kind at once, again and again, until each has succeeded once.
        while len(recovered) < len(kinds) and time.monotonic() - restored_at < 30:
            waiting = [kind for kind in kinds if kind not in recovered]
            for kind, status, _, _ in pool.map(lambda k: _request(http, k), waiting):
                if status in (200, 201) or (kind == "unknown agent" and status == 404):
                    recovered[kind] = time.monotonic() - restored_at
    recovery = max(recovered.values(), default=float("inf"))
    http.close()

    by_status = Counter((kind, status) for kind, status, _, _ in results)
    slowest = max(elapsed for _, _, elapsed, _ in results)
    with capsys.disabled():
        print(
            f"\noutage: {len(results)} requests in a {CUT_SECONDS:.0f} s cut; slowest {slowest:.2f} s"
        )
        for (kind, status), count in sorted(by_status.items()):
            print(f"  {kind:22} {status}: {count}")
        print(f"  recovery: every kind succeeded {recovery:.2f} s after the restore")
        print(
            "  "
            + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(recovered.items(), key=lambda i: i[1]))
        )
    for kind, status, elapsed, response in results:
        assert response is not None, f"{kind} hung past {LONGEST * 3:.0f} s"
        assert elapsed < LONGEST, f"{kind} took {elapsed:.1f} s"
        if kind in CACHED:
            assert status == 200, (kind, response.text)
            assert response.headers["warning"] == '110 - "Response is Stale"'
        else:
            assert status == 503, (kind, response.text)
            assert response.headers["retry-after"] == "5"
            assert response.json()["code"] in {"database_unavailable"}
    assert set(recovered) == set(kinds), recovered
    assert recovery < 2.0, recovered
    assert served.process.poll() is None and served.process.pid == pid
    fresh = httpx.get(f"{served.url}/v1/profiles/dev-python@1.0.0", timeout=30)
    assert "warning" not in fresh.headers
    assert '"level": "warning"' in served.log_text()
    assert "Traceback" not in served.log_text()


def _read_all(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it closed."""
    sock.settimeout(limit)
    started = time.monotonic()
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return received + b"<still open>", time.monotonic() - started
    except ConnectionResetError:
        pass
    return received, time.monotonic() - started


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def test_a_client_that_never_finishes_its_headers_is_cut_off(
    outage_server: tuple[Served, FaultProxy],
) -> None:
    served, _ = outage_server
    with _connect(served.url) as idle, _connect(served.url) as trickle:
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        started = time.monotonic()
        for byte in request[:12]:  # one byte every 0.3 s: the request line never completes
            try:
                trickle.sendall(bytes([byte]))
            except OSError:
                break  # cut off while trickling
            time.sleep(0.3)
        received, _ = _read_all(trickle, 10)
        # 408 then close; a reset may overtake the 408 while the client is still sending.
        assert received == b"" or received.startswith(b"HTTP/1.1 408 "), received
        assert time.monotonic() - started < 12
        idle_received, _ = _read_all(idle, 10)  # sent nothing at all
        if served.server == "uvicorn":
            assert idle_received.startswith(b"HTTP/1.1 408 "), idle_received
        else:
            # Differs on purpose: granian's header deadline closes the connection without an
            # answer (granian has no way to write one; nginx does the same), the client gets
            # EOF, not `<still open>`; within the 2 s deadline and slack, from when it opened.
            assert idle_received == b"", idle_received
        assert time.monotonic() - started < 12
    with _connect(served.url) as prompt:  # a normal client is unaffected
        prompt.sendall(request)
        assert b"200 OK" in prompt.recv(4096)


def test_a_body_slower_than_the_floor_rate_gets_408(
    outage_server: tuple[Served, FaultProxy],
) -> None:
    served, _ = outage_server
    body = agent_bytes("dev-python").replace(b"dev-python", b"slow-body")
    head = (
        b"PUT /v1/agents/slow-body/versions/1.0.0 HTTP/1.1\r\nHost: x\r\n"
        + f"Authorization: {ADMIN['Authorization']}\r\n".encode()
        + b"Content-Type: text/markdown\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    with _connect(served.url) as slow:
        slow.sendall(head)
        received = b""
        for offset in range(0, 200, 10):  # 10 bytes every 0.25 s: 40 B/s against a 1000 B/s floor
            try:
                slow.sendall(body[offset : offset + 10])
            except OSError:
                break
            time.sleep(0.25)
        received, _ = _read_all(slow, 10)
        assert received == b"" or received.startswith(b"HTTP/1.1 408 "), received
    assert '"part": "body"' in served.log_text()  # "slow client cut off", under either server
    assert httpx.get(f"{served.url}/v1/agents/slow-body/versions/1.0.0").status_code == 404
    fast = httpx.put(
        f"{served.url}/v1/agents/slow-body/versions/1.0.0", content=body, headers=MARKDOWN
    )
    assert fast.status_code == 201


def _folder(name: str, size: int) -> bytes:
    """A skill folder (tar.gz) with one incompressible file of `size` bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in (
            ("SKILL.md", skill_file(name)),
            ("assets/noise.bin", random.Random(7).randbytes(size)),
        ):
            info = tarfile.TarInfo(f"{name}/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_client_that_stops_reading_the_response_is_cut_off(
    outage_server: tuple[Served, FaultProxy],
) -> None:
    """It asks for an 8 MB archive and reads nothing: once the server's send buffer has been
    full for REGISTRY_SEND_TIMEOUT (2 s here), the connection is dropped, not held forever."""
    served, _ = outage_server
    response = httpx.put(
        f"{served.url}/v1/skills/big-folder/versions/1.0.0",
        content=_folder("big-folder", 8 * 1024 * 1024),
        headers={"Content-Type": "application/gzip", **ADMIN},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    path = "/v1/skills/big-folder/versions/1.0.0/archive"
    size = len(httpx.get(f"{served.url}{path}", timeout=60).content)
    host, port = served.url.removeprefix("http://").split(":")
    with socket.socket() as stalled:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect((host, int(port)))
        stalled.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(2 + 4)  # reads nothing for the send timeout, and slack
        received, _ = _read_all(stalled, 10)
    assert b"200 OK" in received[:100]
    assert len(received) < size, "the server kept the unread response's connection open"
    if served.server == "uvicorn":
        assert "slow client cut off" in served.log_text()
    # Under granian the kernel drops the connection (TCP_USER_TIMEOUT on the listening socket):
    # nothing in the process sees it happen, so there is no line to log.
    # Everyone else is served as before.
    assert len(httpx.get(f"{served.url}{path}", timeout=60).content) == size
