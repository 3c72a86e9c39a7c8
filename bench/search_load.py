#!/usr/bin/env python
"""Latency of `GET /v1/search` at a large seeded population, against a real `registry serve`.

Starts the server like `bench/profile_load.py` (a fresh database on the local PostgreSQL, else
the embedded one), then seeds `--versions` versions (default 100 000: `--per-artifact` versions
of each of versions/per-artifact agents and skills) straight into PostgreSQL with bulk
`INSERT … SELECT generate_series` — text drawn from a 2 000-word vocabulary with a skewed
(Zipf-like) frequency, tools, models and namespaces — and records one `published` change per
version in publish order, so the search documents are built by the same trigger as in service.
Then it sends each query `--rounds` times, one at a time, and reports p50/p95/p99/max per query.

    python bench/search_load.py [--versions 100000] [--per-artifact 5] [--rounds 200] [--json out.json]
    python bench/search_load.py --keep                   # leaves the seeded database (name logged)
    python bench/search_load.py --database NAME          # measures it again, without seeding

Only 127.0.0.1 is targeted; the server is stopped by its PID and its fresh database dropped
(unless `--keep`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profile_load import LOCAL_POSTGRES, Config, percentile, running_server

VOCABULARY = 2000
# Rank r of the vocabulary is word `w<r>`; a few real words sit at known ranks so queries can
# name a common, a middling and a rare word.
NAMED = {0: "python", 3: "review", 40: "kubernetes", 400: "terraform", 1500: "walrus"}

SEED = """
CREATE TEMP TABLE vocab AS
SELECT r, coalesce(($1::jsonb ->> r::text), 'w' || r) AS word
FROM generate_series(0, $2 - 1) r;

CREATE OR REPLACE FUNCTION pg_temp.words(seed bigint, count int, vocab text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(
        vocab[1 + floor(array_length(vocab, 1)
                        * power(((hashint8(seed * 1000 + k) & 1048575)::float8 / 1048576), 3))::int],
        ' ')
    FROM generate_series(1, count) k
$$;

INSERT INTO namespaces (name, created_by)
SELECT 'team' || n, 'bench' FROM generate_series(0, 39) n ON CONFLICT DO NOTHING;

INSERT INTO artifacts (kind, namespace, name)
SELECT CASE WHEN i % 4 = 0 THEN 'skill' ELSE 'agent' END,
       'team' || (i % 40),
       (SELECT word FROM vocab WHERE r = (hashint8(i) & 1023)) || '-'
           || (SELECT word FROM vocab WHERE r = (hashint8(i + 7919) & 1023)) || '-' || i
FROM generate_series(1, $3) i;

INSERT INTO artifact_versions (
    artifact_id, version, major, minor, patch, is_release, prerelease, digest, content, size,
    frontmatter, body, description, tool_rules, published_at
)
SELECT a.id, '1.' || j || '.0', 1, j, 0, true, '{}',
       'sha256:' || encode(sha256(convert_to(a.id || '/' || j, 'UTF8')), 'hex'),
       convert_to(a.name || j, 'UTF8'), 64,
       jsonb_build_object('name', a.name, 'description', 'seeded',
                          'model', (ARRAY['sonnet', 'opus', 'haiku'])[1 + a.id % 3]),
       pg_temp.words(a.id * 100 + j + 50, 150, vocab.words),
       pg_temp.words(a.id * 100 + j, 12, vocab.words),
       CASE WHEN a.id % 3 = 0 THEN '["Read", "Grep", "Bash(git diff:*)"]'::jsonb
            ELSE '["Read", "Write", "Edit"]'::jsonb END,
       now() - (($4 - j) || ' minutes')::interval
FROM artifacts a, generate_series(0, $4 - 1) j,
     (SELECT array_agg(word ORDER BY r) AS words FROM vocab) vocab
WHERE a.namespace LIKE 'team%';
"""

RECORD = """
INSERT INTO changes (event, kind, namespace, name, version, digest)
SELECT 'published', a.kind, a.namespace, a.name, v.version, v.digest
FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
WHERE a.namespace LIKE 'team%'
ORDER BY v.minor, v.id
"""

# The reference, measured the same way in the same run (bench/profile_load.py's): what the
# server, the loopback and this client cost for a request that does nothing.
REFERENCE = "reference: GET /healthz"
QUERIES: dict[str, dict[str, Any]] = {
    REFERENCE: {},
    "one middling word": {"q": "terraform"},
    "two words": {"q": "kubernetes terraform"},
    "rare word": {"q": "walrus"},
    "misspelt name": {"q": "terrafrom"},
    "word + kind + tool": {"q": "terraform", "kind": "agent", "tool": "Bash"},
    "word + namespace + model": {"q": "kubernetes", "namespace": "team7", "model": "opus"},
    "most common word": {"q": "python"},
    "no words, by name": {"sort": "name"},
    "no words, newest": {"sort": "published", "kind": "skill"},
    "second page": {"q": "terraform", "page": 2},
}


async def seed(database_url: str, versions: int, per_artifact: int) -> dict[str, float]:
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        await connection.execute("SET statement_timeout = 0")
        started = time.perf_counter()
        artifacts = versions // per_artifact
        named = json.dumps({str(rank): word for rank, word in NAMED.items()})
        statements = [s for s in SEED.split(";\n\n") if s.strip()]
        await connection.execute(
            statements[0].replace("$1", f"'{named}'").replace("$2", str(VOCABULARY))
        )
        await connection.execute(statements[1])
        await connection.execute(statements[2])
        await connection.execute(statements[3].replace("$3", str(artifacts)))
        await connection.execute(statements[4].replace("$4", str(per_artifact)))
        inserted = time.perf_counter()
        await connection.execute(RECORD)
        recorded = time.perf_counter()
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return await count(database_url) | {
        "insert seconds": round(inserted - started, 1),
        "record + index seconds": round(recorded - inserted, 1),
    }


async def count(database_url: str) -> dict[str, float]:
    """The population's size: versions, artifacts and search documents."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        counts = await connection.fetchrow(
            "SELECT (SELECT count(*) FROM artifact_versions) AS versions,"
            " (SELECT count(*) FROM artifacts) AS artifacts,"
            " (SELECT count(*) FROM search_documents WHERE valid_to IS NULL) AS current,"
            " (SELECT count(*) FROM search_documents) AS documents"
        )
    finally:
        await connection.close()
    return {
        "versions": counts["versions"],
        "artifacts": counts["artifacts"],
        "current documents": counts["current"],
        "all documents": counts["documents"],
    }


