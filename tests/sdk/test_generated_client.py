"""The generated Python client (clients/python) drives a live `registry serve`.

Everything goes through the generated functions and models: publishing the example files as
`text/markdown`, reading versions and bytes back, listing, problem responses and ETags. Profiles
are exercised once the document has the operation.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from agent_registry_client import Client
from agent_registry_client.api.agents import (
    get_agent,
    get_agent_version,
    get_agent_version_raw,
    list_agents,
    publish_agent_version,
)
from agent_registry_client.api.skills import (
    get_skill_version,
    get_skill_version_raw,
    list_skills,
    publish_skill_version,
)
from agent_registry_client.api.validate import validate
from agent_registry_client.models import (
    ArtifactDetail,
    ArtifactPage,
    Problem,
    ValidateKind,
    ValidationReport,
    VersionDetail,
)
from agent_registry_client.types import File, Response

from tests.contract import document
from tests.contract.live_server import LiveServer
from tests.helpers import AGENT_NAMES, SKILL_NAMES, agent_bytes, agent_file, digest, skill_bytes
from tests.sdk import CLIENT_PROJECT
from tests.sdk.generated import client_operation

pytestmark = pytest.mark.e2e
VERSION = "1.0.0"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def markdown(data: bytes) -> File:
    return File(payload=io.BytesIO(data), mime_type="text/markdown")


def publish_skill(client: Client, name: str, data: bytes, version: str = VERSION) -> Response[Any]:
    return publish_skill_version.sync_detailed(name, version, client=client, body=markdown(data))


def publish_agent(client: Client, name: str, data: bytes, version: str = VERSION) -> Response[Any]:
    return publish_agent_version.sync_detailed(name, version, client=client, body=markdown(data))


def problem(response: Response[Any]) -> Problem:
    """The error, as the generated client parsed it: application/problem+json into Problem."""
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.headers
    assert isinstance(response.parsed, Problem), response.parsed
    assert response.parsed.status == response.status_code
    # The typed model and the raw body agree (nothing is lost into `additional_properties`).
    assert response.parsed.to_dict() == json.loads(response.content)
    return response.parsed


@pytest.fixture(scope="package")
def published(client: Client) -> dict[str, Response[Any]]:
    """The bundled examples published once through the generated client: skills, then agents."""
    responses = {f"skill/{n}": publish_skill(client, n, skill_bytes(n)) for n in SKILL_NAMES}
    responses |= {f"agent/{n}": publish_agent(client, n, agent_bytes(n)) for n in AGENT_NAMES}
    return responses


def test_the_client_under_test_is_the_committed_one() -> None:
    import agent_registry_client

    assert Path(agent_registry_client.__file__).resolve().is_relative_to(CLIENT_PROJECT), (
        f"imported {agent_registry_client.__file__}, not the committed clients/python: "
        "install it editable (`pip install -e clients/python`) or not at all"
    )


def test_publish_examples_through_the_generated_functions(
    published: dict[str, Response[Any]],
) -> None:
    for key, response in published.items():
        kind, name = key.split("/")
        data = skill_bytes(name) if kind == "skill" else agent_bytes(name)
        assert response.status_code == 201, (key, response.content)
        detail = response.parsed
        assert isinstance(detail, VersionDetail)
        assert (detail.name, detail.version, detail.kind.value) == (name, VERSION, kind)
        assert detail.digest == digest(data)
        assert detail.size == len(data)
        assert response.headers["location"].endswith(f"/{name}/versions/{VERSION}")
    lock = published["agent/dev-python"].parsed
    assert isinstance(lock, VersionDetail)
    assert sorted(lock.lock.to_dict()["skills"]) == sorted(SKILL_NAMES)


def test_republishing_identical_bytes_answers_200_with_the_stored_version(
    client: Client, published: dict[str, Response[Any]]
) -> None:
    again = publish_agent(client, "flask-specialist", agent_bytes("flask-specialist"))
    assert again.status_code == 200
    assert isinstance(again.parsed, VersionDetail)
    first = published["agent/flask-specialist"].parsed
    assert isinstance(first, VersionDetail)
    assert again.parsed.digest == first.digest
    assert again.parsed.published_at == first.published_at


def test_read_back_versions(client: Client, published: dict[str, Response[Any]]) -> None:
    for name in SKILL_NAMES:
        skill = get_skill_version.sync(name, VERSION, client=client)
        assert isinstance(skill, VersionDetail)
        assert skill.digest == digest(skill_bytes(name))
        assert skill.frontmatter.to_dict()["name"] == name
    agent = get_agent_version.sync("dev-python", VERSION, client=client)
    assert isinstance(agent, VersionDetail)
    assert agent.frontmatter.to_dict()["model"] == "sonnet"
    assert agent.body.lstrip().startswith("# Python Developer")
    # `namespace/name` works as a path parameter (the client sends it as %2F).
    qualified = get_agent_version.sync("default/dev-python", VERSION, client=client)
    assert isinstance(qualified, VersionDetail)
    assert qualified.digest == agent.digest


def test_raw_bytes_and_etag(
    client: Client, registry: LiveServer, published: dict[str, Response[Any]]
) -> None:
    for name in AGENT_NAMES:
        raw = get_agent_version_raw.sync_detailed(name, VERSION, client=client)
        assert raw.status_code == 200
        assert raw.content == agent_bytes(name)
        assert raw.headers["etag"] == f'"{digest(agent_bytes(name))}"'
    raw = get_skill_version_raw.sync_detailed("git-workflow", VERSION, client=client)
    assert raw.content == skill_bytes("git-workflow")
    etag = raw.headers["etag"]
    # A client of its own: `with_headers` would also change the shared client's httpx headers.
    with Client(
        base_url=registry.url, headers={"If-None-Match": etag}, raise_on_unexpected_status=True
    ) as conditional:
        unchanged = get_skill_version_raw.sync_detailed("git-workflow", VERSION, client=conditional)
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == etag
        other = get_skill_version_raw.sync_detailed("python-aws", VERSION, client=conditional)
        assert other.status_code == 200
        assert other.content == skill_bytes("python-aws")


def test_artifact_list_search_and_versions(
    client: Client, published: dict[str, Response[Any]]
) -> None:
    page = list_agents.sync(client=client)
    assert isinstance(page, ArtifactPage)
    assert sorted(item.name for item in page.items) == sorted(AGENT_NAMES)
    assert all(item.latest == VERSION for item in page.items)
    names: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        kwargs: dict[str, Any] = {"q": "python", "limit": 2}
        if cursor is not None:
            kwargs["cursor"] = cursor
        skills = list_skills.sync(client=client, **kwargs)
        assert isinstance(skills, ArtifactPage)
        assert len(skills.items) <= 2
        names += [item.name for item in skills.items]
        if not isinstance(skills.next_cursor, str):
            break
        cursor = skills.next_cursor
    assert names == sorted(n for n in SKILL_NAMES if "python" in n)
    artifact = get_agent.sync("dev-python", client=client)
    assert isinstance(artifact, ArtifactDetail)
    assert artifact.latest == VERSION
    assert [v.version for v in artifact.versions] == [VERSION]


def test_conflict_is_a_problem_naming_both_digests(
    client: Client, published: dict[str, Response[Any]]
) -> None:
    response = publish_agent(client, "dev-python", agent_bytes("flask-specialist"))
    assert response.status_code == 409
    found = problem(response)
    assert found.code == "version_conflict"
    assert found.additional_properties["existingDigest"] == digest(agent_bytes("dev-python"))
    assert found.additional_properties["publishedDigest"] == digest(agent_bytes("flask-specialist"))


def test_invalid_file_is_a_problem_listing_every_error(client: Client) -> None:
    bad = agent_file("sdk-invalid", maxTurns="0", model="gpt-4")
    response = publish_agent(client, "sdk-invalid", bad)
    assert response.status_code == 422
    found = problem(response)
    assert found.code == "validation_failed"
    assert isinstance(found.errors, list)
    locs = {item.loc: item.code for item in found.errors}
    assert locs["frontmatter.maxTurns"] == "invalid_max_turns"
    assert locs["frontmatter.model"] == "invalid_model"
    assert all(item.severity.value == "error" for item in found.errors)
    # Nothing was stored.
    missing = get_agent_version_raw.sync_detailed("sdk-invalid", VERSION, client=client)
    assert missing.status_code == 404
    assert problem(missing).code == "not_found"


def test_validate_reports_without_storing(client: Client) -> None:
    report = validate.sync(
        client=client,
        body=markdown(agent_file("sdk-dry-run", maxTurns="0")),
        kind=ValidateKind.AGENT,
        name="sdk-dry-run",
    )
    assert isinstance(report, ValidationReport)
    assert report.valid is False
    assert [item.loc for item in report.errors] == ["frontmatter.maxTurns"]
    assert (
        get_agent_version_raw.sync_detailed("sdk-dry-run", VERSION, client=client).status_code
        == 404
    )


def _profile_operation() -> str | None:
    """The operationId of `GET /v1/profiles/{name}@{ref}`, when the document has it."""
    for path, method, operation in document.operations():
        if method == "get" and path.startswith("/v1/profiles/{") and path.endswith("}"):
            return str(operation["operationId"])
    return None


PROFILE_OPERATION = _profile_operation()


@pytest.mark.skipif(
    PROFILE_OPERATION is None, reason="openapi.json has no GET /v1/profiles/{…} yet"
)
def test_profiles_by_exact_version_range_and_tag(
    client: Client, registry: LiveServer, published: dict[str, Response[Any]]
) -> None:
    assert PROFILE_OPERATION is not None
    operation = client_operation(PROFILE_OPERATION)
    assert operation is not None, f"clients/python has no {PROFILE_OPERATION}: regenerate it"
    newer = agent_bytes("dev-python") + b"\nAlso review the tests you touch.\n"
    assert publish_agent(client, "dev-python", newer, "1.1.0").status_code == 201
    expected = {
        "dev-python@1.0.0": ("1.0.0", digest(agent_bytes("dev-python"))),
        "dev-python@^1": ("1.1.0", digest(newer)),
        "dev-python@latest": ("1.1.0", digest(newer)),
    }
    for spec, (version, agent_digest) in expected.items():
        response = operation.sync_detailed(spec, client=client)
        assert response.status_code == 200, (spec, response.content)
        profile = response.parsed
        assert profile is not None and not isinstance(profile, Problem), (spec, profile)
        assert (profile.name, profile.version, profile.digest) == (
            "dev-python",
            version,
            agent_digest,
        )
        assert sorted(skill.name for skill in profile.skills) == sorted(SKILL_NAMES)
        assert json.loads(response.content)["version"] == version
    # An exact version's profile never changes: its ETag answers If-None-Match with 304.
    exact = operation.sync_detailed("dev-python@1.0.0", client=client)
    with Client(
        base_url=registry.url,
        headers={"If-None-Match": exact.headers["etag"]},
        raise_on_unexpected_status=True,
    ) as conditional:
        assert operation.sync_detailed("dev-python@1.0.0", client=conditional).status_code == 304
