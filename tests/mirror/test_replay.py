"""Replaying a feed (`registry mirror`, `registry import`) where the source's publishes raced."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from service.artifacts.repository import ArtifactRepository
from service.db import migrate
from service.db.engine import create_engine, session_factory
from service.db.unit_of_work import unit_of_work
from service.mirror import follower
from service.mirror.follower import Follower
from service.mirror.replay import MirrorError
from service.settings import Settings
from tests.helpers import agent_file, put, serving, skill_file
from tests.servers import execute


@pytest_asyncio.fixture(loop_scope="session")
async def target(server_url: str, settings: Settings) -> AsyncIterator[str]:
    """An empty, migrated database of its own: the mirror's."""
    name = f"registry_replay_{uuid.uuid4().hex[:12]}"
    await execute(server_url, f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        await migrate.upgrade(url)
        yield url
    finally:
        await execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _mirror(source: httpx.AsyncClient, target: str) -> int:
    engine = create_engine(Settings(database_url=target), target)
    try:
        follower = Follower(
            str(source.base_url), session_factory(engine), source, default_namespace="default"
        )
        return (await follower.run(follow=False)).applied
    finally:
        await engine.dispose()


# What is stored before, what commits while the subject (resolved already) is being stored,
# the subject, and the lock the source gives it.
Race = tuple[
    list[tuple[str, str, dict[str, str]]],
    tuple[str, str],
    tuple[str, dict[str, str]],
    dict[str, str],
]
RACES: dict[str, Race] = {
    "a skill released": (
        [("racing", "1.0.0", {})],
        ("publish", "1.1.0"),
        ("agent", {"skills": "racing"}),
        {"racing": "1.0.0"},
    ),
    "the chosen skill yanked": (
        [("racing", "1.0.0", {}), ("racing", "1.1.0", {})],
        ("yank", "1.1.0"),
        ("agent", {"skills": "racing"}),
        {"racing": "1.1.0"},
    ),
    "a skill released under another": (
        [("racing", "1.0.0", {}), ("wrapper", "1.0.0", {"metadata": "\n  requires: racing"})],
        ("publish", "1.1.0"),
        ("agent", {"skills": "wrapper"}),
        {"racing": "1.0.0", "wrapper": "1.0.0"},
    ),
    "a skill released under a skill": (
        [("racing", "1.0.0", {})],
        ("publish", "1.1.0"),
        ("skill", {"metadata": "\n  requires: racing"}),
        {"racing": "1.0.0"},
    ),
}


@pytest.mark.parametrize("race", RACES)
async def test_a_version_resolved_before_a_concurrent_write_is_copied_with_its_lock(
    client: httpx.AsyncClient,
    target: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    race: str,
) -> None:
    """The subject resolves `racing` (latest); before it is stored, a write to racing commits.
    The source's feed then has that write before the subject, whose lock predates it: a copy
    replaying the feed in order must keep that lock (it stopped for good, and an export of the
    source could never be imported)."""
    before, (write, version), (kind, fields), locked = RACES[race]
    for name, stored, extra in before:
        body = skill_file(name, **extra)
        assert (await put(client, "skill", name, stored, body)).status_code == 201
    store = ArtifactRepository.store_version
    raced: list[int] = []

    async def write_first(self: ArtifactRepository, kind: str, identity: Any, *args: Any) -> Any:
        if identity.name == "subject" and not raced:
            if write == "publish":
                newer = skill_file("racing", description="Newer.")
                response = await put(client, "skill", "racing", version, newer)
            else:
                path = f"/v1/skills/racing/versions/{version}/yank"
                response = await client.post(path, json={"reason": "broken"})
            raced.append(response.status_code)
        return await store(self, kind, identity, *args)

    monkeypatch.setattr(ArtifactRepository, "store_version", write_first)
    file = (agent_file if kind == "agent" else skill_file)("subject", **fields)
    published = await put(client, kind, "subject", "1.0.0", file)
    monkeypatch.undo()
    assert raced in ([200], [201]) and published.status_code == 201, published.text
    lock = {name: entry["version"] for name, entry in published.json()["lock"]["skills"].items()}
    assert lock == locked
    feed = (await client.get("/v1/changes")).json()["changes"]
    assert [c["name"] for c in feed][-2:] == ["racing", "subject"]

    assert await _mirror(client, target) == len(feed)
    detail = f"/v1/{kind}s/subject/versions/1.0.0"
    profiles = ["/v1/profiles/subject@1.0.0", "/v1/profiles/subject@1.0.0?format=markdown"]
    async with serving(settings.model_copy(update={"database_url": target})) as copy:
        assert (await copy.get(detail)).json()["lock"] == published.json()["lock"]
        for path in profiles if kind == "agent" else []:
            mirrored = await copy.get(path)
            assert mirrored.status_code == 200, mirrored.text
            assert mirrored.content == (await client.get(path)).content


async def test_a_following_mirror_whose_commit_answer_is_lost_applies_the_event_once(
    client: httpx.AsyncClient, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection dies after the commit of a tag move but before its answer arrives: the
    move and the position after it are stored, the follower sees an unavailable database. It
    waits, and must go on from the saved position, not apply the move (another audit record,
    another feed event) again."""
    assert (await put(client, "skill", "tagged", "1.0.0", skill_file("tagged"))).status_code == 201
    response = await client.put("/v1/skills/tagged/tags/stable", json={"version": "1.0.0"})
    assert response.status_code == 200, response.text
    real = unit_of_work
    applied: list[int] = []

    @contextlib.asynccontextmanager
    async def answer_lost(sessions: Any) -> AsyncIterator[Any]:
        async with real(sessions) as session:
            yield session
        applied.append(1)
        if len(applied) == 2:
            raise ConnectionResetError("the answer to COMMIT never arrived")

    monkeypatch.setattr(follower, "unit_of_work", answer_lost)
    waits: list[str] = []
    engine = create_engine(Settings(database_url=target), target)
    try:
        mirror = Follower(
            str(client.base_url),
            session_factory(engine),
            client,
            default_namespace="default",
            on_wait=waits.append,
        )
        running = asyncio.create_task(mirror.run(follow=True, interval=0.01))
        deadline = asyncio.get_running_loop().time() + 30
        while not waits and not running.done():
            assert asyncio.get_running_loop().time() < deadline, applied
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the wait (0.02 s), then polls every 0.01 s
        assert not running.done(), running.result()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    finally:
        await engine.dispose()
    assert waits == ["this mirror's database is not reachable; trying again in 0.0 s"]
    async with serving(Settings(database_url=target, default_namespace="default")) as copy:
        events = (await copy.get("/v1/changes")).json()["changes"]
        audit = (await copy.get("/v1/audit")).json()["items"]
    assert [(c["event"], c["name"]) for c in events] == [
        ("published", "tagged"),
        ("tag.moved", "tagged"),
    ]
    assert sorted(entry["action"] for entry in audit) == ["publish", "tag"]


async def test_an_event_the_copy_refuses_stops_the_mirror_naming_it(
    client: httpx.AsyncClient, target: str, settings: Settings
) -> None:
    """A `--writable` mirror published its own `clash@1.0.0`; the source's differs. The mirror
    stops (it cannot make the copy whole), saying which of the source's events it could not
    apply, as an import does, not only the publish refusal meant for a publisher."""
    async with serving(settings.model_copy(update={"database_url": target})) as copy:
        mine = skill_file("clash", description="The mirror's own.")
        assert (await put(copy, "skill", "clash", "1.0.0", mine)).status_code == 201
    assert (await put(client, "skill", "clash", "1.0.0", skill_file("clash"))).status_code == 201
    seq = (await client.get("/v1/changes")).json()["changes"][0]["seq"]
    with pytest.raises(MirrorError) as stopped:
        await _mirror(client, target)
    message = str(stopped.value)
    assert message.startswith(f"event {seq} (published skill default/clash@1.0.0): "), message
    assert "already published" in message
