#!/usr/bin/env python
"""Render latency of the web catalogue's pages at a realistic size, against a real server.

Creates a fresh database on the local PostgreSQL, starts `registry serve` on 127.0.0.1, publishes
the examples with `registry publish`, then grows the registry in SQL to `--versions` versions
(half agents cloned from dev-python, half skills cloned from git-workflow, `--per-artifact`
versions each; every cloned agent version depends on git-workflow, as a popular skill would be),
runs VACUUM ANALYZE, and requests each page `--requests` times, one at a time, after a warm-up.
Latency is reported twice: as the client saw it, and as the server logged it (the `ms` of its
JSON access log line: routing, queries and template rendering, without the client's share).

    python bench/catalogue_pages.py [--versions 100000] [--requests 200] [--json out.json]

Only 127.0.0.1 is targeted; the server is stopped by its PID and the database dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from service.auth.tokens import generate_token

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
REGISTRY = [sys.executable, "-m", "service.cli"]
TOKEN = generate_token()
PAGES = {
    # The reference, measured the same way in the same run: a request that does nothing.
    "reference: /healthz": "/healthz",
    "home": "/",
    "search q=python": "/ui/search?q=python",
    "search q=zzz (no match)": "/ui/search?q=zzz-nothing",
    "search skill=git-workflow": "/ui/search?skill=git-workflow",
    "search tool=Bash&kind=agent": "/ui/search?tool=Bash&kind=agent",
    "search page 40 (cursor)": None,  # filled in after the first page is read
    "live search fragment": "/ui/search?q=agent-12",
    "agent dev-python (6 skills)": "/ui/agents/default/dev-python@1.0.0",
    "agent clone (10 versions)": "/ui/agents/ns7/agent-7",
    "skill git-workflow (50k dependents)": "/ui/skills/default/git-workflow",
    "diff dev-python 1.0.0...1.1.0": "/ui/agents/default/dev-python/diff/1.0.0...1.1.0",
    "namespace ns3": "/ui/namespaces/ns3",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _execute(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def grow(url: str, versions: int, per_artifact: int) -> int:
    """Clone published rows until the registry holds about `versions` versions."""
    artifacts = max(1, (versions - 9) // per_artifact // 2)
    connection = await asyncpg.connect(url)
    try:
        template = {
            kind: await connection.fetchval(
                "SELECT v.id FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
                " WHERE a.kind = $1 AND a.name = $2 AND v.version = '1.0.0'",
                kind,
                name,
            )
            for kind, name in (("agent", "dev-python"), ("skill", "git-workflow"))
        }
        await connection.execute(
            "INSERT INTO namespaces (name, created_by)"
            " SELECT 'ns' || i, 'bench' FROM generate_series(0, 19) i ON CONFLICT DO NOTHING"
        )
        for kind in ("agent", "skill"):
            await connection.execute(
                "INSERT INTO artifacts (kind, namespace, name)"
                " SELECT $1::text, 'ns' || (i % 20), $1::text || '-' || i FROM generate_series(1, $2) i",
                kind,
                artifacts,
            )
            # The newest clone of each keeps the stored profile (search reads its grants);
            # older ones have none, as versions published before profiles existed.
            await connection.execute(
                """
                INSERT INTO artifact_versions (artifact_id, version, major, minor, patch,
                    is_release, prerelease, digest, content, size, frontmatter, body, description,
                    lock, requires, tool_rules, disallowed_rules, profile_json, profile_markdown,
                    warnings, published_at, publisher)
                SELECT a.id, '1.' || v || '.0', 1, v, 0, true, '{}',
                    'sha256:' || md5(a.name || v) || md5(v || a.name), t.content, t.size,
                    t.frontmatter, t.body, t.description || ' (' || a.name || ')', t.lock,
                    t.requires, t.tool_rules, t.disallowed_rules,
                    CASE WHEN v = $3 - 1 THEN t.profile_json END,
                    CASE WHEN v = $3 - 1 THEN t.profile_markdown END,
                    t.warnings, now() - interval '1 day' + v * interval '1 minute', 'bench'
                FROM artifacts a CROSS JOIN generate_series(0, $3 - 1) v
                JOIN artifact_versions t ON t.id = $2
                WHERE a.kind = $1::text AND a.namespace LIKE 'ns%'
                """,
                kind,
                template[kind],
                per_artifact,
            )
        await connection.execute(
            "INSERT INTO version_dependencies (version_id, target_version_id, direct)"
            " SELECT v.id, $1, true FROM artifact_versions v JOIN artifacts a"
            " ON a.id = v.artifact_id WHERE a.kind = 'agent' AND a.namespace LIKE 'ns%'",
            template["skill"],
        )
        # One `published` change per clone, in publish order, as the service records them: the
        # feed's trigger builds each artifact's search document (what listings read).
        await connection.execute(
            "INSERT INTO changes (event, kind, namespace, name, version, digest)"
            " SELECT 'published', a.kind, a.namespace, a.name, v.version, v.digest"
            " FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
            " WHERE a.namespace LIKE 'ns%' ORDER BY v.minor, v.id"
        )
        await connection.execute("VACUUM ANALYZE")  # as autovacuum would have, long since
        total: int = await connection.fetchval("SELECT count(*) FROM artifact_versions")
        return total
    finally:
        await connection.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def server_times(log: Path, request_ids: set[str]) -> list[float]:
    times = []
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("request_id") in request_ids:
            times.append(float(entry["ms"]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--per-artifact", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database-server", default=LOCAL_POSTGRES)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep-database", action="store_true", help="leave it for EXPLAIN")
    args = parser.parse_args()

    name = f"registry_bench_catalogue_{uuid.uuid4().hex[:10]}"
    server_db = args.database_server
    database_url = server_db.rsplit("/", 1)[0] + "/" + name
    asyncio.run(_execute(server_db, f'CREATE DATABASE "{name}"'))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
    log = workdir / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_DATABASE_URL"}
    env["DATABASE_URL"] = database_url
    env["REGISTRY_BOOTSTRAP_TOKEN"] = TOKEN  # the admin token: publishing needs one
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*REGISTRY, "serve", "--port", str(port)], env=env, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"registry serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        subprocess.run(
            [*REGISTRY, "publish", str(EXAMPLES), "--version", "1.0.0", "--url", base],
            env=env | {"REGISTRY_TOKEN": TOKEN},
            check=True,
            capture_output=True,
        )
        newer = (
            (EXAMPLES / "agents" / "dev-python.md")
            .read_bytes()
            .replace(b"Glob\n", b"Glob, WebFetch\n", 1)
        )
        httpx.put(
            base + "/v1/agents/dev-python/versions/1.1.0",
            content=newer,
            headers={"Content-Type": "text/markdown", "Authorization": f"Bearer {TOKEN}"},
        ).raise_for_status()
        started = time.monotonic()
        total = asyncio.run(grow(database_url, args.versions, args.per_artifact))
        seeded_in = time.monotonic() - started
        print(f"{total} versions in the registry (seeded in {seeded_in:.1f} s)", flush=True)

        results: dict[str, Any] = {}
        with httpx.Client(base_url=base, timeout=60) as http:
            first = http.get("/ui/search?kind=agent")
            cursor = None
            for _ in range(40):
                html = http.get(
                    f"/ui/search?kind=agent{'&cursor=' + cursor if cursor else ''}"
                ).text
                marker = "cursor="
                at = html.rfind(marker)
                cursor = html[at + len(marker) :].split('"', 1)[0] if at >= 0 else None
                if cursor is None:
                    break
            assert first.status_code == 200
            pages = dict(PAGES)
            pages["search page 40 (cursor)"] = f"/ui/search?kind=agent&cursor={cursor}"
            for label, path in pages.items():
                headers = {"HX-Request": "true"} if label.startswith("live") else {}
                for _ in range(args.warmup):
                    response = http.get(path, headers=headers)
                    assert response.status_code == 200, (label, response.status_code)
                client_ms = []
                ids = set()
                for index in range(args.requests):
                    request_id = f"bench-{index}-{uuid.uuid4().hex[:8]}"
                    ids.add(request_id)
                    begin = time.perf_counter()
                    response = http.get(path, headers={**headers, "X-Request-ID": request_id})
                    client_ms.append((time.perf_counter() - begin) * 1000)
                    assert response.status_code == 200, (label, response.status_code)
                time.sleep(0.3)  # let the log line reach the file
                server_ms = server_times(log, ids)
                results[label] = {
                    "path": path,
                    "bytes": len(response.content),
                    "server_p50": percentile(server_ms, 0.5),
                    "server_p99": percentile(server_ms, 0.99),
                    "server_max": max(server_ms),
                    "client_p50": percentile(client_ms, 0.5),
                    "client_p99": percentile(client_ms, 0.99),
                    "n": len(server_ms),
                }
                row = results[label]
                print(
                    f"{label:38} server p50 {row['server_p50']:6.1f} p99 {row['server_p99']:6.1f}"
                    f" max {row['server_max']:6.1f} ms | client p50 {row['client_p50']:6.1f}"
                    f" p99 {row['client_p99']:6.1f} ms | {row['bytes']:>7} bytes",
                    flush=True,
                )
        report = {"versions": total, "requests": args.requests, "pages": results}
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if args.keep_database:
            print(f"kept database {database_url}")
        else:
            asyncio.run(_execute(server_db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