async def measure(url: str, rounds: int) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for label, query in QUERIES.items():
            params = {k: v for k, v in query.items() if k != "page"}
            if query.get("page") == 2:
                first = (await client.get("/v1/search", params=params)).json()
                params["cursor"] = first["next"]
            timings: list[float] = []
            count = 0
            path = "/healthz" if label == REFERENCE else "/v1/search"
            for index in range(rounds + 5):
                started = time.perf_counter()
                response = await client.get(path, params=params)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{label}: {response.status_code} {response.text[:300]}")
                count = len(response.json().get("results", []))
                if index >= 5:  # the first five warm the connection and plans
                    timings.append(elapsed)
            timings.sort()
            results[label] = {
                "params": params | ({"cursor": "…"} if "cursor" in params else {}),
                "results": count,
                "p50 ms": round(percentile(timings, 50), 1),
                "p95 ms": round(percentile(timings, 95), 1),
                "p99 ms": round(percentile(timings, 99), 1),
                "max ms": round(timings[-1], 1),
            }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=100_000)
    parser.add_argument("--per-artifact", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep", action="store_true", help="leave the seeded database in place (name logged)"
    )
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="serve this database, seeded by an earlier --keep run, instead of seeding a new one",
    )
    args = parser.parse_args(argv)
    config = Config(database="auto", existing_database=args.database, keep_database=args.keep)
    with running_server(config) as server:
        if server.database_name is None:
            raise SystemExit("needs a local PostgreSQL server (it seeds with bulk SQL)")
        database_url = LOCAL_POSTGRES.rsplit("/", 1)[0] + "/" + server.database_name
        if args.database is None:
            print(f"seeding {args.versions} versions …", file=sys.stderr, flush=True)
            population = asyncio.run(seed(database_url, args.versions, args.per_artifact))
        else:
            population = asyncio.run(count(database_url))
        print(json.dumps(population), file=sys.stderr, flush=True)
        results = asyncio.run(measure(server.url, args.rounds))
    print("| query | results | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for label, row in results.items():
        print(
            f"| {label} | {row['results']} | {row['p50 ms']} | {row['p95 ms']} | {row['p99 ms']}"
            f" | {row['max ms']} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"population": population, "queries": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
