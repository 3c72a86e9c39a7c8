"""`registry publish` and `registry validate` as CI runs them: against a live server, read from
stdout (results) and stderr (diagnostics), judged by exit code."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.auth.oidc_issuer import GITHUB_REQUEST_TOKEN, local_issuer
from tests.contract.live_server import LiveServer, live_registry
from tests.helpers import ADMIN, ADMIN_TOKEN, AGENT_NAMES, EXAMPLES, SKILL_NAMES

pytestmark = pytest.mark.e2e
REGISTRY = [sys.executable, "-m", "service.cli"]
FILES = len(SKILL_NAMES) + len(AGENT_NAMES)
BAD_AGENT = b"""---
name: reviewer
description: Reviews code
tools: Read, Bash(
model: gpt-4
maxTurns: 0
---
Review the diff.
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_registry(tmp_path_factory.mktemp("cli-publish"), prefix="registry_cli") as server:
        yield server


def registry(
    *args: str, token: str | None = ADMIN_TOKEN, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "ACTIONS_"))}
    env["COLUMNS"] = "80"  # results must not wrap even on a narrow terminal
    if token is not None:
        env["REGISTRY_TOKEN"] = token
    env |= extra or {}
    return subprocess.run(
        [*REGISTRY, *args], capture_output=True, text=True, timeout=180, env=env, check=False
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_the_examples_publish_then_a_rerun_is_all_unchanged(live: LiveServer) -> None:
    first = registry("publish", str(EXAMPLES), "--version", "1.0.0", "--url", live.url)
    assert first.returncode == 0, first.stdout + first.stderr
    lines = first.stdout.splitlines()
    assert len(lines) == FILES + 1
    assert [line.split()[0] for line in lines[:-1]] == ["published"] * FILES
    assert lines[0].startswith("published skill ") and lines[-2].startswith("published agent ")
    assert all(len(line) > 80 for line in lines[:-1])  # sha256 digests: never wrapped
    assert lines[-1] == f"{FILES} file(s): {FILES} published"
    again = registry("publish", str(EXAMPLES), "--version", "1.0.0", "--url", live.url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == f"{FILES} file(s): {FILES} unchanged"
    assert [line.split()[0] for line in again.stdout.splitlines()[:-1]] == ["unchanged"] * FILES
    as_json = registry("publish", str(EXAMPLES), "--version", "1.0.0", "--url", live.url, "--json")
    document = json.loads(as_json.stdout)
    assert document["exitCode"] == 0 and {r["status"] for r in document["results"]} == {"unchanged"}


def test_a_changed_file_is_a_conflict_with_both_digests_and_exit_2(
    live: LiveServer, tmp_path: Path
) -> None:
    tree = tmp_path / "examples"
    shutil.copytree(EXAMPLES, tree)
    agent = tree / "agents" / "dev-python.md"
    agent.write_bytes(agent.read_bytes() + b"\nOne more line.\n")
    registry("publish", str(EXAMPLES), "--version", "1.0.0", "--url", live.url)
    done = registry("publish", str(tree), "--version", "1.0.0", "--url", live.url)
    assert done.returncode == 2, done.stdout + done.stderr
    conflict = [line for line in done.stdout.splitlines() if line.startswith("conflict")]
    assert len(conflict) == 1
    assert conflict[0].startswith("conflict agent dev-python@1.0.0: published as sha256:")
    assert conflict[0].count("sha256:") == 2
    # It stops there: the agent after it was not attempted.
    assert "flask-specialist" not in done.stdout
    assert (
        done.stdout.splitlines()[-1]
        == f"{len(SKILL_NAMES) + 1} file(s): {len(SKILL_NAMES)} unchanged, 1 conflict"
    )


def test_dry_run_of_a_broken_tree_lists_every_problem_and_stores_nothing(
    live: LiveServer, tmp_path: Path
) -> None:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "reviewer.md").write_bytes(BAD_AGENT)
    skill = tmp_path / "skills" / "fresh-skill"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: fresh-skill\ndescription: New.\n---\n# Fresh\n")
    (tmp_path / "agents" / "uses-fresh.md").write_text(
        "---\nname: uses-fresh\ndescription: Uses it.\nskills: fresh-skill\n---\nGo.\n"
    )
    done = registry("publish", str(tmp_path), "--version", "1.0.0", "--url", live.url, "--dry-run")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"valid skill {skill / 'SKILL.md'}",
        f"invalid agent {tmp_path / 'agents' / 'reviewer.md'}: 3 problems",
        f"valid agent {tmp_path / 'agents' / 'uses-fresh.md'}",
        "3 file(s): 2 valid, 1 invalid; nothing stored",
    ]
    problems = [line for line in done.stderr.splitlines() if ": error " in line]
    codes = sorted(line.split(": error ")[1].split()[1].rstrip(":") for line in problems)
    assert codes == ["invalid_max_turns", "invalid_model", "invalid_tool_rule"], done.stderr
    for name in ("reviewer", "uses-fresh"):
        assert httpx.get(f"{live.url}/v1/agents/{name}").status_code == 404
    assert httpx.get(f"{live.url}/v1/skills/fresh-skill").status_code == 404


