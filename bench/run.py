#!/usr/bin/env python
"""The profile benchmark: `registry serve` against a bare FastAPI reference, driven by `wrk`.

    python bench/run.py                       # examples + 100 000 versions, writes bench/RESULTS.md
    python bench/run.py --population 0 --seconds 3 --rounds 1 --out /tmp/r.md   # quick look
    python bench/run.py --only first --rounds 4 --py-spy /tmp/spy   # one path, JSON, profiled

Starts a real `registry serve` (one worker of its default server, granian; `--server uvicorn`
for the other) on a fresh database of the local PostgreSQL
(`--database-url`, else postgresql://postgres@127.0.0.1:5432 when it answers, else an embedded
PostgreSQL the harness starts), seeds the examples, and starts the reference
(`bench/reference_app.py`, one uvicorn process) serving the registry's own answers from memory.
Each scenario runs `wrk -t1 -c32` against the reference and the registry, interleaved, `--rounds`
times; every figure is a ratio to the reference in the same round. Then: a second registry
process with the profile cache off (first fetches), publish throughput through the API (8
concurrent publishers, an agent with six skills), the 100 000-version population (bulk COPY,
`bench/population.py`) and the same scenarios again. It writes the markdown report and a PNG plot
of latencies (matplotlib, when installed). Only 127.0.0.1 is targeted; processes are stopped by
PID, the fresh database is dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy.engine import make_url

from service.profiles.repository import EXACT_SQL, HIGHEST_STABLE_SQL, range_sql
from service.semver import Version

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profile_load import (
    HOST,
    LOCAL_POSTGRES,
    TOKEN,
    _create_database,
    _descendants,
    _drop_database,
    _free_port,
    _log_tail,
    _reachable,
    _require_local,
)

ROOT = Path(__file__).resolve().parents[1]
AGENT = "dev-python"
AGENT_FILE = ROOT / "examples" / "agents" / f"{AGENT}.md"
WRK = shutil.which("wrk") or "/usr/bin/wrk"

TARGETS = {
    "exact json": ("ratio", 0.8, 10.0),
    "exact markdown": ("ratio", 0.8, 10.0),
    "digest": ("ratio", 0.8, 10.0),
    "304": ("ratio", 1.0, None),
    "range ^1": ("ratio", 0.6, None),
    "tag latest": ("ratio", 0.6, None),
    "bare name": ("ratio", 0.6, None),
    "first fetch": ("ratio", 0.3, None),
}


@dataclass
class Scenario:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    cold: bool = False  # against the server whose profile cache is off


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx answers plus socket errors


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    database: str = ""  # a registry's database name (its backends' CPU is measured)


# --------------------------------------------------------------------------- processes


def start(name: str, args: list[str], env: dict[str, str], workdir: Path, port: int) -> Proc:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    proc = Proc(name, process, f"http://{HOST}:{port}", log)
    deadline = time.monotonic() + 120
    probe = "/readyz" if name.startswith("registry") else "/healthz"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{_log_tail(log)}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(proc.url + probe, timeout=2).status_code == 200:
                return proc
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{name} not ready in 120 s:\n{_log_tail(log)}")


def stop(proc: Proc) -> int | None:
    if proc.process.poll() is None:
        proc.process.send_signal(signal.SIGINT)
        try:
            proc.process.wait(30)
        except subprocess.TimeoutExpired:
            proc.process.kill()
            proc.process.wait(10)
    return proc.process.returncode


def registry(
    name: str,
    database_url: str,
    workdir: Path,
    *,
    server: str | None = None,
    seed: bool = False,
    **env_extra: str,
) -> Proc:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REGISTRY_DATABASE_URL"}}
    env |= {"DATABASE_URL": database_url, "REGISTRY_BOOTSTRAP_TOKEN": TOKEN}
    env |= {"REGISTRY_DATA_DIR": str(workdir / "data"), **env_extra}
    args = [sys.executable, "-m", "service.cli", "serve", "--host", HOST, "--port", str(port)]
    args += ["--server", server] if server else []  # else registry serve's default
    args += ["--seed"] if seed else []
    proc = start(name, args, env, workdir, port)
    proc.database = make_url(database_url).database or ""
    return proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and of its children's processes that are
    running (granian's workers; a `registry serve` here has no embedded PostgreSQL)."""
    total = 0.0
    for each in (pid, *_descendants(pid)):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def backends_cpu(database: str) -> float:
    """CPU time so far of the PostgreSQL backends connected to `database` (by process title);
    a local server only (the harness refuses others)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            title = (proc / "cmdline").read_bytes().decode(errors="replace")
            if title.startswith("postgres: ") and f" {database} " in title:
                total += cpu_seconds(int(proc.name))
    return total


def rss_mib(pid: int) -> float:
    """RSS of the process that serves: the largest of a process and its children (under
    granian, the worker; its supervisor holds no cache)."""
    found = []
    for each in (pid, *_descendants(pid)):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found.append(int(line.split()[1]) / 1024)
    return max(found, default=float("nan"))


@contextlib.contextmanager
def database(url_arg: str | None, workdir: Path) -> Iterator[str]:
    """A fresh database on a local server (dropped after), else an embedded PostgreSQL."""
    server_url = url_arg
    if server_url is None and asyncio.run(_reachable(LOCAL_POSTGRES)):
        server_url = LOCAL_POSTGRES
    if server_url is None:
        from service.db.embedded import start_embedded

        embedded = start_embedded(workdir / "pg")
        try:
            yield embedded.url
        finally:
            embedded.stop()
        return
    _require_local(server_url)
    name = f"registry_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(server_url, name))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_drop_database(server_url, name))


# --------------------------------------------------------------------------- wrk

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise RuntimeError(f"unreadable wrk latency {text!r}")
    return float(found[1]) * _UNITS[found[2]]


def wrk(
    url: str, headers: dict[str, str], seconds: float, connections: int, script: Path | None = None
) -> Run:
    args = [
        WRK,
        *(["-s", str(script)] if script else []),
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    done = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 30)
    out = done.stdout
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed on {url}: {out} {done.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(n) for n in errors.groups()) if errors else 0
    return Run(rps, p50, p99, requests, bad)


# --------------------------------------------------------------------------- scenarios


def scenarios(reg: str) -> list[Scenario]:
    detail = httpx.get(f"{reg}/v1/agents/{AGENT}/versions/1.0.0", timeout=10).json()
    etag = httpx.get(f"{reg}/v1/profiles/{AGENT}@1.0.0", timeout=10).headers["etag"]
    base = f"/v1/profiles/{AGENT}"
    return [
        Scenario("exact json", f"{base}@1.0.0"),
        Scenario("exact markdown", f"{base}@1.0.0?format=markdown"),
        Scenario("digest", f"{base}@{detail['digest']}"),
        Scenario("304", f"{base}@1.0.0", {"If-None-Match": etag}, expect=304),
        Scenario("range ^1", f"{base}@%5E1"),
        Scenario("tag latest", f"{base}@latest"),
        Scenario("bare name", base),
        Scenario("first fetch", f"{base}@1.0.0", cold=True),
    ]


def reference_bodies(reg: str, cases: list[Scenario], workdir: Path) -> Path:
    """The registry's answers, checked, for the reference to send as they are."""
    spec: dict[str, list[str]] = {}
    for case in cases:
        answer = httpx.get(reg + case.path, headers=case.headers, timeout=10)
        if answer.status_code != case.expect:
            raise RuntimeError(f"{case.name}: {answer.status_code} {answer.text[:300]}")
        if case.expect == 200:
            body = workdir / f"body-{len(spec)}"
            body.write_bytes(answer.content)
            media = answer.headers["content-type"]
            spec[case.path] = [media, answer.headers["etag"], str(body)]
    path = workdir / "bodies.json"
    path.write_text(json.dumps(spec))
    return path


