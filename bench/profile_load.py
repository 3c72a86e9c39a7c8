#!/usr/bin/env python
"""Load benchmark of `GET /v1/profiles/{name}@{ref}` against a real `registry serve` process.

Starts the server itself on 127.0.0.1 (a fresh database on the local PostgreSQL when it is
reachable or `--database-url` names one, else the embedded PostgreSQL in a temporary directory),
waits for `/readyz`, seeds the examples (`--seed`), checks every scenario once, then drives each
scenario with a bounded closed loop: `--concurrency` workers, each sending its next request when
the previous answer arrived, for `--seconds` or until `--max-requests`, whichever comes first.
`/healthz` is the reference: every scenario is reported relative to it.

    python bench/profile_load.py [--seconds S] [--concurrency C] [--workers W] [--json out.json]

Only 127.0.0.1 is ever targeted. The server is stopped by its PID with SIGINT at the end, also on
failure; a fresh database on a given/local PostgreSQL is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy.engine import make_url

from service.auth.tokens import generate_token

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HOST = "127.0.0.1"
# The server takes it as REGISTRY_BOOTSTRAP_TOKEN; the publish scenario sends it.
TOKEN = generate_token()
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
AGENT = "dev-python"
AGENT_FILE = EXAMPLES / "agents" / f"{AGENT}.md"
REFERENCE = "healthz"
SCENARIO_NAMES = (
    "healthz",
    "profile exact json",
    "profile exact markdown",
    "profile range ^1",
    "profile tag latest",
    "profile 304",
    "batch of 2",
    "publish idempotent (200)",
)


# --------------------------------------------------------------------------- configuration


@dataclass
class Config:
    seconds: float = 8.0  # measured time per scenario
    warmup: float = 1.0  # unmeasured load before each scenario (same concurrency)
    concurrency: int = 8
    max_requests: int = 100_000  # per scenario: the closed loop also stops here
    workers: int = 1  # `registry serve --workers`
    client: str = "raw"  # "raw" (asyncio HTTP/1.1 keep-alive) or "httpx" (AsyncClient pool)
    loop: str = "uvloop"  # event loop of the load generator: "uvloop" or "asyncio"
    database: str = "auto"  # "auto" (local PostgreSQL if reachable), "embedded", or a server URL
    scenarios: tuple[str, ...] = SCENARIO_NAMES
    startup_timeout: float = 120.0
    quiet: bool = False
    # On a server URL: serve this existing database instead of a fresh one (and never drop it);
    # `keep_database`: leave the fresh database in place after the run (its name is logged).
    existing_database: str | None = None
    keep_database: bool = False


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    database: str  # how the database was provided, for the report
    cleanup: list[Callable[[], None]] = field(default_factory=list)
    database_name: str | None = None  # the fresh database on a given server
    pgdata: Path | None = None  # the embedded PostgreSQL's data directory

    def postgres_pids(self) -> list[int]:
        """The PostgreSQL backends serving this run (their CPU is part of each request's cost)."""
        if self.pgdata is not None:
            with contextlib.suppress(OSError, ValueError, IndexError):
                postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
                return _descendants(postmaster)
            return []
        if self.database_name is None:
            return []
        marker = f" {self.database_name} ".encode()
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            with contextlib.suppress(OSError, ValueError):
                cmdline = (entry / "cmdline").read_bytes()
                if cmdline.startswith(b"postgres: ") and marker in cmdline:
                    found.append(int(entry.name))
        return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _require_local(url: str) -> None:
    host = make_url(url).host
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing a database that is not on this machine: host {host!r}")


async def _reachable(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url, timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def _create_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _log(config: Config, message: str) -> None:
    if not config.quiet:
        print(message, file=sys.stderr, flush=True)


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_server(config: Config) -> Server:
    """`registry serve --seed` on a free port of 127.0.0.1, ready (`/readyz` 200) when returned."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REGISTRY_DATABASE_URL"}
    }
    env["REGISTRY_BOOTSTRAP_TOKEN"] = TOKEN
    cleanup: list[Callable[[], None]] = []
    workdir = Path(tempfile.mkdtemp(prefix="registry-bench-"))
    cleanup.append(lambda: _rmtree(workdir))
    args = [sys.executable, "-m", "service.cli", "serve", "--host", HOST]
    server_url = None
    database_name = pgdata = None
    if config.database == "auto":
        server_url = LOCAL_POSTGRES if asyncio.run(_reachable(LOCAL_POSTGRES)) else None
    elif config.database != "embedded":
        server_url = config.database.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        if server_url is not None:
            _require_local(server_url)
            name = database_name = (
                config.existing_database or f"registry_bench_{uuid.uuid4().hex[:12]}"
            )
            fresh = config.existing_database is None
            if fresh:
                asyncio.run(_create_database(server_url, name))
            if fresh and not config.keep_database:
                cleanup.append(lambda: asyncio.run(_drop_database(server_url, name)))
            url = make_url(server_url).set(database=name)
            env["DATABASE_URL"] = url.render_as_string(hide_password=False)
            kept = "" if fresh and not config.keep_database else ", kept after the run"
            database = (
                f"PostgreSQL at {url.host}:{url.port or 5432},"
                f" {'fresh' if fresh else 'existing'} database {name}{kept}"
            )
        else:
            args += ["--data-dir", str(workdir / "data")]
            pgdata = workdir / "data" / "pgdata"
            database = "embedded PostgreSQL (pgserver) in a temporary directory"
        port = _free_port()
        args += ["--port", str(port), "--workers", str(config.workers), "--seed"]
        log_path = workdir / "server.log"
        with log_path.open("wb") as log:
            # One JSON log line per request: to a file, never a pipe that could fill up and block.
            # Its own session: a Ctrl-C in the terminal reaches only us, and we stop it by PID.
            process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
    except BaseException:
        _run_cleanup(cleanup)
        raise
    server = Server(
        f"http://{HOST}:{port}", port, process, log_path, database, cleanup, database_name, pgdata
    )
    _log(config, f"started registry serve (pid {process.pid}) on {server.url}: {database}")
    try:
        _wait_ready(server, config.startup_timeout)
        if config.workers > 1:
            _wait_workers_settled(server, config.workers, config.startup_timeout)
    except BaseException:
        stop_server(server)
        raise
    return server


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"registry serve exited early ({server.process.returncode}):\n"
                + _log_tail(server.log_path)
            )
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"registry serve was not ready within {timeout:.0f} s:\n" + _log_tail(server.log_path)
    )


def _wait_workers_settled(server: Server, workers: int, timeout: float) -> None:
    """/readyz answers once one worker is up; wait until every worker has finished starting.

    Otherwise the first worker accepts every connection of the first scenarios. A worker that
    has started sits idle, so: all `workers` child processes exist and none used CPU for 0.5 s.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = _descendants(server.process.pid)
        before = _cpu_times(children)
        time.sleep(0.5)
        after = _cpu_times(children)
        busy = [pid for pid in before if after.get(pid, 0.0) - before[pid] > 0.05]
        if len(children) >= workers and not busy:
            return
    raise RuntimeError(f"the {workers} workers did not settle within {timeout:.0f} s")


def _descendants(pid: int) -> list[int]:
    """Child processes (the server's workers) from /proc; empty where /proc is not there."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError, ValueError):
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                pending += children
    return found


def stop_server(server: Server, timeout: float = 30.0) -> int | None:
    """SIGINT to the server's PID (it drains, the embedded database stops), then wait."""
    process = server.process
    try:
        if process.poll() is None:
            children = _descendants(process.pid)
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                for pid in [process.pid, *children]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.wait(10)
        return process.returncode
    finally:
        _run_cleanup(server.cleanup)


def _run_cleanup(steps: list[Callable[[], None]]) -> None:
    while steps:
        step = steps.pop()
        try:
            step()
        except Exception as exc:  # cleanup must go on: report and continue
            print(f"bench cleanup step failed: {exc!r}", file=sys.stderr)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def running_server(config: Config) -> Iterator[Server]:
    server = start_server(config)
    try:
        yield server
    finally:
        code = stop_server(server)
        _log(config, f"stopped registry serve (pid {server.process.pid}): exit {code}")


def _cpu_times(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of those processes still alive (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    times: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            times[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return times


def _machine_busy() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / ticks, sum(values) / ticks


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float | None:
    """CPU seconds used between two snapshots by the processes in both; None without /proc."""
    common = before.keys() & after.keys()
    if not common:
        return None
    return sum(after[pid] - before[pid] for pid in common)


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    expect: int
    expect_length: int | None = None  # body size seen in the preflight; each answer must match

    def raw_request(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {HOST}"]
        lines += [f"{k}: {v}" for k, v in self.headers]
        if self.body or self.method in {"POST", "PUT"}:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def build_scenarios(url: str, wanted: tuple[str, ...]) -> list[Scenario]:
    """Every scenario, checked once against the live server (status, media type, body)."""
    agent = AGENT_FILE.read_bytes()
    exact = f"/v1/profiles/{AGENT}@1.0.0"
    json_accept = (("Accept", "application/json"),)
    with httpx.Client(base_url=url, timeout=10) as http:
        etag = http.get(exact).headers.get("etag")
        if not etag:
            raise RuntimeError(f"GET {exact} carries no ETag: is the server seeded?")
        batch = json.dumps({"refs": [f"{AGENT}@1.0.0", "flask-specialist@^1"]}).encode()
        candidates = [
            Scenario(REFERENCE, "GET", "/healthz", (), b"", 200),
            Scenario("profile exact json", "GET", exact, json_accept, b"", 200),
            Scenario(
                "profile exact markdown", "GET", exact, (("Accept", "text/markdown"),), b"", 200
            ),
            Scenario(
                "profile range ^1", "GET", f"/v1/profiles/{AGENT}@%5E1", json_accept, b"", 200
            ),
            Scenario("profile tag latest", "GET", f"/v1/profiles/{AGENT}", json_accept, b"", 200),
            Scenario("profile 304", "GET", exact, (("If-None-Match", etag),), b"", 304),
            Scenario(
                "batch of 2",
                "POST",
                "/v1/profiles",
                (("Content-Type", "application/json"),),
                batch,
                200,
            ),
            Scenario(
                "publish idempotent (200)",
                "PUT",
                f"/v1/agents/{AGENT}/versions/1.0.0",
                (("Content-Type", "text/markdown"), ("Authorization", f"Bearer {TOKEN}")),
                agent,
                200,
            ),
        ]
        checked: list[Scenario] = []
        for scenario in candidates:
            if scenario.name not in wanted:
                continue
            response = http.request(
                scenario.method,
                scenario.path,
                headers=dict(scenario.headers),
                content=scenario.body or None,
            )
            _preflight(scenario, response)
            checked.append(Scenario(**{**asdict(scenario), "expect_length": len(response.content)}))
    unknown = set(wanted) - {s.name for s in checked}
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return checked


def _preflight(scenario: Scenario, response: httpx.Response) -> None:
    def fail(why: str) -> None:
        raise RuntimeError(
            f"preflight of {scenario.name!r} ({scenario.method} {scenario.path}): {why}; "
            f"got {response.status_code} {response.text[:300]!r}"
        )

    if response.status_code != scenario.expect:
        fail(f"expected status {scenario.expect}")
    media = response.headers.get("content-type", "")
    name = scenario.name
    if name == "profile exact markdown" and not media.startswith("text/markdown"):
        fail("expected text/markdown")
    if name.startswith("profile") and name != "profile 304":
        if "markdown" not in name:
            profile = response.json()
            if (profile.get("name"), profile.get("version")) != (AGENT, "1.0.0"):
                fail("expected the dev-python@1.0.0 profile")
        # Profiles are revalidated, never immutable; a tag or range names its choice.
        exact = "exact" in name
        if "immutable" in response.headers.get("cache-control", "immutable"):
            fail("a profile is not immutable: it carries lifecycle state")
        if exact == ("content-location" in response.headers):
            fail("unexpected Content-Location for this reference")
    if name == "profile 304" and response.content:
        fail("a 304 has no body")
    if name == "batch of 2":
        results = response.json()["results"]
        if [r["status"] for r in results] != [200, 200]:
            fail("expected two resolved profiles")


# --------------------------------------------------------------------------- HTTP clients


class Client(Protocol):
    async def send(self) -> tuple[int, int]:
        """One request of the scenario: (status, body length)."""

    async def aclose(self) -> None: ...


class RawClient:
    """HTTP/1.1 keep-alive over one asyncio connection; the request bytes are built once."""

    def __init__(self, port: int, scenario: Scenario) -> None:
        self.port = port
        self.request = scenario.raw_request()
        self.head_only = scenario.method == "HEAD"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.reader, self.writer

    async def send(self) -> tuple[int, int]:
        if self.reader is None or self.writer is None:
            reader, writer = await self.connect()
        else:
            reader, writer = self.reader, self.writer
        try:
            writer.write(self.request)
            head = await reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            await self.aclose()
            raise
        status_line, _, header_block = head.partition(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        chunked = close = False
        for line in header_block.split(b"\r\n"):
            key, _, value = line.partition(b":")
            key = key.strip().lower()
            if key == b"content-length":
                length = int(value)
            elif key == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif key == b"connection":
                close = value.strip().lower() == b"close"
        if status in (204, 304) or 100 <= status < 200 or self.head_only:
            size = 0
        elif chunked:
            size = await self._read_chunked(reader)
        else:
            await reader.readexactly(length)
            size = length
        if close:
            await self.aclose()
        return status, size

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> int:
        size = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            chunk = int(line.split(b";", 1)[0], 16)
            if chunk == 0:
                await reader.readuntil(b"\r\n")  # no trailers are sent
                return size
            await reader.readexactly(chunk + 2)
            size += chunk

    async def aclose(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()


class HttpxClient:
    """httpx.AsyncClient with a keep-alive pool of `concurrency` connections, shared by workers."""

    def __init__(self, pool: httpx.AsyncClient, scenario: Scenario) -> None:
        self.pool = pool
        self.method = scenario.method
        self.path = scenario.path
        self.headers = dict(scenario.headers)
        self.body = scenario.body or None

    async def send(self) -> tuple[int, int]:
        response = await self.pool.request(
            self.method, self.path, headers=self.headers, content=self.body
        )
        return response.status_code, len(response.content)

    async def aclose(self) -> None:
        return None


# --------------------------------------------------------------------------- the load loop


@dataclass
class Result:
    name: str
    method: str
    path: str
    expect: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    ratio_rps: float | None = None  # throughput relative to the reference (healthz)
    ratio_p50: float | None = None  # p50 latency relative to the reference
    server_cpu_ms_per_req: float | None = None
    server_cpu_util: float | None = None  # cores busy in the server process(es)
    # Cores busy per server process: with --workers > 1, how evenly the connections spread.
    server_cpu_by_pid: dict[str, float] = field(default_factory=dict)
    db_cpu_ms_per_req: float | None = None  # CPU of the PostgreSQL backends serving this run
    db_cpu_util: float | None = None
    generator_cpu_util: float | None = None  # cores busy in this (load generator) process
    machine_cpu_util: float | None = None  # cores busy on the whole machine (everything)
    capped: bool = False  # the loop stopped at max_requests, not at the time limit
    error_samples: list[str] = field(default_factory=list)


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


async def _drive(
    clients: list[Client], scenario: Scenario, seconds: float, cap: int
) -> tuple[list[float], int, list[str], float, bool]:
    """Closed loop: each client sends its next request when the answer to the last arrived."""
    latencies: list[float] = []
    samples: list[str] = []
    errors = 0
    issued = 0
    started = time.perf_counter()
    deadline = started + seconds
    clock = time.perf_counter

    async def worker(client: Client) -> None:
        nonlocal errors, issued
        while issued < cap and clock() < deadline:
            issued += 1
            t0 = clock()
            try:
                status, size = await client.send()
            except Exception as exc:
                latencies.append(clock() - t0)
                errors += 1
                if len(samples) < 5:
                    samples.append(repr(exc))
                continue
            latencies.append(clock() - t0)
            if status != scenario.expect or (
                scenario.expect_length is not None and size != scenario.expect_length
            ):
                errors += 1
                if len(samples) < 5:
                    samples.append(f"status {status}, {size} bytes")

    await asyncio.gather(*(worker(c) for c in clients))
    return latencies, errors, samples, clock() - started, issued >= cap


async def run_scenario(server: Server, scenario: Scenario, config: Config) -> Result:
    pool: httpx.AsyncClient | None = None
    clients: list[Client]
    raw: list[RawClient] = []
    if config.client == "httpx":
        limits = httpx.Limits(
            max_connections=config.concurrency, max_keepalive_connections=config.concurrency
        )
        pool = httpx.AsyncClient(base_url=server.url, limits=limits, timeout=30)
        clients = [HttpxClient(pool, scenario) for _ in range(config.concurrency)]
    elif config.client == "raw":
        raw = [RawClient(server.port, scenario) for _ in range(config.concurrency)]
        clients = list(raw)
    else:
        raise SystemExit(f"unknown client {config.client!r}: raw or httpx")
    try:
        # Connect one at a time: a burst of connects is accepted whole by whichever uvicorn worker
        # wakes first (one shared listening socket), which with --workers > 1 leaves the others
        # idle for the whole scenario.
        for connection in raw:
            await connection.connect()
            await asyncio.sleep(0.02)
        if config.warmup > 0:
            await _drive(clients, scenario, config.warmup, config.max_requests)
        # Looked up after the warm-up: uvicorn workers may still be spawning right after /readyz,
        # and the pool's database connections exist by now.
        pids = [server.process.pid, *_descendants(server.process.pid)]
        db_pids = server.postgres_pids()
        cpu_before, db_before = _cpu_times(pids), _cpu_times(db_pids)
        gen_before, machine_before = time.process_time(), _machine_busy()
        latencies, errors, samples, elapsed, capped = await _drive(
            clients, scenario, config.seconds, config.max_requests
        )
        gen_cpu, machine_after = time.process_time() - gen_before, _machine_busy()
        cpu_after, db_after = _cpu_times(pids), _cpu_times(db_pids)
    finally:
        for client in clients:
            await client.aclose()
        if pool is not None:
            await pool.aclose()
    latencies.sort()
    count = len(latencies)
    server_cpu = _cpu_used(cpu_before, cpu_after)
    db_cpu = _cpu_used(db_before, db_after)
    machine_cpu = machine_after[0] - machine_before[0] if machine_before and machine_after else None
    return Result(
        name=scenario.name,
        method=scenario.method,
        path=scenario.path,
        expect=scenario.expect,
        requests=count,
        errors=errors,
        seconds=round(elapsed, 3),
        rps=count / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=(latencies[-1] * 1000) if latencies else math.nan,
        server_cpu_ms_per_req=(server_cpu * 1000 / count)
        if server_cpu is not None and count
        else None,
        server_cpu_util=(server_cpu / elapsed) if server_cpu is not None and elapsed else None,
        server_cpu_by_pid={
            str(pid): round((cpu_after[pid] - cpu_before[pid]) / elapsed, 3)
            for pid in cpu_before.keys() & cpu_after.keys()
            if elapsed and cpu_after[pid] > cpu_before[pid]
        },
        db_cpu_ms_per_req=(db_cpu * 1000 / count) if db_cpu is not None and count else None,
        db_cpu_util=(db_cpu / elapsed) if db_cpu is not None and elapsed else None,
        generator_cpu_util=gen_cpu / elapsed if elapsed else None,
        machine_cpu_util=machine_cpu / elapsed if machine_cpu is not None and elapsed else None,
        capped=capped,
        error_samples=samples,
    )


@dataclass
class Report:
    started_at: str
    machine: dict[str, Any]
    config: dict[str, Any]
    database: str
    results: list[Result]
    server_exit: int | None = None

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.results)

    def as_json(self) -> dict[str, Any]:
        return {
            "startedAt": self.started_at,
            "machine": self.machine,
            "config": self.config,
            "database": self.database,
            "serverExit": self.server_exit,
            "errors": self.errors,
            "results": [asdict(r) for r in self.results],
        }


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _runner(loop: str) -> asyncio.Runner:
    if loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            return asyncio.Runner()
        return asyncio.Runner(loop_factory=uvloop.new_event_loop)
    return asyncio.Runner()


def run(config: Config) -> Report:
    """Start the server, run every scenario, stop the server; the report of what was measured."""
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results: list[Result] = []
    server = start_server(config)
    exit_code: int | None = None
    try:
        scenarios = build_scenarios(server.url, config.scenarios)
        with _runner(config.loop) as runner:
            for scenario in scenarios:
                _log(
                    config,
                    f"  {scenario.name}: {config.seconds:g} s at concurrency {config.concurrency}",
                )
                result = runner.run(run_scenario(server, scenario, config))
                results.append(result)
                if server.process.poll() is not None:
                    raise RuntimeError(
                        "registry serve died during the run:\n" + _log_tail(server.log_path)
                    )
    finally:
        exit_code = stop_server(server)
        _log(config, f"stopped registry serve (pid {server.process.pid}): exit {exit_code}")
    reference = next((r for r in results if r.name == REFERENCE), None)
    if reference is not None and reference.rps > 0:
        for result in results:
            result.ratio_rps = result.rps / reference.rps
            result.ratio_p50 = result.p50_ms / reference.p50_ms if reference.p50_ms else None
    settings = asdict(config)
    settings["scenarios"] = list(config.scenarios)
    return Report(started_at, _machine(), settings, server.database, results, exit_code)


# --------------------------------------------------------------------------- output


def markdown_table(report: Report) -> str:
    def num(value: float | None, digits: int = 2) -> str:
        return "—" if value is None or math.isnan(value) else f"{value:.{digits}f}"

    lines = [
        "| scenario | expect | requests | errors | req/s | vs healthz | p50 ms | p95 ms | p99 ms"
        " | CPU ms/req server + db | cores: server / db / generator / machine |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in report.results:
        ratio = "1.00× (ref)" if r.name == REFERENCE else f"{num(r.ratio_rps)}×"
        lines.append(
            f"| {r.name} | {r.expect} | {r.requests}{' (cap)' if r.capped else ''} | {r.errors}"
            f" | {r.rps:.0f} | {ratio} | {num(r.p50_ms)} | {num(r.p95_ms)} | {num(r.p99_ms)}"
            f" | {num(r.server_cpu_ms_per_req)} + {num(r.db_cpu_ms_per_req)}"
            f" | {num(r.server_cpu_util)} / {num(r.db_cpu_util)} / {num(r.generator_cpu_util)}"
            f" / {num(r.machine_cpu_util)} |"
        )
    return "\n".join(lines)


def summary(report: Report) -> str:
    m, c = report.machine, report.config
    head = (
        f"Run {report.started_at} — {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}; "
        f"registry serve --workers {c['workers']}; {report.database}; client {c['client']} "
        f"on {c['loop']}, concurrency {c['concurrency']}, {c['seconds']:g} s per scenario "
        f"(+{c['warmup']:g} s warm-up), cap {c['max_requests']} requests."
    )
    return head + "\n\n" + markdown_table(report)


def parse_args(argv: list[str] | None) -> tuple[Config, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    d = Config()
    parser.add_argument("--seconds", type=float, default=d.seconds, help="measured s per scenario")
    parser.add_argument("--warmup", type=float, default=d.warmup, help="warm-up s per scenario")
    parser.add_argument("--concurrency", type=int, default=d.concurrency)
    parser.add_argument("--max-requests", type=int, default=d.max_requests, help="per scenario")
    parser.add_argument("--workers", type=int, default=d.workers, help="registry serve --workers")
    parser.add_argument("--client", choices=("raw", "httpx"), default=d.client)
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default=d.loop)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server on this machine (a fresh database is created and dropped)",
    )
    parser.add_argument("--embedded", action="store_true", help="use the embedded PostgreSQL")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIO_NAMES,
        help="run only these (repeatable); the reference healthz is always included",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the report as JSON here")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.seconds <= 0 or args.max_requests < 1 or args.workers < 1:
        parser.error("--concurrency, --seconds, --max-requests and --workers must be positive")
    if args.embedded and args.database_url:
        parser.error("--embedded and --database-url are exclusive")
    database = "embedded" if args.embedded else (args.database_url or "auto")
    scenarios: tuple[str, ...] = SCENARIO_NAMES
    if args.scenario:
        scenarios = tuple(s for s in SCENARIO_NAMES if s == REFERENCE or s in args.scenario)
    config = Config(
        seconds=args.seconds,
        warmup=args.warmup,
        concurrency=args.concurrency,
        max_requests=args.max_requests,
        workers=args.workers,
        client=args.client,
        loop=args.loop,
        database=database,
        scenarios=scenarios,
    )
    return config, args.json


def main(argv: list[str] | None = None) -> int:
    config, json_path = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the `finally` that stops the server (and drops the database)
    # runs either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    report = run(config)
    print(summary(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report.as_json(), indent=2) + "\n")
        print(f"\nJSON report: {json_path}", file=sys.stderr)
    if report.errors:
        for r in report.results:
            if r.errors:
                print(f"{r.name}: {r.errors} error(s), e.g. {r.error_samples}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "SCENARIO_NAMES",
    "Config",
    "Report",
    "Result",
    "main",
    "markdown_table",
    "run",
    "running_server",
    "start_server",
    "stop_server",
]
