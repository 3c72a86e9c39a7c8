"""The committed SDKs are what scripts/generate-clients makes from the committed document.

The Python client is used by tests/sdk against a live server; the TypeScript types are checked
here by compiling clients/typescript/usage.ts against them with `tsc --noEmit`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "scripts" / "generate-clients"
TYPESCRIPT = ROOT / "clients" / "typescript"
NO_NODE = shutil.which("npx") is None or shutil.which("npm") is None
needs_node = pytest.mark.skipif(
    NO_NODE, reason="npx/npm not on PATH: the TypeScript types cannot be generated or checked"
)


def _run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_python_client_is_up_to_date() -> None:
    result = _run("bash", str(GENERATE), "--check", "python")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_node
def test_typescript_types_are_up_to_date() -> None:
    result = _run("bash", str(GENERATE), "--check", "typescript")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_node
def test_typescript_usage_type_checks_against_the_types() -> None:
    if not (TYPESCRIPT / "node_modules" / ".bin" / "tsc").exists():
        installed = _run("npm", "ci", "--no-audit", "--no-fund", cwd=TYPESCRIPT)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    result = _run("npx", "--no-install", "tsc", "--noEmit", "-p", ".", cwd=TYPESCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