def selected(cases: list[Scenario], only: str | None) -> list[Scenario]:
    """`--only first,304`: the scenarios whose name starts with one of the words given."""
    if not only:
        return cases
    words = [word.strip() for word in only.split(",") if word.strip()]
    chosen = [case for case in cases if any(case.name.startswith(word) for word in words)]
    if not chosen:
        raise SystemExit(f"--only {only!r} matches none of: {', '.join(c.name for c in cases)}")
    return chosen


@contextlib.contextmanager
def py_spy(proc: Proc, out: Path | None, name: str, seconds: float) -> Iterator[None]:
    """`--py-spy DIR`: the registry process and its workers sampled (collapsed stacks) while
    wrk loads it."""
    if out is None:
        yield
        return
    out.mkdir(parents=True, exist_ok=True)
    stacks = out / f"{name.replace(' ', '-')}-{time.strftime('%H%M%S')}.txt"
    spy_bin = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    args = [spy_bin, "record", "--pid", str(proc.process.pid), "--format", "raw", "--rate", "250"]
    args += ["--duration", str(max(1, round(seconds))), "--output", str(stacks), "--nonblocking"]
    args += ["--subprocesses"]
    spy = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        try:
            spy.wait(seconds + 30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait(10)
        print(f"  py-spy: {stacks}", file=sys.stderr)


def measure(
    cases: list[Scenario], ref: Proc, hot: Proc, cold: Proc, args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """Each scenario against the reference then the registry, `--rounds` times, interleaved."""
    runs: dict[str, list[tuple[Run, Run]]] = {c.name: [] for c in cases}
    cpu_per_request: dict[str, list[float]] = {c.name: [] for c in cases}
    db_cpu_per_request: dict[str, list[float]] = {c.name: [] for c in cases}
    ref_cpu_per_request: dict[str, list[float]] = {c.name: [] for c in cases}
    for _ in range(args.rounds):
        for case in cases:
            target = cold if case.cold else hot
            ref_cpu = cpu_seconds(ref.process.pid)
            reference = wrk(ref.url + case.path, case.headers, args.seconds, args.connections)
            ref_cpu = cpu_seconds(ref.process.pid) - ref_cpu
            ref_cpu_per_request[case.name].append(1000 * ref_cpu / max(reference.requests, 1))
            cpu, db_cpu = cpu_seconds(target.process.pid), backends_cpu(target.database)
            with py_spy(target, args.py_spy, case.name, args.seconds):
                ours = wrk(target.url + case.path, case.headers, args.seconds, args.connections)
            cpu = cpu_seconds(target.process.pid) - cpu
            db_cpu = backends_cpu(target.database) - db_cpu
            runs[case.name].append((reference, ours))
            cpu_per_request[case.name].append(1000 * cpu / max(ours.requests, 1))
            db_cpu_per_request[case.name].append(1000 * db_cpu / max(ours.requests, 1))
            print(
                f"  {case.name:<15} ref {reference.rps:8.0f}/s  registry {ours.rps:8.0f}/s"
                f"  ratio {ours.rps / reference.rps:5.2f}  p99 {ours.p99_ms:6.2f} ms"
                f"  bad {ours.bad}  CPU ms/req: registry {cpu_per_request[case.name][-1]:.3f}"
                f" + db {db_cpu_per_request[case.name][-1]:.3f},"
                f" reference {ref_cpu_per_request[case.name][-1]:.3f}",
                file=sys.stderr,
                flush=True,
            )
    table: dict[str, dict[str, Any]] = {}
    for name, pairs in runs.items():
        table[name] = {
            "ref_rps": statistics.median(r.rps for r, _ in pairs),
            "rps": statistics.median(o.rps for _, o in pairs),
            "ratio": statistics.median(o.rps / r.rps for r, o in pairs),
            "ref_p50": statistics.median(r.p50_ms for r, _ in pairs),
            "ref_p99": statistics.median(r.p99_ms for r, _ in pairs),
            "p50": statistics.median(o.p50_ms for _, o in pairs),
            "p99": statistics.median(o.p99_ms for _, o in pairs),
            "bad": sum(o.bad for _, o in pairs),
            # The registry process's CPU (user + system) per answer, wrk's run included.
            "cpu_ms": statistics.median(cpu_per_request[name]),
            # Its PostgreSQL backends' (this database's, however many), and the reference's.
            "db_cpu_ms": statistics.median(db_cpu_per_request[name]),
            "ref_cpu_ms": statistics.median(ref_cpu_per_request[name]),
        }
    return table


async def _publish_load(
    url: str, seconds: float, publishers: int, client: str = "raw", major: int = 2
) -> dict[str, Any]:
    """`publishers` loops, each publishing new versions of dev-python (six skills) by PUT, on
    one keep-alive connection each. `client`: `raw` writes each request and reads each answer
    on a bare asyncio stream (about a tenth of the CPU of httpx, which shares the machine's two
    cores with the server under test); `httpx` is the SDK's client. The CPU the publishers
    themselves used is reported (`client_cpu_ms` per publish)."""
    text = AGENT_FILE.read_text()
    done = failed = 0
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def loop(worker: int, put: Any) -> None:
        nonlocal done, failed
        n = 0
        while time.monotonic() < deadline:
            n += 1
            version = f"{major}.{worker}.{n}"
            body = text.replace("# Python Developer", f"# Python Developer {version}", 1)
            started = time.perf_counter()
            status = await put(f"/v1/agents/{AGENT}/versions/{version}", body.encode())
            latencies.append(time.perf_counter() - started)
            if status == 201:
                done += 1
            else:
                failed += 1

    cpu = time.process_time()
    started = time.monotonic()
    if client == "httpx":
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/markdown"}
        limits = httpx.Limits(max_connections=publishers)
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=30
        ) as http:

            async def put(path: str, body: bytes) -> int:
                return (await http.put(path, content=body)).status_code

            await asyncio.gather(*(loop(w, put) for w in range(publishers)))
    else:
        await asyncio.gather(*(_raw_loop(url, w, loop) for w in range(publishers)))
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu
    latencies.sort()
    return {
        "per_second": done / elapsed,
        "published": done,
        "failed": failed,
        "p50": latencies[len(latencies) // 2] * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan"),
        "client": client,
        "client_cpu_ms": cpu * 1000 / max(done + failed, 1),
    }


async def _raw_loop(url: str, worker: int, loop: Any) -> None:
    """Run `loop(worker, put)` with `put` on one keep-alive HTTP/1.1 connection of its own."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    prefix = f"Host: {host}:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
    prefix += "Content-Type: text/markdown\r\n"

    async def put(path: str, body: bytes) -> int:
        head = f"PUT {path} HTTP/1.1\r\n{prefix}Content-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)
        status = int((await asyncio.wait_for(reader.readline(), 30)).split()[1])
        length = None
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        assert length is not None, "the server answered without Content-Length"
        await reader.readexactly(length)
        return status

    try:
        await loop(worker, put)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


SWEEP = """paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


def sweep(hot: Proc, population: int, workdir: Path, seconds: float, connections: int) -> Run:
    """Every version of the population in turn, JSON then Markdown: first fetches that fill
    the cache to its bound and past it (LRU evictions), as many orchestrators starting many
    different agents would."""
    from population import PREFIX

    paths = workdir / "paths.txt"
    with paths.open("w") as out:
        for i in range(population // 4):
            for v in range(4):
                out.write(f"/v1/profiles/{PREFIX}-agent-{i}@1.{v}.0\n")
                out.write(f"/v1/profiles/{PREFIX}-agent-{i}@1.{v}.0?format=markdown\n")
    script = workdir / "sweep.lua"
    script.write_text(SWEEP)
    os.environ["BENCH_PATHS"] = str(paths)
    return wrk(hot.url + "/", {}, seconds, connections, script)


def cache_metrics(url: str) -> dict[str, float]:
    found = {}
    for line in httpx.get(url + "/metrics", timeout=10).text.splitlines():
        for name in ("hits_total", "misses_total", "evictions_total", "bytes", "entries"):
            if line.startswith(f"registry_profile_cache_{name} "):
                found[name] = float(line.split()[1])
    return found


# --------------------------------------------------------------------------- plans

PLANS = {
    "exact version (first fetch)": (EXACT_SQL["json"], ("default", "pop-agent-7", "1.2.0")),
    # dev-python holds the publish phase's ~1,500+ versions (2.x): `^1` reads down past none.
    "range ^1 of an agent (a page from the top)": (
        range_sql(low=True, high="<="),
        (
            "agent",
            "default",
            "dev-python",
            *Version(2, 0, 0, ("0",)).order_columns(),  # `^1`'s bounds: <2.0.0-0, >=1.0.0
            *Version(1, 0, 0).order_columns(),
        ),
    ),
    "latest, untagged (highest release not yanked)": (
        HIGHEST_STABLE_SQL,
        ("agent", "default", "dev-python"),
    ),
    "tags of an agent": (
        "SELECT t.tag, v.version FROM tags t JOIN artifacts a ON a.id = t.artifact_id"
        " JOIN artifact_versions v ON v.id = t.version_id"
        " WHERE a.kind = 'agent' AND a.namespace = $1 AND a.name = $2",
        ("default", "pop-agent-7"),
    ),
    "dependents of a skill version": (
        "SELECT d.version_id FROM version_dependencies d"
        " JOIN artifact_versions v ON v.id = d.target_version_id"
        " JOIN artifacts a ON a.id = v.artifact_id"
        " WHERE a.kind = 'skill' AND a.name = $1 AND v.version = '1.0.0' LIMIT 50",
        ("pop-skill-3",),
    ),
}


async def explain(url: str) -> dict[str, str]:
    """Each lookup's plan at this size: the scan nodes and the execution time."""
    connection = await asyncpg.connect(url)
    plans = {}
    try:
        for name, (sql, params) in PLANS.items():
            lines = [r[0] for r in await connection.fetch(f"EXPLAIN ANALYZE {sql}", *params)]
            scans = [
                line.strip().removeprefix("-> ").split("  (")[0] for line in lines if "Scan" in line
            ]
            took = next((line for line in lines if line.startswith("Execution Time")), "")
            plans[name] = "; ".join(scans) + f" — {took.removeprefix('Execution Time: ')}"
    finally:
        await connection.close()
    return plans


# --------------------------------------------------------------------------- report


def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def verdict(name: str, row: dict[str, Any]) -> str:
    _, ratio, p99 = TARGETS[name]
    ok = row["ratio"] >= ratio and (p99 is None or row["p99"] < p99) and row["bad"] == 0
    goal = f"≥ {ratio}×" + (f", p99 < {p99:g} ms" if p99 is not None else "")
    return f"{goal} | {'met' if ok else 'missed'}"


def report(data: dict[str, Any], args: argparse.Namespace, png: Path | None) -> str:
    lines = [
        "# Benchmark results (`python bench/run.py`)",
        "",
        f"Run {data['when']} on {data['machine']}; `wrk -t1 -c{args.connections}`,"
        f" {args.seconds:g} s per run, {args.rounds} interleaved round(s) (medians),"
        f" one worker each; database: {data['database']}; server: {data['server']}.",
        "",
        "## Examples only",
        "",
        "| path | reference req/s | registry req/s | ratio | p50 ms | p99 ms | reference p99 ms"
        " | bad | target | |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for name, row in data["small"].items():
        lines.append(
            f"| {name} | {row['ref_rps']:.0f} | {row['rps']:.0f} | {_fmt(row['ratio'])}×"
            f" | {_fmt(row['p50'])} | {_fmt(row['p99'])} | {_fmt(row['ref_p99'])} | {row['bad']}"
            f" | {verdict(name, row)} |"
        )
    pub = data["publish"]
    lines += [
        "",
        f"**Publish** (dev-python, six skills, {args.publishers} concurrent publishers,"
        f" {args.publish_seconds:g} s, {pub['client']} client using"
        f" {pub['client_cpu_ms']:.2f} ms of CPU per publish): {pub['per_second']:.0f}/s"
        f" ({pub['published']} published, {pub['failed']} failed),"
        f" p50 {pub['p50']:.0f} ms, p99 {pub['p99']:.0f} ms"
        f" — target ≥ 150/s: {'met' if pub['per_second'] >= 150 else 'missed'}.",
        "",
        f"**Memory**: registry RSS {data['rss_small']:.0f} MiB after the examples run,"
        f" {data.get('rss_large', float('nan')):.0f} MiB after the population run"
        f" (profile cache {data['cache_bytes'] / 2**20:.0f} MiB configured); the cache-off"
        f" process (same code, same requests of its own) {data.get('rss_cold', float('nan')):.0f}"
        " MiB at the end.",
    ]
    if data.get("large"):
        lines += [
            "",
            f"## With the population ({data['population']:,} more versions, seeded in"
            f" {data['seed_seconds']:.0f} s)",
            "",
            "| path | ratio | p99 ms | p99 ms (examples only) | p99 vs examples | target"
            " (≤ 1.5×) |",
            "|---|--:|--:|--:|--:|---|",
        ]
        for name, row in data["large"].items():
            small = data["small"][name]["p99"]
            factor = row["p99"] / small if small else float("nan")
            lines.append(
                f"| {name} | {_fmt(row['ratio'])}× | {_fmt(row['p99'])} | {_fmt(small)}"
                f" | {_fmt(factor)}× | {'met' if factor <= 1.5 else 'missed'} |"
            )
    if data.get("sweep"):
        sweep_run, cache = data["sweep"], data["sweep_cache"]
        lines += [
            "",
            f"**Sweep** (every population version in turn, JSON and Markdown, first fetches that"
            f" fill the cache past its bound): {sweep_run['rps']:.0f} req/s, p50"
            f" {sweep_run['p50_ms']:.2f} ms, p99 {sweep_run['p99_ms']:.2f} ms, bad"
            f" {sweep_run['bad']}; cache afterwards {cache.get('bytes', 0) / 2**20:.1f} MiB in"
            f" {cache.get('entries', 0):.0f} entries (bound {data['cache_bytes'] / 2**20:.0f} MiB),"
            f" {cache.get('evictions_total', 0):.0f} evictions; registry RSS"
            f" {data['rss_large']:.0f} MiB.",
        ]
    if data.get("plans"):
        lines += [
            "",
            f"Plans at this size (`EXPLAIN ANALYZE`, {data['population']:,} versions):",
            "",
        ]
        lines += [f"- {name}: {plan}" for name, plan in data["plans"].items()]
    if data.get("granian"):
        lines += ["", "## granian vs uvicorn (exact json, warm)", ""]
        for line in data["granian"]:
            lines.append(f"- {line}")
    if png is not None:
        lines += ["", f"![latency]({png.name})"]
    return "\n".join(lines) + "\n"


def plot(data: dict[str, Any], path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[bench]')", file=sys.stderr)
        return None
    names = list(data["small"])
    x = range(len(names))
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.2
    series = [
        ("reference p50", [data["small"][n]["ref_p50"] for n in names]),
        ("registry p50", [data["small"][n]["p50"] for n in names]),
        ("reference p99", [data["small"][n]["ref_p99"] for n in names]),
        ("registry p99", [data["small"][n]["p99"] for n in names]),
    ]
    if data.get("large"):
        label = f"registry p99 at +{data['population']:,} versions"
        series.append((label, [data["large"][n]["p99"] for n in names]))
        width = 0.16
    for i, (label, values) in enumerate(series):
        ax.bar([p + (i - len(series) / 2) * width for p in x], values, width, label=label)
    ax.set_xticks(list(x), names, rotation=20)
    ax.set_ylabel("latency, ms (wrk -t1 -c32)")
    ax.set_yscale("log")
    ax.set_title("GET /v1/profiles: registry vs bare FastAPI reference")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--population", type=int, default=100_000, help="0: examples only")
    parser.add_argument("--publishers", type=int, default=8)
    parser.add_argument("--publish-seconds", type=float, default=10.0)
    parser.add_argument(
        "--publish-client",
        choices=("raw", "httpx"),
        default="raw",
        help="the publishers' HTTP client: raw asyncio streams (cheap), or httpx",
    )
    parser.add_argument(
        "--publish-only",
        action="store_true",
        help="measure publish throughput alone (one server, no reads); prints JSON, no report",
    )
    parser.add_argument(
        "--only",
        default=None,
        metavar="NAMES",
        help="only the paths whose name starts with one of these (comma-separated: `first`,"
        " `exact,304`); no publish, no population; prints JSON, no report",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        metavar="DIR",
        help="sample the registry with py-spy during each measured run (collapsed stacks in DIR)",
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--server",
        choices=("granian", "uvicorn"),
        default=None,
        help="the registry's HTTP server (default: registry serve's own default, granian)",
    )
    parser.add_argument(
        "--granian",
        action="store_true",
        help="also compare the two servers (uvicorn, granian, twice each) on exact json (with"
        " --only: on the first path chosen)",
    )
    # Smaller than the service default (64 MiB) so that the sweep fills it within seconds.
    parser.add_argument("--cache-bytes", type=int, default=16 * 1024 * 1024)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="registry-run-"))
    procs: list[Proc] = []
    data: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start",
        "cache_bytes": args.cache_bytes,
        "server": args.server or "granian",
    }
    try:
        with database(args.database_url, workdir) as url:
            data["database"] = "fresh local database" if "registry_bench_" in url else "embedded"
            print(f"database ready; starting (workdir {workdir})", file=sys.stderr)
            cache = str(args.cache_bytes)
            hot = registry(
                "registry",
                url,
                workdir,
                server=args.server,
                seed=True,
                REGISTRY_PROFILE_CACHE_BYTES=cache,
            )
            procs.append(hot)
            if args.publish_only:
                publish = asyncio.run(
                    _publish_load(
                        hot.url, args.publish_seconds, args.publishers, args.publish_client
                    )
                )
                print(json.dumps({**data, "publish": publish}, indent=2))
                return 1 if publish["failed"] else 0
            cold = registry(
                "registry-cold", url, workdir, server=args.server, REGISTRY_PROFILE_CACHE_BYTES="0"
            )
            procs.append(cold)
            cases = selected(scenarios(hot.url), args.only)
            bodies = reference_bodies(hot.url, cases, workdir)
            port = _free_port()
            ref_env = {**os.environ, "BENCH_REFERENCE_BODIES": str(bodies)}
            ref_args = [sys.executable, "-m", "uvicorn", "bench.reference_app:app", "--host", HOST]
            ref_args += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
            ref = start("reference", ref_args, ref_env, workdir, port)
            procs.append(ref)
            print("examples only:", file=sys.stderr)
            data["small"] = measure(cases, ref, hot, cold, args)
            data["rss_small"] = rss_mib(hot.process.pid)
            if args.only:
                if args.granian:  # the first path chosen, under each server in turn
                    data["granian"] = compare_granian(url, workdir, ref, cases[0], args)
                data["load_end"] = f"load {os.getloadavg()[0]:.1f} at the end"
                print(json.dumps(data, indent=2))
                return 1 if any(row["bad"] for row in data["small"].values()) else 0
            print("publishing:", file=sys.stderr)
            data["publish"] = asyncio.run(
                _publish_load(hot.url, args.publish_seconds, args.publishers, args.publish_client)
            )
            print(f"  {data['publish']}", file=sys.stderr)
            if args.population:
                from population import seed_population

                started = time.monotonic()
                asyncio.run(seed_population(url, args.population))
                data["seed_seconds"] = time.monotonic() - started
                data["population"] = args.population
                print(f"seeded {args.population} in {data['seed_seconds']:.0f} s", file=sys.stderr)
                data["plans"] = asyncio.run(explain(url))
                data["large"] = measure(cases, ref, hot, cold, args)
                seconds = max(args.seconds * 2, 6)
                data["sweep"] = vars(
                    sweep(hot, args.population, workdir, seconds, args.connections)
                )
                data["sweep_cache"] = cache_metrics(hot.url)
                data["rss_large"] = rss_mib(hot.process.pid)
            data["rss_cold"] = rss_mib(cold.process.pid)
            if args.granian:
                data["granian"] = compare_granian(url, workdir, ref, cases[0], args)
    finally:
        for proc in reversed(procs):
            stop(proc)
        if args.publish_only or args.only:
            shutil.rmtree(workdir, ignore_errors=True)
    png = plot(data, args.out.with_suffix(".png"))
    args.out.write_text(report(data, args, png))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2, default=str))
    print(f"wrote {args.out}", file=sys.stderr)
    shutil.rmtree(workdir, ignore_errors=True)
    bad = sum(row["bad"] for part in ("small", "large") for row in data.get(part, {}).values())
    bad += data.get("sweep", {}).get("bad", 0)
    return 1 if bad or data["publish"]["failed"] else 0


def compare_granian(
    url: str, workdir: Path, ref: Proc, case: Scenario, args: argparse.Namespace
) -> list[str]:
    lines = []
    for server in ("uvicorn", "granian", "uvicorn", "granian"):
        proc = registry(f"registry-{server}", url, workdir, server=server)
        try:
            wrk(proc.url + case.path, {}, 1, args.connections)  # warm
            reference = wrk(ref.url + case.path, {}, args.seconds, args.connections)
            ours = wrk(proc.url + case.path, {}, args.seconds, args.connections)
        finally:
            stop(proc)
        lines.append(
            f"{server}: {ours.rps:.0f} req/s ({ours.rps / reference.rps:.2f}× reference),"
            f" p50 {ours.p50_ms:.2f} ms, p99 {ours.p99_ms:.2f} ms"
        )
        print(f"  {lines[-1]}", file=sys.stderr)
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
