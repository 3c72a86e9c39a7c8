"""The key set (JWKS) is fetched once per new key, however many calls meet that key at once."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from agent_registry import AsyncRegistry, Registry, RegistryUnavailable, SignatureError

from tests.contract.live_server import LiveServer
from tests.helpers import AGENT_NAMES
from tests.orchestrator.conftest import Clock

JWKS = "/.well-known/jwks.json"
REFS = [f"{name}@1.0.0" for name in AGENT_NAMES] * 8


class Counting(httpx.HTTPTransport):
    """The real transport, counting key-set requests; each answer is slowed down, so that
    concurrent calls overlap; `hide_keys` serves the set without its keys (a replica that
    lacks the key the profile was signed with)."""

    def __init__(self, *, hide_keys: bool = False) -> None:
        super().__init__()
        self.hide_keys = hide_keys
        self.jwks_requests = 0
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path != JWKS:
            return response
        with self.lock:
            self.jwks_requests += 1
        time.sleep(0.2)
        if self.hide_keys:
            response.read()
            return httpx.Response(
                200, headers={"content-type": "application/json"}, json={"keys": []}
            )
        return response


class AsyncCounting(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.jwks_requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.url.path == JWKS:
            self.jwks_requests += 1
            await asyncio.sleep(0.2)
        return response


def test_concurrent_first_calls_fetch_the_key_set_once(registry_server: LiveServer) -> None:
    transport = Counting()
    with Registry(registry_server.url, transport=transport) as registry:
        with ThreadPoolExecutor(16) as pool:
            profiles = list(pool.map(registry.profile, REFS))
        assert {p.name for p in profiles} == set(AGENT_NAMES)
        assert all(p.key_id is not None for p in profiles)
    assert transport.jwks_requests == 1


async def test_concurrent_first_async_calls_fetch_the_key_set_once(
    registry_server: LiveServer,
) -> None:
    transport = AsyncCounting()
    async with AsyncRegistry(registry_server.url, transport=transport) as registry:
        profiles = await asyncio.gather(*(registry.profile(ref) for ref in REFS))
        assert {p.name for p in profiles} == set(AGENT_NAMES)
    assert transport.jwks_requests == 1


def test_a_key_the_fetched_set_lacks_is_not_asked_for_on_every_call(
    registry_server: LiveServer, clock: Clock
) -> None:
    transport = Counting(hide_keys=True)
    with Registry(registry_server.url, transport=transport, clock=clock) as registry:
        for _ in range(5):
            with pytest.raises(SignatureError, match="no Ed25519 key"):
                registry.profile(f"{AGENT_NAMES[0]}@1.0.0")
        assert transport.jwks_requests == 1
        clock.advance(31)  # a while later the set is asked for again (once), in case it grew
        for _ in range(3):
            with pytest.raises(SignatureError):
                registry.profile(f"{AGENT_NAMES[0]}@1.0.0")
        assert transport.jwks_requests == 2


class CaptivePortal(httpx.HTTPTransport):
    """Profiles through, the key set answered by a proxy's HTML page."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == JWKS:
            return httpx.Response(200, headers={"content-type": "text/html"}, text="<html>Sign in")
        return super().handle_request(request)


def test_a_key_set_that_is_not_json_is_a_registry_error(registry_server: LiveServer) -> None:
    """It was a bare JSONDecodeError out of profile(), past `except RegistryError`."""
    with (
        Registry(registry_server.url, transport=CaptivePortal()) as registry,
        pytest.raises(RegistryUnavailable, match="key set is not JSON"),
    ):
        registry.profile(f"{AGENT_NAMES[0]}@1.0.0")
