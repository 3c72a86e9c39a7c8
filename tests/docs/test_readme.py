"""Every ```console block of the README runs, in order, against a live `registry serve`.

The server is started as the README's first command starts it on a new machine: embedded
PostgreSQL, no REGISTRY_BOOTSTRAP_TOKEN, so its first start creates an admin token and prints it.
The commands run in a scratch directory holding a copy of examples/, with the test's `registry`
and `python` first on PATH, REGISTRY_URL pointing at the server, REGISTRY_TOKEN holding the
token it printed, as the walkthrough says, and REGISTRY_DATA_DIR naming the server's data
directory, as the default one would (so `registry token` and `registry keys` reach the server's
database and key file); `127.0.0.1:8000` and `localhost:8000` in the README
stand for that server. Each command's output (stdout and stderr,
as a terminal shows them) must match the output printed under it (tests/docs/readme.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.live_server import LiveServer, live_registry
from tests.docs.readme import Step, console_blocks, matches

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# Sections that tell one story against one server: none of their blocks may be skipped.
CHECKED_SECTIONS = ("Walkthrough", "Resolved profiles")
_ADDRESS = re.compile(r"(localhost|127\.0\.0\.1):8000")


def _run(step: Step, server: LiveServer, token: str, work: Path) -> str:
    url = server.url
    host_port = url.removeprefix("http://")
    command = _ADDRESS.sub(host_port, step.command)
    env = os.environ | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "REGISTRY_URL": url,
        "REGISTRY_TOKEN": token,
        # The CLI's own default: the server's data directory (embedded database, signing keys).
        "REGISTRY_DATA_DIR": str(server.data_dir),
    }
    for name in ("DATABASE_URL", "REGISTRY_DATABASE_URL", "REGISTRY_BOOTSTRAP_TOKEN", "COLUMNS"):
        env.pop(name, None)
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    return done.stdout.replace(host_port, "127.0.0.1:8000")


def test_readme_console_blocks_print_what_they_show(tmp_path: Path) -> None:
    blocks = console_blocks(README.read_text(encoding="utf-8"))
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    failures: list[str] = []
    ran = 0
    with live_registry(tmp_path, "registry_readme", first_start=True) as server:
        token = server.first_start_token()
        for block in blocks:
            if block.not_run is not None:
                continue
            for step in block.steps:
                actual = _run(step, server, token, work)
                ran += 1
                if not matches(step.expected, actual):
                    failures.append(
                        f"README.md:{block.line} $ {step.command}\n"
                        f"--- expected\n{chr(10).join(step.expected)}\n--- got\n{actual}"
                    )
    assert ran >= 15, f"only {ran} commands found in the README"
    assert not failures, "\n\n".join(failures)


def test_every_skipped_block_says_why_and_the_walkthrough_is_never_skipped() -> None:
    blocks = console_blocks(README.read_text(encoding="utf-8"))
    for block in blocks:
        if block.not_run is not None:
            assert block.not_run, f"README.md:{block.line}: `# not run:` needs a reason"
            assert block.section not in CHECKED_SECTIONS, f"README.md:{block.line}"
    assert {block.section for block in blocks} >= set(CHECKED_SECTIONS)


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (["a", "b"], "a\nb\n", True),
        (["a", "b"], "a\nc\n", False),
        (["a"], "a\nb\n", False),
        (['"publishedAt": "…",'], '"publishedAt": "2026-11-29T10:00:00Z",\n', True),
        (["{", "…", "}"], "{\n1\n2\n}\n", True),
        (["{", "…", "}"], "{\n}\n", True),
        (["x…"], "y\n", False),
        (["a (1)"], "a (1)  \n", True),
    ],
)
def test_output_matching(expected: list[str], actual: str, ok: bool) -> None:
    assert matches(expected, actual) is ok


def test_commands_continue_and_heredocs_are_part_of_the_command() -> None:
    text = (
        "## S\n```console\n$ cat > f.md <<'EOF'\nhello\n$ not a command\nEOF\n"
        "$ curl -s \\\n    x\nout\n\n$ echo\n```\n"
    )
    (block,) = console_blocks(text)
    assert [step.command for step in block.steps] == [
        "cat > f.md <<'EOF'\nhello\n$ not a command\nEOF",
        "curl -s \\\n    x",
        "echo",
    ]
    assert [step.expected for step in block.steps] == [[], ["out"], []]
    (skipped,) = console_blocks("```console\n# not run: prints a secret\n$ x\n```\n")
    assert skipped.not_run == "prints a secret" and skipped.steps == []