def test_expected_failures_are_one_line_with_their_exit_code(
    live: LiveServer, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{_closed_port()}"
    for command in ("publish", "validate"):
        args = [command, str(EXAMPLES), "--version", "1.0.0", "--url", down]
        done = registry(*args)
        assert done.returncode == 4, done.stderr
        assert done.stderr == (
            f"error: no registry at {down} — start `registry serve` or set REGISTRY_URL\n"
        )
    missing = registry("publish", str(tmp_path / "nope"), "--url", live.url)
    assert missing.returncode == 1
    assert missing.stderr == f"error: {tmp_path / 'nope'}: no such file or folder\n"
    assert missing.stdout == ""
    anonymous = registry(
        "publish", str(EXAMPLES), "--version", "1.0.0", "--url", live.url, token=None
    )
    assert anonymous.returncode == 3
    assert anonymous.stderr.startswith("error: no token: pass --token or set REGISTRY_TOKEN")
    wrong = registry(
        "publish", str(EXAMPLES), "--version", "1.0.0", "--url", live.url, token="x" * 30
    )
    assert wrong.returncode == 3
    assert wrong.stderr == "error: the token is not known to this registry (401)\n"
    pasted = registry(
        "publish", str(EXAMPLES), "--version", "1.0.0", "--url", live.url,
        token=ADMIN_TOKEN[:8] + "\u00f6" + ADMIN_TOKEN[8:],
    )  # fmt: skip
    assert pasted.returncode == 3, pasted.stderr
    assert pasted.stderr == (
        "error: the token has a character no registry token has (a stray one pasted with it?)\n"
    )
    for done in (missing, anonymous, wrong, pasted):
        assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
        assert ADMIN_TOKEN[8:] not in done.stdout + done.stderr


def test_a_token_from_a_secret_ending_in_a_newline_publishes(live: LiveServer) -> None:
    """`echo "$TOKEN"` into a CI secret leaves a newline: it was sent in the header, a protocol
    error reported as "cannot talk to" the registry, exit 4."""
    done = registry(
        "publish", str(EXAMPLES / "skills"), "--version", "1.0.0", "--url", live.url,
        token=ADMIN_TOKEN + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert {line.split()[0] for line in done.stdout.splitlines()[:-1]} <= {"published", "unchanged"}
    assert done.stdout.splitlines()[-1].startswith(f"{len(SKILL_NAMES)} file(s): ")


def test_validate_runs_offline_and_with_url_checks_references(
    live: LiveServer, tmp_path: Path
) -> None:
    offline = registry("validate", str(EXAMPLES))
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert offline.stdout.splitlines()[-1] == f"{FILES} file(s): {FILES} valid; nothing stored"
    (tmp_path / "reviewer.md").write_bytes(BAD_AGENT)
    (tmp_path / "lonely.md").write_text(
        "---\nname: lonely\ndescription: Needs a skill.\nskills: no-such-skill\n---\nGo.\n"
    )
    broken = registry("validate", str(tmp_path))
    assert broken.returncode == 1
    assert "reference_not_checked" in broken.stderr  # offline: said, not judged
    assert f"valid agent {tmp_path / 'lonely.md'}" in broken.stdout
    checked = registry("validate", str(tmp_path / "lonely.md"), "--url", live.url)
    assert checked.returncode == 1
    assert "unknown_skill" in checked.stderr and "no-such-skill" in checked.stderr


def test_github_actions_trusted_publishing_needs_no_stored_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRY_OIDC_ALLOW_INSECURE_ISSUERS", "true")  # a loopback http issuer
    with local_issuer() as issuer, live_registry(tmp_path, prefix="registry_oidc") as server:
        policy = httpx.post(
            f"{server.url}/v1/trust-policies",
            headers=ADMIN,
            json={
                "issuer": issuer.url,
                "audience": "agent-registry",
                "claims": {"repository": "acme/agents", "ref": "refs/heads/main"},
                "namespaces": ["acme"],
                "permissions": ["publish"],
            },
        )
        assert policy.status_code == 201, policy.text
        env = {
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{issuer.url}/github-actions-token?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": GITHUB_REQUEST_TOKEN,
        }
        args = ["publish", str(EXAMPLES / "skills"), "--version", "1.0.0", "--namespace", "acme"]
        done = registry(*args, "--url", server.url, token=None, extra=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "trusted publishing" in done.stderr
        assert (
            done.stdout.splitlines()[-1]
            == f"{len(SKILL_NAMES)} file(s): {len(SKILL_NAMES)} published"
        )
        audit = httpx.get(f"{server.url}/v1/audit?namespace=acme", headers=ADMIN).json()["items"]
        assert {(e["actorKind"], e["actorClaims"]["repository"]) for e in audit} == {
            ("oidc", "acme/agents")
        }
        elsewhere = registry(
            "publish", str(EXAMPLES / "skills"), "--version", "1.0.0", "--url", server.url,
            token=None, extra=env,
        )  # fmt: skip
        assert elsewhere.returncode == 3
        assert "is scoped to [acme], not to namespace default" in elsewhere.stderr


def _skill(tree: Path, name: str, requires: str | None = None, version: str = "2.0.0") -> None:
    folder = tree / "skills" / name
    folder.mkdir(parents=True, exist_ok=True)
    metadata = f"metadata:\n  version: {version}\n" + (
        f"  requires: {requires}\n" if requires else ""
    )
    (folder / "SKILL.md").write_text(
        f"---\nname: {name}\ndescription: The {name} skill.\n{metadata}---\n# {name}\n"
    )


def test_a_skill_is_published_after_the_new_version_of_a_skill_it_requires(
    live: LiveServer, tmp_path: Path
) -> None:
    """`a-base` 2.0.0 requires `z-core ^2`; only z-core 1.0.0 is published. Named earlier, it used
    to be sent first and refused (`unsatisfiable`: available 1.0.0), so the first CI run failed
    and a re-run passed."""
    old = tmp_path / "old"
    _skill(old, "z-core", version="1.0.0")
    first = registry("publish", str(old), "--url", live.url)
    assert first.returncode == 0, first.stdout + first.stderr
    tree = tmp_path / "tree"
    _skill(tree, "a-base", requires="z-core@^2")
    _skill(tree, "z-core")
    done = registry("publish", str(tree), "--url", live.url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line.split()[:3] for line in done.stdout.splitlines()[:-1]] == [
        ["published", "skill", "z-core@2.0.0"],
        ["published", "skill", "a-base@2.0.0"],
    ]
    assert done.stderr == ""
    skill = httpx.get(f"{live.url}/v1/skills/a-base/versions/2.0.0").json()
    assert skill["version"] == "2.0.0"


def test_an_unreadable_file_is_one_line_and_a_folder_named_md_is_a_folder(
    live: LiveServer, tmp_path: Path
) -> None:
    """A dangling link or a folder called `notes.md` in a checkout was a traceback."""
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES, tree)
    (tree / "agents" / "notes.md").mkdir()
    for command in ("validate", "publish"):
        done = registry(command, str(tree), "--version", "1.0.0", "--url", live.url)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.splitlines()[-1].startswith(f"{FILES} file(s): ")
    (tree / "agents" / "moved.md").symlink_to(tmp_path / "gone.md")
    for command in ("validate", "publish"):
        done = registry(command, str(tree), "--version", "1.0.0", "--url", live.url)
        assert done.returncode == 1
        assert done.stderr == (
            f"error: {tree / 'agents' / 'moved.md'}: cannot read it (No such file or directory)\n"
        )
        assert done.stdout == ""


def test_dry_run_counts_a_new_version_in_the_tree_as_published(
    live: LiveServer, tmp_path: Path
) -> None:
    """`--dry-run` counts a skill in the tree as published, but a reference to a version only
    the tree has was `unsatisfiable` (available: the older one): exit 1 for a tree that then
    publishes."""
    old = tmp_path / "old"
    _skill(old, "y-lib", version="1.0.0")
    assert registry("publish", str(old), "--url", live.url).returncode == 0
    tree = tmp_path / "tree"
    _skill(tree, "b-app", requires="y-lib@^2")
    _skill(tree, "y-lib")
    (tree / "agents").mkdir()
    (tree / "agents" / "uses-lib.md").write_text(
        "---\nname: uses-lib\ndescription: Uses it.\nskills: y-lib@^2\nversion: 2.0.0\n---\nGo.\n"
    )
    done = registry("publish", str(tree), "--url", live.url, "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line.split()[:2] for line in done.stdout.splitlines()[:-1]] == [
        ["valid", "skill"],
        ["valid", "skill"],
        ["valid", "agent"],
    ]
    stored = registry("publish", str(tree), "--url", live.url)
    assert stored.returncode == 0, stored.stdout + stored.stderr
    assert stored.stdout.splitlines()[-1] == "3 file(s): 3 published"
    # A reference no version in the tree or the registry meets is still refused.
    _skill(tree, "c-app", requires="y-lib@^3")
    refused = registry("publish", str(tree), "--url", live.url, "--dry-run")
    assert refused.returncode == 1
    assert "unsatisfiable" in refused.stderr and "c-app" in refused.stderr
