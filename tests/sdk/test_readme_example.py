"""clients/README.md's Python example runs as written against a live registry and does what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.contract.live_server import LiveServer
from tests.helpers import ADMIN_TOKEN, agent_file

README = Path(__file__).resolve().parents[2] / "clients" / "README.md"


def _example() -> str:
    section = README.read_text(encoding="utf-8").split("\n## Python\n", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def _run(code: str, registry: LiveServer, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code.replace("http://127.0.0.1:8000", registry.url)],
        cwd=cwd,
        env=os.environ | {"REGISTRY_TOKEN": ADMIN_TOKEN},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_the_python_example_publishes_then_reads_the_profile(
    registry: LiveServer, tmp_path: Path
) -> None:
    (tmp_path / "agents").mkdir()
    path = tmp_path / "agents" / "reviewer.md"
    path.write_bytes(agent_file("reviewer", description="Reviews diffs."))
    code = _example()
    assert _run(code, registry, tmp_path) == "201 reviewer 1.0.0\n"
    assert _run(code, registry, tmp_path) == "200 reviewer 1.0.0\n"  # identical bytes
    path.write_bytes(agent_file("reviewer", description="Reviews diffs, carefully."))
    conflict = _run(code, registry, tmp_path)
    assert conflict.startswith("409 agent default/reviewer@1.0.0 is already published as sha256:")
