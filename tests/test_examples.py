"""examples/ is a byte-identical copy of the shared fixtures, and the package ships the same files.

`tests/shared-fixtures.sha256` (the `sha256sum` of ../shared/fixtures) travels with every
clone, so the check runs everywhere; where ../shared/fixtures is present the manifest is
checked against it too, so neither side can drift unnoticed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from service.resources import examples_dir
from tests.helpers import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = Path(__file__).with_name("shared-fixtures.sha256")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in _files(folder).items()}


def _manifest() -> dict[str, str]:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in lines)}


def test_examples_match_the_shared_fixtures_manifest() -> None:
    assert _digests(EXAMPLES) == _manifest()


def test_manifest_matches_shared_fixtures_where_they_are_beside_the_clone() -> None:
    given = os.environ.get("REGISTRY_SHARED_FIXTURES")
    shared = Path(given) if given else ROOT.parent / "shared" / "fixtures"
    # A plain clone has no ../shared: the manifest check above already covered examples/.
    expected = _digests(shared) if shared.is_dir() else _manifest()
    assert _manifest() == expected


def test_the_package_ships_the_same_examples() -> None:
    assert _files(examples_dir()) == _files(EXAMPLES)
    script = examples_dir() / "skills" / "python-testing" / "scripts" / "run_pytest.sh"
    assert os.access(script, os.X_OK)


def test_examples_hold_two_agents_and_six_skills() -> None:
    files = _files(EXAMPLES)
    assert sorted(f for f in files if f.startswith("agents/")) == [
        "agents/dev-python.md",
        "agents/flask-specialist.md",
    ]
    assert len([f for f in files if f.endswith("/SKILL.md")]) == 6
