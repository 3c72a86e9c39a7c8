"""HEAD answers like GET without the body (RFC 9110 §9.3.2), on every GET route: from the
route, from the warm cache in front of it, conditional, and for what does not exist."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.helpers import agent_file, metric, put

VOLATILE = {"x-request-id"}


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VOLATILE}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/profiles/tester@1.0.0",  # the route, then the warm cache
        "/v1/profiles/tester@1.0.0?format=markdown",
        "/v1/profiles/tester@^1",
        "/v1/agents/tester/versions/1.0.0/raw",
        "/v1/agents/tester",
        "/v1/agents",
        "/ui/agents/default/tester",
    ],
)
async def test_head_is_the_gets_status_and_headers_without_the_body(
    client: httpx.AsyncClient, path: str
) -> None:
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    for _ in range(2):  # the second HEAD of a profile is served from memory
        head = await client.head(path)
        get = await client.get(path)
        assert head.status_code == get.status_code == 200, head.text
        assert head.content == b""
        assert get.content
        assert _headers(head) == _headers(get)
        assert int(head.headers["content-length"]) == len(get.content)


async def test_a_conditional_head_is_a_304_and_a_missing_one_a_404_problem(
    client: httpx.AsyncClient,
) -> None:
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    etag = (await client.get("/v1/profiles/tester@1.0.0")).headers["etag"]
    for _ in range(2):
        head = await client.head("/v1/profiles/tester@1.0.0", headers={"If-None-Match": etag})
        assert head.status_code == 304 and head.content == b""
        assert head.headers["etag"] == etag
    missing = await client.head("/v1/profiles/nobody@1.0.0")
    get = await client.get("/v1/profiles/nobody@1.0.0")
    assert missing.status_code == get.status_code == 404
    assert missing.content == b""
    assert missing.headers["content-type"] == get.headers["content-type"]
    assert get.headers["content-type"].startswith("application/problem+json")
    # A route with no GET is still not there for HEAD.
    post_only = await client.head("/v1/validate")
    assert post_only.status_code == 405 and post_only.content == b""


async def test_a_head_is_logged_and_counted_as_a_head(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service.access")
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    sample = (
        'registry_http_requests_total{method="HEAD",route="/v1/profiles/{spec:path}",status="200"}'
    )
    before = _count((await client.get("/metrics")).text, sample)
    for _ in range(2):  # the route, then memory
        assert (await client.head("/v1/profiles/tester@1.0.0")).status_code == 200
    methods = [
        (r.fields["method"], r.fields["path"])  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "service.access"
    ]
    assert methods[-2:] == [("HEAD", "/v1/profiles/tester@1.0.0")] * 2
    assert _count((await client.get("/metrics")).text, sample) == before + 2


def _count(page: str, sample: str) -> float:
    """The app is shared by the tests: a sample not yet there counts 0."""
    return metric(page, sample) if f"\n{sample} " in page else 0.0
