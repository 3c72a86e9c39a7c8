"""Schemathesis against a live `registry serve`: every answer is declared and matches the document.

Each operation of the committed openapi/openapi.json gets requests from its documented examples
and from property-based generation (schema-valid and schema-violating), and every response must
pass these checks:

- not_a_server_error           no 5xx
- status_code_conformance      the status is declared for the operation
- content_type_conformance     the Content-Type is one declared for that status
- response_schema_conformance  the body validates against the declared schema
- response_headers_conformance declared response headers are present and valid

(Schemathesis' other checks judge input validation — `positive_data_acceptance` expects every
schema-valid request to succeed, which no Markdown file schema of `type: string` can promise —
and are not the contract this test is about; run `st run openapi/openapi.json --url ...` for
them.) A stateful run then chains operations through the links Schemathesis infers (publish, then
read, tag, yank, resolve...).

Generation is bounded (REGISTRY_FUZZ_EXAMPLES per operation, 25 by default; 6 steps per
scenario) and derandomized, so a run is reproducible and takes well under a minute on two cores.
Markdown and YAML bodies often come from strategies that build real-looking agent, skill and
toolset files (valid and broken), and path parameters are biased towards what the fixture
published, so requests reach the service's rules and not only its 404s.

Requests that broke the contract once are kept in REPLAYS and sent first, byte for byte: the
operations they belong to are xfail(strict=True) with the bug, until it is fixed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.contract import document
from tests.contract.live_server import LiveServer, live_registry
from tests.helpers import ADMIN, AGENT_NAMES, SKILL_NAMES, agent_bytes, skill_bytes

pytestmark = pytest.mark.e2e

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Deeper local runs: REGISTRY_FUZZ_EXAMPLES=300 REGISTRY_FUZZ_RANDOM=1 pytest tests/contract
# (add REGISTRY_FUZZ_NO_REPLAY=1 --runxfail to look past the known bugs below)
MAX_EXAMPLES = int(os.environ.get("REGISTRY_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = not os.environ.get("REGISTRY_FUZZ_RANDOM")
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=list(HealthCheck),
)
STATEFUL = settings(
    max_examples=max(MAX_EXAMPLES, 30),
    stateful_step_count=6,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=list(HealthCheck),
)

NAMES = [*SKILL_NAMES, *AGENT_NAMES, "readonly", "fuzz-missing", "team/fuzz-missing"]
VERSIONS = ["1.0.0", "1.1.0", "2.0.0-rc.1", "0.0.1"]
REFS = ["1.0.0", "^1", "~1.0", "latest", "stable", ">=1 <2", "sha256:0"]
TOOLS = ["Read", "Write", "Edit", "Bash", "Bash(git diff:*)", "Grep", "Glob", "WebFetch", "Frob"]


# -- request bodies --------------------------------------------------------------------------


def _yaml_scalar(value: str) -> str:
    return value if value.replace("-", "").replace(" ", "").isalnum() else repr(value)


@st.composite
def _frontmatter_file(draw: st.DrawFn) -> bytes:
    """An agent or skill file: frontmatter with known fields, valid or not, and a body."""
    fields: dict[str, str] = {}
    if draw(st.booleans()):
        fields["name"] = draw(st.sampled_from(NAMES).map(lambda n: n.split("/")[-1]))
    if draw(st.booleans()):
        fields["description"] = _yaml_scalar(draw(st.text(min_size=0, max_size=60)))
    if draw(st.booleans()):
        fields["model"] = draw(st.sampled_from(["sonnet", "opus", "haiku", "inherit", "gpt-4"]))
    if draw(st.booleans()):
        fields["maxTurns"] = str(draw(st.integers(min_value=-2, max_value=2**40)))
    if draw(st.booleans()):
        fields["tools"] = ", ".join(draw(st.lists(st.sampled_from(TOOLS), max_size=4)))
    if draw(st.booleans()):
        fields["skills"] = ", ".join(draw(st.lists(st.sampled_from(SKILL_NAMES), max_size=3)))
    if draw(st.booleans()):
        fields[draw(st.sampled_from(["colour", "version", "metadata", "allowed-tools"]))] = (
            _yaml_scalar(draw(st.text(max_size=20)))
        )
    frontmatter = "\n".join(f"{key}: {value}" for key, value in fields.items())
    body = draw(st.text(max_size=200))
    return f"---\n{frontmatter}\n---\n\n{body}\n".encode()


EXAMPLE_FILES = [skill_bytes(n) for n in SKILL_NAMES] + [agent_bytes(n) for n in AGENT_NAMES]
MARKDOWN = st.one_of(
    _frontmatter_file(),
    st.sampled_from(EXAMPLE_FILES),
    st.text(max_size=300).map(str.encode),
    st.binary(max_size=300),
)


@st.composite
def _toolset_yaml(draw: st.DrawFn) -> bytes:
    lines = []
    if draw(st.booleans()):
        lines.append(f"name: {draw(st.sampled_from(['readonly', 'fuzz-tools', 'Bad Name']))}")
    if draw(st.booleans()):
        lines.append(f"description: {_yaml_scalar(draw(st.text(max_size=40)))}")
    if draw(st.booleans()):
        tools = draw(st.lists(st.sampled_from(TOOLS), max_size=4))
        lines.append("tools:" + "".join(f"\n  - {_yaml_scalar(tool)}" for tool in tools))
    return ("\n".join(lines) + "\n").encode()


YAML = st.one_of(_toolset_yaml(), st.text(max_size=200).map(str.encode), st.binary(max_size=200))
RAW_MEDIA_TYPES = ("text/markdown", "text/x-markdown", "application/yaml", "application/x-yaml")


def _raw(ctx: Any, value: Any) -> bytes:
    """Markdown and YAML bodies go out as they are (Schemathesis would dump YAML as a scalar)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value).encode()  # a negative case's non-string body


