"""The release a new version is compared with, chosen in SQL, against its definition."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from service.artifacts.repository import ArtifactRepository
from service.compat.classify import line
from service.formats.names import Identity
from service.semver import Version
from tests.helpers import put, skill_file

PUBLISHED = [
    "0.1.9", "0.2.0", "0.2.1", "0.2.5-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0",
    "1.10.3-beta", "2.0.0-rc.1", "2.0.0", "2.1.0", "10.0.0",
]  # fmt: skip
YANKED = "1.10.0"
NEW = [
    "0.0.9", "0.2.1", "0.2.2", "0.2.5", "0.3.0", "1.0.0", "1.0.2", "1.3.0-alpha", "1.9.0",
    "1.10.1", "1.10.3", "1.11.0", "2.0.1", "2.2.0-rc.1", "3.0.0", "10.0.1", "11.0.0",
]  # fmt: skip


def definition(new: Version, published: list[Version]) -> Version | None:
    """The highest non-yanked release below `new` on the same compatibility line."""
    wanted = line(new)
    if wanted is None:
        return None
    below = [v for v in published if line(v) == wanted and v < new]
    return max(below, default=None)


async def test_baseline_is_the_highest_unyanked_release_below_on_the_same_line(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    for version in PUBLISHED:
        response = await put(client, "skill", "helper", version, skill_file("helper"))
        assert response.status_code == 201, response.text
    yank = await client.post(f"/v1/skills/helper/versions/{YANKED}/yank")
    assert yank.status_code == 200, yank.text
    releases = [Version.parse(v) for v in PUBLISHED if v != YANKED]
    releases = [v for v in releases if not v.prerelease]
    async with app.state.sessions() as session:
        repository = ArtifactRepository(session)
        helper = Identity("default", "helper")
        chosen = {}
        for text in NEW:
            state = await repository.publish_state("skill", helper, text, line(Version.parse(text)))
            chosen[text] = None if state.baseline is None else state.baseline[0]
    expected = {
        text: None if (v := definition(Version.parse(text), releases)) is None else str(v)
        for text in NEW
    }
    assert chosen == expected
    assert chosen["1.10.1"] == "1.2.0"  # 1.10.0 is yanked
    assert chosen["0.2.5"] == "0.2.1"  # 0.x lines are per minor; the rc is no release
