"""The orchestrator client against a registry without anonymous reads: it sends its token, and
the token shows only its namespaces."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from agent_registry import Registry, RegistryError

from tests.contract.live_server import live_registry
from tests.helpers import ADMIN, MARKDOWN, agent_file


def test_a_private_registry_serves_a_token_its_own_namespaces_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRY_ANONYMOUS_READ", "false")
    with live_registry(tmp_path, prefix="registry_private") as server:
        with httpx.Client(base_url=server.url, headers=ADMIN, timeout=30) as http:
            for namespace in ("team-a", "team-b"):
                published = http.put(
                    f"/v1/agents/{namespace}/helper/versions/1.0.0",
                    content=agent_file("helper", tools="Read"),
                    headers=MARKDOWN,
                )
                assert published.status_code == 201, published.text
            created = http.post(
                "/v1/tokens",
                json={"name": "orchestrator-a", "namespaces": ["team-a"], "permissions": ["read"]},
            )
            token = created.json()["token"]
        with Registry(server.url) as anonymous, pytest.raises(RegistryError) as refused:
            anonymous.profile("team-a/helper@^1")
        assert refused.value.status == 401
        # As read from a mounted secret file: with its newline (every request failed as
        # "cannot reach the registry": the header was refused before it was sent).
        with Registry(server.url, token=token + "\n") as from_file:
            assert from_file.profile("team-a/helper@^1").version == "1.0.0"
        with pytest.raises(ValueError, match="no registry token has") as pasted:
            Registry(server.url, token=token[:8] + "\u00e9" + token[8:])
        assert token[8:] not in str(pasted.value)
        with Registry(server.url, token=token) as registry:
            profile = registry.profile("team-a/helper@^1")
            assert (profile.source, profile.version) == ("network", "1.0.0")
            assert profile.key_id is not None  # verified: the key set needs no token
            with pytest.raises(RegistryError) as elsewhere:
                registry.profile("team-b/helper@1.0.0")
            assert elsewhere.value.status == 403
            assert "not to namespace team-b" in elsewhere.value.problem["detail"]