schemathesis.serializer(*RAW_MEDIA_TYPES)(_raw)


def _realistic_bodies(context: Any, body: Any) -> Any:
    """Often replace a generated string body by a real-looking file of the operation's kind."""
    if not isinstance(body, str) or context.operation is None:
        return st.just(body)
    files = YAML if "/toolsets/" in context.operation.path else MARKDOWN
    return st.one_of(st.just(body), files, files)


# -- the server and the schema ---------------------------------------------------------------


TOOLSET = b'{"name": "readonly", "description": "Look, never touch", "tools": ["Read", "Grep"]}'
NAMES_BY_KIND = {  # what the fixture published, qualified or not, and one that is missing
    "agents": [*AGENT_NAMES, "default/dev-python", "fuzz-missing"],
    "skills": [*SKILL_NAMES, "default/git-workflow", "fuzz-missing"],
    "toolsets": ["readonly", "default/readonly", "readonly", "fuzz-missing"],
    "profiles": [*AGENT_NAMES, "default/dev-python", "fuzz-missing"],
}


def _known_values(path: str) -> dict[str, st.SearchStrategy[str]]:
    kind = path.split("/")[2] if path.startswith("/v1/") else ""
    names = st.sampled_from(NAMES_BY_KIND.get(kind, NAMES))
    return {
        "name": names,
        "version": st.sampled_from(["1.0.0", "1.0.0", *VERSIONS]),
        "tag": st.sampled_from(["stable", "beta", "latest"]),
        "spec": st.builds("{}@{}".format, names, st.sampled_from(REFS)),
    }


def _bias_path_parameters(context: Any, path_parameters: Any) -> Any:
    """Keep each generated value, or (mostly) swap in one that exists or nearly does."""
    if not isinstance(path_parameters, dict) or context.operation is None:
        return st.just(path_parameters)
    known = _known_values(context.operation.path)
    return st.fixed_dictionaries(
        {
            key: st.one_of(st.just(value), *[known[key]] * 3) if key in known else st.just(value)
            for key, value in path_parameters.items()
        }
    )


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_registry(tmp_path_factory.mktemp("fuzz-registry"), prefix="registry_fuzz") as server:
        # Published examples, so reads, tags, yanks and profiles have something to find.
        with httpx.Client(
            base_url=server.url, headers={"Content-Type": "text/markdown", **ADMIN}
        ) as http:
            for name in SKILL_NAMES:
                put = http.put(f"/v1/skills/{name}/versions/1.0.0", content=skill_bytes(name))
                assert put.status_code == 201, put.text
            for name in AGENT_NAMES:
                put = http.put(f"/v1/agents/{name}/versions/1.0.0", content=agent_bytes(name))
                assert put.status_code == 201, put.text
            put = http.put(
                "/v1/toolsets/readonly/versions/1.0.0",
                content=TOOLSET,
                headers={"Content-Type": "application/json"},
            )
            assert put.status_code == 201, put.text
        yield server


