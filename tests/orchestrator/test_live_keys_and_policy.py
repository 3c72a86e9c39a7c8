"""On a live server: the signing key is created in the data directory and never logged; the
`registry policy` CLI manages policies over HTTP."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import httpx

from tests.contract.live_server import LiveServer
from tests.helpers import ADMIN_TOKEN


def test_first_start_creates_the_key_file_and_serves_only_its_public_half(
    registry_server: LiveServer,
) -> None:
    path = registry_server.log.parent / "registry-data" / "signing-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [private] = json.loads(path.read_text())["keys"]
    jwks = httpx.get(f"{registry_server.url}/.well-known/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [private["kid"]]
    assert private["d"] not in json.dumps(jwks)
    log = registry_server.log.read_text(errors="replace")
    assert private["kid"] in log and private["d"] not in log


def _registry(
    *args: str, url: str, token: str | None = ADMIN_TOKEN
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("REGISTRY_TOKEN", None)
    if token is not None:
        env["REGISTRY_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args, "--url", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_policy_cli_sets_shows_and_clears(registry_server: LiveServer) -> None:
    url = registry_server.url
    shown = _registry("policy", "show", "--agent", "flask-specialist", url=url)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["source"] == "default"
    refused = _registry("policy", "set", "none", "--namespace", "cli-test", url=url, token=None)
    assert refused.returncode != 0 and "401" in refused.stderr, refused.stderr
    set_ns = _registry("policy", "set", "none", "--namespace", "cli-test", url=url)
    assert json.loads(set_ns.stdout) == {
        "namespace": "cli-test",
        "compatibility": "none",
        "source": "namespace",
    }
    override = _registry("policy", "set", "enforce", "--agent", "flask-specialist", url=url)
    assert json.loads(override.stdout)["override"] == "enforce"
    cleared = _registry("policy", "clear", "--agent", "flask-specialist", url=url)
    assert json.loads(cleared.stdout)["override"] is None
    # REGISTRY_TOKEN from a secret file, with its newline: it was "no registry at", exit 4.
    from_file = _registry(
        "policy", "set", "warn", "--namespace", "cli-test", url=url, token=ADMIN_TOKEN + "\n"
    )
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout)["compatibility"] == "warn"
    missing = _registry("policy", "set", "warn", "--skill", "nobody", url=url)
    assert (
        missing.returncode == 1 and "404" in missing.stderr and "no skill named" in missing.stderr
    )
