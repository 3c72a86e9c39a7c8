"""`registry pull` from a registry that lies (a compromised host, or whatever answers at its URL):
the archives are read as hostile already; the names it sends become paths too, and must not
write outside `.claude/agents/` and `.claude/skills/<name>/`, and the token must not follow an
archive link to another origin."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.pull import Puller, PullError
from tests.helpers import MARKDOWN, agent_file, bearer, put, skill_file
from tests.loopback import QuietHandler, serve_on_loopback

TOKEN = bearer("areg_" + "s" * 47)


@contextmanager
def registry_stand_in(profile: dict[str, Any], archive: bytes) -> Iterator[tuple[str, list[str]]]:
    """Answers every profile request with `profile` and anything else with `archive`; yields its
    URL and the paths asked for, in order."""
    asked: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            if self.path.startswith("/v1/profiles/"):
                body, kind = json.dumps(profile).encode(), "application/json"
            else:
                body, kind = archive, "application/gzip"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serve_on_loopback(Handler) as url:
        yield url, asked


@contextmanager
def listener() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """Another origin: records the headers of every request it gets."""
    seen: list[dict[str, str]] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers.items()))
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with serve_on_loopback(Handler) as url:
        yield url, seen


def pull(url: str, into: Path) -> str:
    """The pull's refusal (PullError's message); a pull that goes through fails the test."""
    with httpx.Client(base_url=url, headers=TOKEN, timeout=10) as http:
        try:
            Puller(http, into).pull("tester@1.0.0", force=False)
        except PullError as error:
            return str(error)
    raise AssertionError("the pull went through")


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


async def published(client: httpx.AsyncClient) -> tuple[dict[str, Any], bytes]:
    """A real profile (an agent preloading one skill) and its skill's archive."""
    assert (await put(client, "skill", "helper", "1.0.0", skill_file("helper"))).status_code == 201
    agent = agent_file("tester", skills="[helper]")
    response = await client.put("/v1/agents/tester/versions/1.0.0", content=agent, headers=MARKDOWN)
    assert response.status_code == 201, response.text
    profile: dict[str, Any] = (await client.get("/v1/profiles/tester@1.0.0")).json()
    archive = (await client.get(profile["skills"][0]["archive"])).content
    return profile, archive


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("agent", "../../../escaped"),  # .claude/agents/../../../escaped.md: beside the project
        ("agent", "sub/../../../../escaped"),
        ("skill", "team/.."),  # .claude/skills/.. : the skill's files straight into .claude/
        ("skill", "team/"),  # .claude/skills/ itself
    ],
)
async def test_names_from_the_registry_never_write_outside_their_folders(
    client: httpx.AsyncClient, tmp_path: Path, field: str, value: str
) -> None:
    profile, archive = await published(client)
    hostile = copy.deepcopy(profile)
    if field == "agent":
        hostile["name"] = value
    else:
        hostile["skills"][0]["name"] = value
    into = tmp_path / "project"
    with registry_stand_in(hostile, archive) as (url, _):
        refusal = await asyncio.to_thread(pull, url, into)
    assert f"{field} name {value!r}" in refusal and "nothing was written" in refusal, refusal
    assert files_under(tmp_path) == []

    # The same profile, honest, installs where it should.
    with (
        registry_stand_in(profile, archive) as (url, _),
        httpx.Client(base_url=url, headers=TOKEN, timeout=10) as http,
    ):
        await asyncio.to_thread(Puller(http, into).pull, "tester@1.0.0", force=False)
    assert files_under(tmp_path) == [
        "project/.claude/agents/tester.md",
        "project/.claude/registry.lock.json",
        "project/.claude/skills/helper/SKILL.md",
    ]


async def test_an_archive_link_to_another_origin_is_refused_before_the_token_goes_there(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    profile, archive = await published(client)
    with listener() as (elsewhere, seen):
        for link in (f"{elsewhere}/steal", "//" + elsewhere.split("://", 1)[1] + "/steal"):
            hostile = copy.deepcopy(profile)
            hostile["skills"][0]["archive"] = link
            with registry_stand_in(hostile, archive) as (url, asked):
                refusal = await asyncio.to_thread(pull, url, tmp_path / "project")
            assert "archive" in refusal and link in refusal, refusal
            assert asked == ["/v1/profiles/tester@1.0.0"]
    assert seen == []  # not the token, not a request at all
    assert files_under(tmp_path) == []