@pytest.fixture(scope="module")
def api_schema(registry: LiveServer) -> Any:
    schema = schemathesis.openapi.from_path(document.DOCUMENT)
    # Every generated request carries the admin token, so writes reach their handlers.
    schema.config.update(base_url=registry.url, request_timeout=30, headers=ADMIN)
    schema.hook("flatmap_path_parameters")(_bias_path_parameters)
    schema.hook("flatmap_body")(_realistic_bodies)
    return schema


# -- what the fuzzing found ------------------------------------------------------------------
# Each request below made the service break the contract once; all are fixed. They are replayed,
# exactly, before the generated cases of their operation: they are the regression tests. A new
# finding goes here too, with its operation marked xfail(strict=True) until it is fixed.

BUG_NUL_QUERY = (
    "FIXED: `GET /v1/{agents,skills,toolsets}?q=%00` answers 500 internal_error: the NUL byte "
    "passes the query's validation and PostgreSQL refuses it (asyncpg "
    "CharacterNotInRepertoireError: invalid byte sequence for encoding UTF8: 0x00); expected a "
    "declared 4xx problem"
)
BUG_LONE_SURROGATE = (
    'FIXED: a JSON toolset holding a lone UTF-16 surrogate escape ("\\ud800") in its description, '
    "a metadata value or an unknown key answers 500 (PUT /v1/toolsets/..., and POST "
    "/v1/validate?kind=toolset): json.loads accepts it, the string is echoed into the 422 "
    "problem / the 200 report, and Starlette's JSONResponse (pydantic for the report) cannot "
    "encode it as UTF-8"
)
BUG_UNDECODABLE_JSON = (
    "FIXED: a JSON request body that is not UTF-8 (b'\\xff') answers 400 `http_error` 'There was "
    "an error parsing the body' (FastAPI's own HTTPException), a status these operations do not "
    "declare; malformed but UTF-8 JSON gets the declared 422 `request_invalid`"
)
BUG_NEWLINE_NAME = (
    "FIXED: a name containing a newline (`PUT /v1/agents/a%0Ab/versions/1.0.0`) answers 404 "
    "'Not Found' from routing — Starlette's `{name:path}` pattern is `.*`, which does not "
    "match a newline — and the publish operations declare no 404; expected the service's own "
    "invalid_name problem"
)

BUG_TOOLSET_RAW_MEDIA_TYPE = (
    "FIXED: `GET /v1/toolsets/{name}/versions/{version}/raw` answers "
    "`Content-Type: application/octet-stream` (service/artifacts/router.py), but the document "
    'declares its 200 as `application/json` with `{"type": "string"}`; so the generated Python '
    "client JSON-decodes the stored bytes (a dict typed as str for a JSON toolset, "
    "JSONDecodeError for a YAML one)"
)


@dataclass(frozen=True)
class Replay:
    bug: str
    path_parameters: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    media_type: str | None = None
    body: bytes | None = None


