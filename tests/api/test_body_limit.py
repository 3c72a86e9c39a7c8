"""Bodies a route parses as JSON are bounded like the files a publish reads: REGISTRY_MAX_BODY_BYTES,
refused before they are read in full. They were read whole, whatever their size, so an anonymous
client could make the server hold (and then parse) a body as large as it cared to send."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import ADMIN

CHUNK = 64 * 1024
JSON = {"Content-Type": "application/json"}


class Streamed:
    """A chunked body (no Content-Length) of `chunks` × 64 KiB inside a JSON string, counting
    how many chunks the server pulled."""

    def __init__(self, head: bytes, chunks: int) -> None:
        self.head = head
        self.tail = b'"]}' if head.endswith(b'["') else b'"}'
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"a" * CHUNK
        yield self.tail


@pytest.mark.parametrize(
    ("path", "head", "headers"),
    [
        ("/v1/profiles", b'{"refs": ["', {}),  # anonymous
        ("/v1/auth/oidc", b'{"token": "', {}),  # anonymous
        ("/v1/tokens", b'{"name": "', ADMIN),
    ],
)
async def test_a_json_body_over_the_limit_is_a_413_before_it_is_read_in_full(
    anonymous_client: httpx.AsyncClient,
    app: FastAPI,
    path: str,
    head: bytes,
    headers: dict[str, str],
) -> None:
    limit = app.state.settings.max_body_bytes
    streamed = Streamed(head, 256)  # 16 MiB
    response = await anonymous_client.post(path, content=streamed, headers={**JSON, **headers})
    assert response.status_code == 413, response.text[:300]
    problem = response.json()
    assert problem["code"] == "payload_too_large" and problem["limit"] == limit
    assert streamed.pulled <= limit // CHUNK + 1, streamed.pulled

    declared = head + b"a" * (limit + 1) + streamed.tail
    response = await anonymous_client.post(path, content=declared, headers={**JSON, **headers})
    assert response.status_code == 413, response.text[:300]
    assert str(len(declared)) in response.json()["detail"]


async def test_a_body_within_the_limit_still_reaches_the_route(
    anonymous_client: httpx.AsyncClient,
) -> None:
    streamed = Streamed(b'{"refs": ["', 0)
    response = await anonymous_client.post("/v1/profiles", content=streamed, headers=JSON)
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["ref"] == "" and result["status"] == 400
