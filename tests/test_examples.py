"""The examples/ folder is a byte-identical copy of the shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]


def _shared_fixtures() -> Path | None:
    given = os.environ.get("REGISTRY_SHARED_FIXTURES")
    candidate = Path(given) if given else ROOT.parent / "shared" / "fixtures"
    return candidate if candidate.is_dir() else None


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_examples_are_byte_identical_to_shared_fixtures() -> None:
    shared = _shared_fixtures()
    if shared is None:
        pytest.skip("../shared/fixtures is not beside this clone")
    assert _files(EXAMPLES) == _files(shared)


def test_examples_hold_two_agents_and_six_skills() -> None:
    files = _files(EXAMPLES)
    assert sorted(f for f in files if f.startswith("agents/")) == [
        "agents/dev-python.md",
        "agents/flask-specialist.md",
    ]
    assert len([f for f in files if f.endswith("/SKILL.md")]) == 6