_SURROGATE_TOOLSET = b'{"name": "readonly", "description": "\\ud800", "tools": ["Read"]}'
_VERSION = {"name": "dev-python", "version": "1.0.0"}
REPLAYS: dict[tuple[str, str], list[Replay]] = {
    ("get", f"/v1/{kind}"): [Replay(BUG_NUL_QUERY, query={"q": "\x00"})]
    for kind in ("agents", "skills", "toolsets")
}
REPLAYS[("put", "/v1/toolsets/{name}/versions/{version}")] = [
    Replay(
        BUG_LONE_SURROGATE,
        {"name": "readonly", "version": "1.0.0"},
        media_type="application/json",
        body=_SURROGATE_TOOLSET,
    ),
]
REPLAYS[("get", "/v1/toolsets/{name}/versions/{version}/raw")] = [
    Replay(BUG_TOOLSET_RAW_MEDIA_TYPE, {"name": "readonly", "version": "1.0.0"}),
]
REPLAYS[("post", "/v1/validate")] = [
    Replay(
        BUG_LONE_SURROGATE,
        query={"kind": "toolset"},
        media_type="application/json",
        body=_SURROGATE_TOOLSET,
    ),
]
for _kind, _media, _file in (
    ("agents", "text/markdown", agent_bytes("dev-python")),
    ("skills", "text/markdown", skill_bytes("git-workflow")),
    ("toolsets", "application/json", b'{"name": "a", "description": "d", "tools": ["Read"]}'),
):
    REPLAYS.setdefault(("put", f"/v1/{_kind}/{{name}}/versions/{{version}}"), []).append(
        Replay(BUG_NEWLINE_NAME, {"name": "a\nb", "version": "1.0.0"}, {}, _media, _file)
    )
    for _method, _path in (
        ("post", f"/v1/{_kind}/{{name}}/versions/{{version}}/yank"),
        ("post", f"/v1/{_kind}/{{name}}/versions/{{version}}/deprecate"),
        ("put", f"/v1/{_kind}/{{name}}/tags/{{tag}}"),
    ):
        parameters = {"name": "dev-python", "tag": "stable"} if "{tag}" in _path else _VERSION
        REPLAYS[(_method, _path)] = [
            Replay(BUG_UNDECODABLE_JSON, parameters, media_type="application/json", body=b"\xff")
        ]
REPLAYS[("post", "/v1/profiles")] = [
    Replay(BUG_UNDECODABLE_JSON, media_type="application/json", body=b"\xff")
]


def _replay(operation: Any, replay: Replay, base_url: str) -> None:
    """Send one recorded request exactly (bytes and all) and run the same checks on the answer."""
    url = base_url + re.sub(
        r"\{(\w+)\}",
        lambda match: quote(replay.path_parameters[match.group(1)], safe=""),
        operation.path,
    )
    headers = {"Content-Type": replay.media_type} if replay.media_type else {}
    headers |= ADMIN
    response = httpx.request(
        operation.method.upper(),
        url,
        params=replay.query,
        content=replay.body,
        headers=headers,
        timeout=30,
    )
    case = operation.Case(
        path_parameters=replay.path_parameters or None,
        query=replay.query or None,
        media_type=replay.media_type,
    )
    case.validate_response(response, checks=CHECKS)


def _operation_param(path: str, method: str) -> Any:
    return pytest.param(path, method, id=f"{method.upper()} {path}")


# One test per operation, listed from the committed document. (Schemathesis' own
# `from_fixture(...).parametrize()` needs pytest internals that pytest 9 no longer has, so each
# test draws its cases from the operation's strategies with Hypothesis directly.)
OPERATIONS = [_operation_param(path, method) for path, method, _ in document.operations()]


def test_every_replayed_request_names_an_operation_of_the_document() -> None:
    known = {(method, path) for path, method, _ in document.operations()}
    assert not set(REPLAYS) - known, sorted(set(REPLAYS) - known)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_every_response_is_declared_and_conforms(
    api_schema: Any, registry: LiveServer, path: str, method: str
) -> None:
    operation = api_schema[path][method]
    if not os.environ.get("REGISTRY_FUZZ_NO_REPLAY"):  # set it to look past the known bugs
        for replay in REPLAYS.get((method, path), []):
            _replay(operation, replay, registry.url)
    strategies = [
        *operation.get_strategies_from_examples(),
        operation.as_strategy(GenerationMode.POSITIVE, hooks=api_schema.hooks),
        operation.as_strategy(GenerationMode.NEGATIVE, hooks=api_schema.hooks),
    ]

    @given(case=st.one_of(strategies))
    @HYPOTHESIS
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    check()


def test_stateful_sequences_conform(api_schema: Any, registry: LiveServer) -> None:
    if not os.environ.get("REGISTRY_FUZZ_NO_REPLAY"):
        for (method, path), replays in REPLAYS.items():
            for replay in replays:
                _replay(api_schema[path][method], replay, registry.url)
    machine = api_schema.as_state_machine()

    class Conforming(machine):  # type: ignore[misc,valid-type]
        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(
                response, checks=CHECKS, transport_kwargs={"base_url": registry.url}
            )

    Conforming.run(settings=STATEFUL)
