"""The built wheel works on its own: a fresh venv outside the checkout migrates, seeds and serves.

Slow (a venv with every dependency): `scripts/test` runs it as its own gate, `pytest -m wheel`
runs it by hand; test_wheel_contents.py checks what the wheel holds on every run. Installs
the wheel (no -e) into a new virtualenv in a temporary directory,
and from a directory that holds nothing of the project runs the installed `registry serve`
on the embedded PostgreSQL and on DATABASE_URL, publishes with the installed CLI and fetches
the profiles. Each step is printed (`pytest -s` shows the transcript).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.contract.live_server import live_registry
from tests.helpers import ADMIN_TOKEN
from tests.packaging.conftest import ROOT, run

pytestmark = pytest.mark.wheel


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the venv's bin directory, an empty working directory outside the checkout)."""
    base = tmp_path_factory.mktemp("wheel-venv")
    venv, work = base / "venv", base / "work"
    work.mkdir()
    run(sys.executable, "-m", "venv", venv, cwd=work)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "-c", ROOT / "requirements.lock", wheel, cwd=work)
    where = run(python, "-c", "import service; print(service.__file__)", cwd=work)
    assert where.startswith(str(venv)), where
    yield venv / "bin", work


def _publish_and_fetch(bin_dir: Path, work: Path, url: str) -> None:
    seeded = httpx.get(f"{url}/v1/profiles/dev-python@1.0.0", timeout=30)
    assert seeded.status_code == 200, seeded.text
    assert [s["name"] for s in seeded.json()["skills"]][:1] == ["python-flask"]
    assert len(seeded.json()["lock"]["skills"]) == 6
    agents = work / "agents"
    agents.mkdir(exist_ok=True)
    shutil.copy(ROOT / "examples" / "agents" / "flask-specialist.md", agents)
    print(
        run(
            bin_dir / "registry",
            "publish",
            "agents",
            "--version",
            "2.0.0",
            "--url",
            url,
            "--token",
            ADMIN_TOKEN,  # the server's REGISTRY_BOOTSTRAP_TOKEN (set by live_registry)
            cwd=work,
        )
    )
    profile = httpx.get(f"{url}/v1/profiles/flask-specialist@2.0.0", timeout=30)
    assert profile.status_code == 200, profile.text
    assert (profile.json()["name"], profile.json()["version"]) == ("flask-specialist", "2.0.0")
    print(
        f"GET /v1/profiles/flask-specialist@2.0.0 -> {profile.status_code}, etag {profile.headers['etag']}"
    )
    # The OpenAPI document does not depend on where the server runs from.
    served = httpx.get(f"{url}/openapi.json", timeout=30).json()
    assert served == json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    print("GET /openapi.json == committed openapi/openapi.json")


def test_wheel_serves_on_the_embedded_database(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    with live_registry(
        work, registry=[str(bin_dir / "registry")], embedded=True, args=["--seed"], cwd=work
    ) as server:
        print(f"registry serve --seed (embedded) ready at {server.url}")
        _publish_and_fetch(bin_dir, work, server.url)
    log = server.log.read_text()
    assert "Embedded PostgreSQL stopped." in log, log


def test_wheel_serves_on_database_url(installed: tuple[Path, Path], server_url: str) -> None:
    bin_dir, work = installed
    with live_registry(
        work,
        "registry_wheel",
        registry=[str(bin_dir / "registry")],
        server_url=server_url,
        args=["--seed"],
        cwd=work,
    ) as server:
        print(f"registry serve --seed (DATABASE_URL={server.database}) ready at {server.url}")
        _publish_and_fetch(bin_dir, work, server.url)
    # No embedded server was started or stopped (migration names may mention PostgreSQL).
    assert "embedded postgresql" not in server.log.read_text().lower()
