"""A registry that stops answering (a partition: connections accepted, never answered)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from agent_registry import AsyncRegistry, Registry

from tests.contract.live_server import LiveServer
from tests.faults.proxy import FaultProxy, Upstream
from tests.orchestrator.conftest import Clock

REF = "flask-specialist@1.0.0"


@pytest.fixture
def proxy(registry_server: LiveServer) -> Iterator[FaultProxy]:
    """The live registry behind a TCP proxy the test can cut."""
    upstream = urlsplit(registry_server.url)
    proxy = FaultProxy(Upstream(host=upstream.hostname, port=upstream.port or 80))
    proxy.start()
    yield proxy
    proxy.stop()


def test_during_a_partition_calls_get_the_last_good_copy_without_waiting(
    proxy: FaultProxy, clock: Clock
) -> None:
    """Every call after the TTL used to wait for the registry: the whole timeout (1 s here,
    10 s by default) per call for as long as the partition lasted."""
    url = f"http://127.0.0.1:{proxy.port}"
    with Registry(url, ttl=10, stale_while_revalidate=0, clock=clock, timeout=1) as registry:
        good = registry.profile(REF)
        proxy.cut()
        clock.advance(11)
        assert registry.profile(REF).fallback  # this one waits: nothing is known yet
        waits = []
        for _ in range(5):
            started = time.monotonic()
            profile = registry.profile(REF)
            waits.append(time.monotonic() - started)
            assert (profile.source, profile.body) == ("fallback", good.body)
        assert max(waits) < 0.5, waits
        proxy.restore()
        deadline = time.monotonic() + 30
        while registry.profile(REF).source == "fallback":  # one background request asks again
            assert time.monotonic() < deadline, "the registry's return was never noticed"
            registry.wait(timeout=5)
        assert registry.profile(REF).source == "cache"


async def test_the_async_client_does_not_wait_during_a_partition_either(
    proxy: FaultProxy, clock: Clock
) -> None:
    url = f"http://127.0.0.1:{proxy.port}"
    async with AsyncRegistry(
        url, ttl=10, stale_while_revalidate=0, clock=clock, timeout=1
    ) as registry:
        good = await registry.profile(REF)
        proxy.cut()
        clock.advance(11)
        assert (await registry.profile(REF)).fallback
        started = time.monotonic()
        for _ in range(5):
            assert (await registry.profile(REF)).body == good.body
        assert time.monotonic() - started < 0.5
        proxy.restore()
