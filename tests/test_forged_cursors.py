"""A cursor comes back from the client: garbled or forged, it is a 400, never a 500.

Each paginated route gets a cursor it issued with one part changed: a value of the wrong type,
an integer past PostgreSQL's bigint, text PostgreSQL cannot hold (NUL, a lone surrogate), a
key of the wrong length. Every one must be refused as `invalid_cursor`, never reach the SQL.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from tests.helpers import ADMIN, put, skill_file

BAD_TEXT = ["a\u0000b", "\ud800"]
BAD_INT = ["12", 2**63, -(2**63) - 1, 1.5, True, None, [1]]


def _encode(value: Any) -> str:
    raw = json.dumps(value).encode()  # ensure_ascii: a lone surrogate travels as \ud800
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


@pytest_asyncio.fixture(loop_scope="session")
async def raw(app: FastAPI, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """Unexpected errors answered as the server would (500), not raised into the test."""
    for index in range(3):
        body = skill_file(f"cur-{index}", description="Cursor skill.")
        assert (await put(client, "skill", f"cur-{index}", "1.0.0", body)).status_code == 201
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://registry.test", headers=ADMIN
    ) as http:
        yield http


async def _refused(http: httpx.AsyncClient, path: str, params: dict[str, Any]) -> None:
    response = await http.get(path, params=params)
    assert response.status_code == 400, (params, response.status_code, response.text[:300])
    if path.startswith("/v1/"):
        assert response.json()["code"] == "invalid_cursor", response.text


async def test_a_forged_changes_cursor_is_a_400(raw: httpx.AsyncClient) -> None:
    page = (await raw.get("/v1/changes", params={"limit": 1})).json()
    assert list(_decode(page["next"])) == ["seq"]
    for seq in [*BAD_INT, -1, *BAD_TEXT]:
        await _refused(raw, "/v1/changes", {"since": _encode({"seq": seq})})


@pytest.mark.parametrize(
    ("sort", "words"), [("name", {}), ("published", {}), ("relevance", {"q": "cursor"})]
)
async def test_a_forged_search_cursor_is_a_400(
    raw: httpx.AsyncClient, sort: str, words: dict[str, str]
) -> None:
    params: dict[str, Any] = {"sort": sort, "limit": 1, **words}
    page = (await raw.get("/v1/search", params=params)).json()
    state = _decode(page["next"])
    assert set(state) >= {"at", "after", "q"}
    after = state["after"]
    forged: list[dict[str, Any]] = [{"at": value} for value in [*BAD_INT, -1]]
    forged += [{"after": value} for value in ([], after[:-1], [*after, 1], "x", None)]
    for index in range(len(after)):
        for value in [*BAD_INT[1:], *BAD_TEXT, {"a": 1}]:
            if not (sort == "relevance" and index == 0 and isinstance(value, float)):  # a score
                forged.append({"after": [*after[:index], value, *after[index + 1 :]]})
    if sort == "published":
        forged.append({"after": ["yesterday", after[1]]})
    for change in forged:
        await _refused(raw, "/v1/search", {**params, "cursor": _encode(state | change)})
    # The cursor as issued still works, and so does one of the right shape it did not issue.
    assert (await raw.get("/v1/search", params={**params, "cursor": page["next"]})).is_success
    other = {"name": ["a", "b", "c", 0], "published": ["2020-01-01", 0], "relevance": [0.5, 0]}
    again = await raw.get(
        "/v1/search", params={**params, "cursor": _encode(state | {"after": other[sort]})}
    )
    assert again.status_code == 200, again.text


@pytest.mark.parametrize("path", ["/v1/skills", "/ui/search"])
async def test_a_forged_listing_cursor_is_a_400(raw: httpx.AsyncClient, path: str) -> None:
    width = 2 if path == "/v1/skills" else 3
    for text in BAD_TEXT:
        await _refused(raw, path, {"cursor": _encode([text] + ["x"] * (width - 1))})
        await _refused(raw, path, {"cursor": _encode(["x"] * (width - 1) + [text])})


async def test_a_forged_audit_cursor_is_a_400(raw: httpx.AsyncClient) -> None:
    page = (await raw.get("/v1/audit", params={"limit": 1})).json()
    assert page["nextCursor"].isdigit()
    for cursor in ["²", "١٢", "9" * 19, "-1", "1.0"]:
        await _refused(raw, "/v1/audit", {"cursor": cursor})
