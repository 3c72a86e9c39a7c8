"""The orchestrator client (`agent_registry`) against a live `registry serve`."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from agent_registry import (
    AsyncRegistry,
    Registry,
    RegistryError,
    RegistryUnavailable,
    SignatureError,
)
from agent_registry_client.models import Profile, Provenance, ProvenanceMethod
from claude_agent_sdk import AgentDefinition

from tests.contract.live_server import LiveServer, live_registry
from tests.helpers import ADMIN, MARKDOWN, agent_file
from tests.orchestrator.conftest import Clock, publish_examples


class Recording(httpx.HTTPTransport):
    """The real transport, remembering each response's status (and optionally tampering)."""

    def __init__(self, tamper: bool = False) -> None:
        super().__init__()
        self.tamper = tamper
        self.statuses: list[tuple[str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses.append((request.url.path, response.status_code))
        if (
            self.tamper
            and request.url.path.startswith("/v1/profiles/")
            and response.status_code == 200
        ):
            body = response.read().replace(b'"Read"', b'"Rm"', 1)
            return httpx.Response(200, headers=response.headers, content=body)
        return response


def _jwks_kids(url: str) -> list[str]:
    return [key["kid"] for key in httpx.get(f"{url}/.well-known/jwks.json").json()["keys"]]


def test_fetch_verifies_and_gives_a_typed_profile_and_an_sdk_definition(
    registry_server: LiveServer,
) -> None:
    with Registry(registry_server.url) as registry:
        profile = registry.profile("dev-python@^1")
        assert (profile.source, profile.version, profile.name) == ("network", "1.0.0", "dev-python")
        assert profile.key_id in _jwks_kids(registry_server.url)
        assert isinstance(profile.data, Profile) and profile.data.max_turns == 100
        # Provenance is part of the signed body and of the typed profile.
        assert profile.provenance == {"method": "bootstrap", "publisher": "bootstrap"}
        assert isinstance(profile.data.provenance, Provenance)
        assert profile.data.provenance.method == ProvenanceMethod.BOOTSTRAP
        definition = profile.agent_definition()
        assert isinstance(definition, AgentDefinition)
        assert definition.tools == ["Read", "Write", "Edit", "Bash", "Grep", "Glob"]
        assert definition.prompt.count("## Skill: ") == 6
        again = registry.profile("dev-python@^1")
        assert again.source == "cache" and again.body == profile.body


def test_after_the_ttl_the_cached_copy_is_revalidated_with_a_304(
    registry_server: LiveServer, clock: Clock
) -> None:
    transport = Recording()
    with Registry(
        registry_server.url, ttl=30, stale_while_revalidate=0, clock=clock, transport=transport
    ) as registry:
        first = registry.profile("flask-specialist@1.0.0")
        clock.advance(31)
        second = registry.profile("flask-specialist@1.0.0")
    assert second.source == "revalidated" and second.body == first.body
    profile_calls = [s for p, s in transport.statuses if p.startswith("/v1/profiles/")]
    assert profile_calls == [200, 304]


def test_a_tag_move_is_seen_after_the_ttl_and_stale_is_served_while_revalidating(
    registry_server: LiveServer, clock: Clock
) -> None:
    http = httpx.Client(base_url=registry_server.url, headers=ADMIN)
    for version in ("1.0.0", "1.1.0"):
        body = agent_file("mover", tools="Read").replace(b"tests.", f"tests ({version}).".encode())
        http.put(
            f"/v1/agents/mover/versions/{version}",
            content=body,
            headers={"Content-Type": "text/markdown"},
        )
    assert http.put("/v1/agents/mover/tags/stable", json={"version": "1.0.0"}).status_code == 200
    with (
        Registry(registry_server.url, ttl=60, stale_while_revalidate=0, clock=clock) as strict,
        Registry(registry_server.url, ttl=60, stale_while_revalidate=3600, clock=clock) as swr,
    ):
        assert strict.profile("mover@stable").version == "1.0.0"
        assert swr.profile("mover@stable").version == "1.0.0"
        assert (
            http.put("/v1/agents/mover/tags/stable", json={"version": "1.1.0"}).status_code == 200
        )
        clock.advance(30)
        assert strict.profile("mover@stable").version == "1.0.0"  # within the TTL: cached
        clock.advance(31)
        moved = strict.profile("mover@stable")
        assert (moved.version, moved.source) == ("1.1.0", "network")
        stale = swr.profile("mover@stable")
        assert (stale.version, stale.source, stale.stale) == ("1.0.0", "stale", True)
        swr.wait(timeout=30)
        fresh = swr.profile("mover@stable")
        assert (fresh.version, fresh.source) == ("1.1.0", "cache")
    http.close()


def test_a_tampered_body_is_refused_and_never_cached(registry_server: LiveServer) -> None:
    with Registry(registry_server.url, transport=Recording(tamper=True)) as registry:
        with pytest.raises(SignatureError, match="do not match"):
            registry.profile("dev-python@1.0.0")
        with pytest.raises(SignatureError):
            registry.profile("dev-python@1.0.0")  # nothing was cached: it asks again
    with Registry(registry_server.url, transport=Recording(tamper=True), verify=False) as unchecked:
        assert b'"Rm"' in unchecked.profile("dev-python@1.0.0").body


def test_a_pinned_key_set_that_lacks_the_key_refuses(registry_server: LiveServer) -> None:
    with (
        Registry(registry_server.url, jwks={"keys": []}) as registry,
        pytest.raises(SignatureError, match="no Ed25519 key"),
    ):
        registry.profile("dev-python@1.0.0")


def test_problems_are_raised_with_their_status(registry_server: LiveServer) -> None:
    with Registry(registry_server.url) as registry, pytest.raises(RegistryError) as raised:
        registry.profile("nobody@1.0.0")
    assert raised.value.status == 404 and raised.value.problem["code"] == "not_found"


def test_server_stopped_last_good_is_served_flagged_logged_once_and_kept_on_disk(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "cache"
    (tmp_path / "server").mkdir()
    with live_registry(tmp_path / "server", prefix="registry_orch_stop") as server:
        publish_examples(server.url)
        registry = Registry(
            server.url,
            ttl=10,
            stale_while_revalidate=0,
            clock=clock,
            cache_dir=cache_dir,
            timeout=3,
        )
        good = registry.profile("dev-python@^1")
        assert good.source == "network"
        swr = Registry(server.url, ttl=10, stale_while_revalidate=3600, clock=clock, timeout=3)
        swr.profile("dev-python@^1")
    # The server is stopped now.
    clock.advance(11)
    with caplog.at_level(logging.WARNING, logger="agent_registry"):
        first = registry.profile("dev-python@^1")
        second = registry.profile("dev-python@^1")
    assert (first.fallback, second.fallback) == (True, True)
    assert first.body == good.body and first.version == "1.0.0"
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1
    # Serving stale while revalidating: once a revalidation fails, stale copies are flagged too.
    assert swr.profile("dev-python@^1").source == "stale"
    swr.wait(timeout=30)
    flagged = swr.profile("dev-python@^1")
    assert (flagged.source, flagged.fallback, flagged.body) == ("fallback", True, good.body)
    swr.close()
    with pytest.raises(RegistryUnavailable):
        registry.profile("flask-specialist@1.0.0")  # never fetched: nothing to fall back on
    registry.close()
    # A restarted orchestrator finds its last good copy on disk, verified with the saved keys.
    restarted = Registry(
        server.url, ttl=10, stale_while_revalidate=0, clock=clock, cache_dir=cache_dir, timeout=3
    )
    clock.advance(11)
    from_disk = restarted.profile("dev-python@^1")
    assert from_disk.fallback and from_disk.body == good.body and from_disk.key_id == good.key_id
    restarted.close()


def test_memory_keeps_max_profiles_the_least_recently_used_dropped_first(
    registry_server: LiveServer, tmp_path: Path
) -> None:
    """Each ref asked for was kept for the life of the process: an orchestrator asked for ever
    new refs (digests, exact versions) grew without bound."""
    refs = ["dev-python@1.0.0", "dev-python@^1", "flask-specialist@1.0.0"]
    transport = Recording()
    with Registry(registry_server.url, max_profiles=2, transport=transport) as registry:
        for ref in refs:
            assert registry.profile(ref).source == "network"
        assert registry.profile(refs[2]).source == "cache"
        assert registry.profile(refs[1]).source == "cache"  # now the most recently used
        again = registry.profile(refs[0])  # dropped: asked for again
        assert again.source == "network" and again.version == "1.0.0"
        assert registry.profile(refs[1]).source == "cache"
        assert registry.profile(refs[2]).source == "network"  # dropped for refs[0]
    profile_calls = [p for p, _ in transport.statuses if p.startswith("/v1/profiles/")]
    assert len(profile_calls) == 5
    with Registry(registry_server.url, max_profiles=1, cache_dir=tmp_path) as on_disk:
        first = on_disk.profile(refs[0])
        on_disk.profile(refs[2])
        back = on_disk.profile(refs[0])  # from its disk copy, verified again
        assert (back.source, back.body) == ("cache", first.body)
    with pytest.raises(ValueError, match="at least 1"):
        Registry(registry_server.url, max_profiles=0)


def test_a_tampered_disk_copy_is_dropped_and_fetched_again(
    registry_server: LiveServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Registry(registry_server.url, cache_dir=tmp_path) as registry:
        registry.profile("flask-specialist@1.0.0")
    [body_file] = list(tmp_path.glob("*.body"))
    body_file.write_bytes(body_file.read_bytes().replace(b"Flask", b"Flusk", 1))
    with (
        caplog.at_level(logging.ERROR, logger="agent_registry"),
        Registry(registry_server.url, cache_dir=tmp_path) as again,
    ):
        profile = again.profile("flask-specialist@1.0.0")
    assert profile.source == "network" and b"Flusk" not in profile.body
    assert any("dropping the cached copy" in r.getMessage() for r in caplog.records)
    assert json.loads(body_file.read_bytes())["name"] == "flask-specialist"


async def test_async_client_fetches_revalidates_and_refuses_tampering(
    registry_server: LiveServer, clock: Clock
) -> None:
    async with AsyncRegistry(
        registry_server.url, ttl=5, stale_while_revalidate=0, clock=clock
    ) as registry:
        first = await registry.profile("dev-python@1.0.0")
        assert first.source == "network" and first.agent_definition().model == "sonnet"
        assert (await registry.profile("dev-python@1.0.0")).source == "cache"
        clock.advance(6)
        assert (await registry.profile("dev-python@1.0.0")).source == "revalidated"

    class Tampering(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if request.url.path.startswith("/v1/profiles/"):
                body = (await response.aread()).replace(b"sonnet", b"opus!!", 1)
                return httpx.Response(response.status_code, headers=response.headers, content=body)
            return response

    async with AsyncRegistry(registry_server.url, transport=Tampering()) as tampered:
        with pytest.raises(SignatureError):
            await tampered.profile("dev-python@1.0.0")


def test_wait_and_close_while_other_threads_serve_stale_copies(
    registry_server: LiveServer, clock: Clock
) -> None:
    """A background refresh was registered before its thread started: wait() (and close())
    in that moment raised RuntimeError("cannot join thread before it is started")."""
    refs = ["dev-python@1.0.0", "flask-specialist@1.0.0", "dev-python@^1", "flask-specialist@^1"]
    registry = Registry(registry_server.url, ttl=1, stale_while_revalidate=1e9, clock=clock)
    for ref in refs:
        registry.profile(ref)
    stop = time.monotonic() + 1.5

    def serve() -> None:
        while time.monotonic() < stop:
            clock.advance(2)
            for ref in refs:
                assert registry.profile(ref).source in ("stale", "cache")

    with ThreadPoolExecutor(4) as pool:
        servers = [pool.submit(serve) for _ in range(4)]
        while time.monotonic() < stop:
            registry.wait()
        for server in servers:
            server.result()
    registry.close()


def test_a_removed_tag_is_raised_after_one_stale_answer_not_hidden_for_a_day(
    registry_server: LiveServer, clock: Clock
) -> None:
    """A background revalidation answered 404 was only logged: the stale copy went on being
    served for the whole stale-while-revalidate window (a day by default), though problems
    the registry answers are raised and no cached copy hides them."""
    http = httpx.Client(base_url=registry_server.url, headers=ADMIN)
    body = agent_file("untagged", tools="Read")
    put = http.put("/v1/agents/untagged/versions/1.0.0", content=body, headers=MARKDOWN)
    assert put.status_code in (200, 201), put.text
    assert http.put("/v1/agents/untagged/tags/canary", json={"version": "1.0.0"}).status_code == 200
    with Registry(registry_server.url, ttl=60, clock=clock) as registry:
        assert registry.profile("untagged@canary").version == "1.0.0"
        assert http.delete("/v1/agents/untagged/tags/canary").status_code in (200, 204)
        clock.advance(61)
        assert registry.profile("untagged@canary").source == "stale"  # the 404 is not known yet
        registry.wait(timeout=30)
        with pytest.raises(RegistryError) as raised:
            registry.profile("untagged@canary")
        assert raised.value.status == 404 and raised.value.problem["code"] == "not_found"
        assert registry.profile("untagged@1.0.0").version == "1.0.0"
    http.close()
