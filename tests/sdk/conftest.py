"""The generated Python client (clients/python) against a live `registry serve`, one per package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from agent_registry_client import Client

from tests.contract.live_server import LiveServer, live_registry
from tests.helpers import ADMIN


@pytest.fixture(scope="package")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_registry(tmp_path_factory.mktemp("sdk-registry"), prefix="registry_sdk") as server:
        yield server


@pytest.fixture(scope="package")
def client(registry: LiveServer) -> Iterator[Client]:
    # A status the document does not declare raises `UnexpectedStatus`: an undeclared answer is a
    # contract bug, not something for a test to tolerate.
    # It sends the admin token (the server's REGISTRY_BOOTSTRAP_TOKEN), since the tests also write.
    with Client(base_url=registry.url, headers=ADMIN, raise_on_unexpected_status=True) as http:
        yield http
