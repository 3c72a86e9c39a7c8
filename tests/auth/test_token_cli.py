"""`registry token create|list|revoke` and `registry namespace create|list` on the database."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from tests.helpers import agent_file, bearer

REGISTRY = [sys.executable, "-m", "service.cli"]


def _registry(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_DATABASE_URL"}
    env["DATABASE_URL"] = database_url
    return subprocess.run([*REGISTRY, *args], env=env, capture_output=True, text=True, timeout=120)


async def test_cli_creates_a_working_token_lists_it_and_revokes_it(
    client: httpx.AsyncClient, database_url: str
) -> None:
    created = _registry(
        database_url, "token", "create", "ci-team-a", "-n", "team-a", "-p", "publish"
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("areg_") and "\n" not in secret  # stdout holds the secret alone
    assert "created token" in created.stderr and "[publish] on [team-a]" in created.stderr
    published = await client.put(
        "/v1/agents/team-a/tester/versions/1.0.0",
        content=agent_file(),
        headers={**bearer(secret), "Content-Type": "text/markdown"},
    )
    assert published.status_code == 201, published.text
    listed = _registry(database_url, "token", "list")
    assert listed.returncode == 0 and "ci-team-a" in listed.stdout and secret not in listed.stdout
    token_id = listed.stdout.split()[0]
    assert _registry(database_url, "token", "revoke", token_id).returncode == 0
    refused = await client.put(
        "/v1/agents/team-a/tester/versions/1.0.1",
        content=agent_file(),
        headers={**bearer(secret), "Content-Type": "text/markdown"},
    )
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    audit = (await client.get("/v1/audit?actor=cli")).json()["items"]
    assert [e["action"] for e in audit] == ["token.revoke", "token.create"]


async def test_cli_explains_bad_input_and_missing_things_in_one_line(
    client: httpx.AsyncClient, database_url: str
) -> None:
    bad = _registry(database_url, "token", "create", "x", "-n", "Team A", "-p", "sudo")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.count("error:") == 2 and "Traceback" not in bad.stderr
    missing = _registry(database_url, "token", "revoke", "00000000-0000-0000-0000-000000000000")
    assert missing.returncode == 1 and missing.stderr.strip().endswith(
        "no token with id 00000000-0000-0000-0000-000000000000"
    )
    assert _registry(database_url, "namespace", "create", "team-q").returncode == 0
    again = _registry(database_url, "namespace", "create", "team-q")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert "team-q  0 artifact(s)" in _registry(database_url, "namespace", "list").stdout
