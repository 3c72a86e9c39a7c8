"""Concurrent lifecycle changes of one version never leave its served profile disagreeing with it."""

from __future__ import annotations

import asyncio
import random

import httpx

from tests.helpers import agent_file, put

VERSION = "/v1/agents/tester/versions/1.0.0"
ROUNDS = 50


async def _change(client: httpx.AsyncClient, action: str, round_: int) -> httpx.Response:
    if action == "yank":
        return await client.post(f"{VERSION}/yank", json={"reason": f"round {round_}"})
    if action == "unyank":
        return await client.delete(f"{VERSION}/yank")
    if action == "deprecate":
        return await client.post(f"{VERSION}/deprecate", json={"message": f"round {round_}"})
    return await client.delete(f"{VERSION}/deprecate")


async def test_concurrent_yank_unyank_deprecate_undeprecate_keep_profile_and_row_in_agreement(
    client: httpx.AsyncClient,
) -> None:
    assert (await put(client, "agent", "tester", "1.0.0", agent_file())).status_code == 201
    chance = random.Random(8)
    actions = ("yank", "unyank", "deprecate", "undeprecate")
    for round_ in range(ROUNDS):
        # Every round races a yank-side change against a deprecate-side one, plus a third.
        chosen = [chance.choice(actions[:2]), chance.choice(actions[2:]), chance.choice(actions)]
        answers = await asyncio.gather(*(_change(client, a, round_) for a in chosen))
        assert [a.status_code for a in answers] == [200] * 3, [a.text for a in answers]
        row = (await client.get(VERSION)).json()
        as_json = (await client.get("/v1/profiles/tester@1.0.0")).json()
        assert (as_json["yanked"], as_json["deprecated"]) == (row["yanked"], row["deprecated"]), (
            f"round {round_}: {chosen}"
        )
