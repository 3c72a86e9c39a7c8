"""Every file of the `service` package is in the wheel: templates, migrations, examples, data."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.packaging.conftest import ROOT


def _package_files() -> set[str]:
    package = ROOT / "service"
    return {
        # service/examples is a symlink; the wheel holds the files it points at.
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_wheel_holds_every_file_of_the_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("service/")}
    assert _package_files() - shipped == set()
    assert {
        "service/db/alembic.ini",
        "service/db/migrations/env.py",
        "service/examples/agents/dev-python.md",
        "service/examples/skills/python-testing/scripts/run_pytest.sh",
    } <= shipped


def test_the_wheel_keeps_the_example_script_executable(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo("service/examples/skills/python-testing/scripts/run_pytest.sh")
    assert (info.external_attr >> 16) & 0o111
