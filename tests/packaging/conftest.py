"""The wheel, built once per session from a copy of the checkout (nothing else leaks in)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

__all__ = ["ROOT", "run"]


def run(*command: str | Path, cwd: Path) -> str:
    """Run a command with a bare environment, echo it, return its output; fail on non-zero."""
    print(f"$ {' '.join(str(part) for part in command)}")
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "COLUMNS": "200"},
    )
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0, output
    return output


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel-build")
    assert ROOT not in base.parents
    source, dist = base / "source", base / "dist"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "*.egg-info", "build", "__pycache__", ".*_cache"
        ),
    )
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source, cwd=base)
    shutil.rmtree(source)
    (built,) = dist.glob("agent_registry-*.whl")
    return built
