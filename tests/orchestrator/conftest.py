"""A live `registry serve` with the examples published, for the orchestrator client's tests."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# scripts/test installs clients/orchestrator; a checkout set up before it existed (only `.` and
# clients/python installed) still tests it from source: its dependencies are the service's.
if importlib.util.find_spec("agent_registry") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "orchestrator"))

from tests.contract.live_server import LiveServer, live_registry
from tests.helpers import ADMIN, AGENT_NAMES, MARKDOWN, SKILL_NAMES, agent_bytes, skill_bytes


def publish_examples(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30, headers=ADMIN) as http:
        for name in SKILL_NAMES:
            response = http.put(
                f"/v1/skills/{name}/versions/1.0.0", content=skill_bytes(name), headers=MARKDOWN
            )
            assert response.status_code in (200, 201), response.text
        for name in AGENT_NAMES:
            response = http.put(
                f"/v1/agents/{name}/versions/1.0.0", content=agent_bytes(name), headers=MARKDOWN
            )
            assert response.status_code in (200, 201), response.text


class Clock:
    """A clock the test moves: TTLs expire when the test says so, never by waiting."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="package")
def registry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp("orchestrator-registry")
    with live_registry(directory, prefix="registry_orch") as server:
        publish_examples(server.url)
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()
