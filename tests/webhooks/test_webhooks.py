"""Webhooks against a real PostgreSQL and a loopback receiver: signatures, retries, redelivery."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from service.app import create_app
from service.settings import Settings
from service.webhooks.dispatcher import backoff
from tests.helpers import ADMIN_TOKEN, client_for, put, skill_file
from tests.webhooks.receiver import receiver, tls_for


def _dispatching_app(database_url: str, *, allow_private: bool) -> FastAPI:
    return create_app(
        Settings(
            database_url=database_url,
            webhook_allow_private=allow_private,
            webhook_dispatcher=True,
            webhook_poll_interval=0.05,
            # Well under the receiver's 3 s hang, well over a loaded machine's slowest answer:
            # the timeout bounds a whole try, and at 0.5 s a busy CI box made a second one.
            webhook_timeout=1.5,
            webhook_backoff_seconds=0.05,
            webhook_max_attempts=4,
            bootstrap_token=ADMIN_TOKEN,
        )
    )


@pytest_asyncio.fixture(loop_scope="session")
async def dispatching(database_url: str, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """An app that delivers: private addresses allowed (the receiver is on 127.0.0.1), fast
    polling, a short timeout and short backoff so retries happen within the test."""
    app = _dispatching_app(database_url, allow_private=True)
    async with client_for(app, "http://t") as http:
        yield http


async def _subscribe(client: httpx.AsyncClient, url: str, **fields: Any) -> dict[str, Any]:
    body = {"url": url, "events": ["published", "tag.moved", "yanked", "deprecated"], **fields}
    response = await client.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _deliveries(client: httpx.AsyncClient, webhook: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/webhooks/{webhook}/deliveries")
    assert response.status_code == 200, response.text
    deliveries: list[dict[str, Any]] = response.json()["deliveries"]
    return deliveries


async def _settled(client: httpx.AsyncClient, webhook: str, count: int) -> list[dict[str, Any]]:
    for _ in range(600):
        deliveries = await _deliveries(client, webhook)
        if len(deliveries) >= count and all(d["status"] != "pending" for d in deliveries):
            return deliveries
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries never settled: {deliveries}")


def _expected_signature(secret: str, header: str, body: bytes) -> bool:
    """The receiver's side, written out independently of service.webhooks.signing."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    mac = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256)
    return (
        hmac.compare_digest(mac.hexdigest(), fields["v1"])
        and abs(time.time() - int(fields["t"])) < 300
    )


async def test_subscriptions_show_the_secret_once_and_refuse_unsafe_urls(
    client: httpx.AsyncClient,
) -> None:
    for url, reason in (
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "loopback"),
        # IPv6 addresses that Python calls global but that reach a private IPv4 address: through
        # a NAT64 gateway (64:ff9b::/96) or a 6to4 relay to 10.1.2.3; NAT64's local-use prefix.
        ("http://[64:ff9b::a01:203]/hook", "10.1.2.3"),
        ("http://[64:ff9b:1::a01:203]/hook", "64:ff9b:1::a01:203,"),
        ("http://[2002:a01:203::1]/hook", "10.1.2.3"),
        ("ftp://93.184.216.34/hook", "http and https"),
        ("http://user:pw@93.184.216.34/hook", "credentials"),
    ):
        response = await client.post("/v1/webhooks", json={"url": url, "events": ["published"]})
        assert response.status_code == 422, (url, response.text)
        problem = response.json()
        assert problem["errors"][0]["loc"] == "body.url"
        assert problem["errors"][0]["code"] == "url_not_allowed"
        assert reason in problem["detail"], (url, problem["detail"])

    # Malformed, not merely unsafe: each was an exception out of the route (a 500).
    for url, reason in (
        ("http://[::1/hook", "malformed"),
        ("http://" + "a" * 70 + ".example/hook", "not a valid host name"),
    ):
        response = await client.post("/v1/webhooks", json={"url": url, "events": ["published"]})
        assert response.status_code == 422, (url, response.text)
        problem = response.json()
        assert problem["errors"][0]["code"] == "url_not_allowed" and reason in problem["detail"]
    for field, value in (("url", "https://93.184.216.34/\x00"), ("namespace", "a\x00b")):
        body = {"url": "https://93.184.216.34/hook", "events": ["published"], field: value}
        response = await client.post("/v1/webhooks", json=body)
        assert response.status_code == 422, (field, response.text)
        assert [e["loc"] for e in response.json()["errors"]] == [f"body.{field}"]
    assert (await client.get("/v1/webhooks")).json()["webhooks"] == []

    response = await client.post("/v1/webhooks", json={"url": "x", "events": ["nope"], "y": 1})
    assert response.status_code == 422
    assert {e["loc"] for e in response.json()["errors"]} >= {"body.events.0", "body.y"}

    # …and one that carries a public IPv4 address is as good as that address.
    nat64 = await _subscribe(client, "https://[64:ff9b::5db8:d822]/hook")
    assert (await client.delete(f"/v1/webhooks/{nat64['id']}")).status_code == 204
    created = await _subscribe(client, "https://93.184.216.34/hook", namespace="team")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    shown = (await client.get(f"/v1/webhooks/{created['id']}")).json()
    assert "secret" not in shown and shown["namespace"] == "team"
    assert [w["id"] for w in (await client.get("/v1/webhooks")).json()["webhooks"]] == [
        created["id"]
    ]
    assert (await client.delete(f"/v1/webhooks/{created['id']}")).status_code == 204
    missing = await client.get(f"/v1/webhooks/{created['id']}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


async def test_a_publish_is_delivered_signed(dispatching: httpx.AsyncClient) -> None:
    with receiver() as hook:
        created = await _subscribe(dispatching, hook.url)
        body = skill_file("hooked")
        assert (await put(dispatching, "skill", "hooked", "1.0.0", body)).status_code == 201
        received = (await asyncio.to_thread(hook.wait_for, 1))[0]
    signature = received.headers["Registry-Webhook-Signature"]
    assert _expected_signature(created["secret"], signature, received.body)
    assert not _expected_signature("whsec_wrong", signature, received.body)
    assert not _expected_signature(created["secret"], signature, received.body + b" ")
    payload = json.loads(received.body)
    assert payload["event"] == "published" and payload["webhook"] == created["id"]
    assert payload["change"]["name"] == "hooked" and payload["change"]["version"] == "1.0.0"
    assert payload["change"]["digest"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert received.headers["Registry-Webhook-Id"] == str(payload["id"])
    assert received.headers["Registry-Webhook-Event"] == "published"
    [delivery] = await _settled(dispatching, created["id"], 1)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert delivery["lastStatusCode"] == 200 and delivery["seq"] == payload["change"]["seq"]


async def test_receiver_errors_and_timeouts_are_retried_until_delivered(
    dispatching: httpx.AsyncClient,
) -> None:
    with receiver() as hook:
        hook.script = [500, "hang", 503]
        created = await _subscribe(dispatching, hook.url)
        assert (await put(dispatching, "skill", "retry", "1.0.0", skill_file("retry"))).is_success
        received = await asyncio.to_thread(hook.wait_for, 4)
        [delivery] = await _settled(dispatching, created["id"], 1)
    assert [r.answered for r in received] == [500, "hang", 503, 200]
    assert len({r.headers["Registry-Webhook-Id"] for r in received}) == 1
    assert len({r.body for r in received}) == 1  # the same event each time
    assert delivery["status"] == "delivered" and delivery["attempts"] == 4
    assert delivery["lastStatusCode"] == 200 and delivery["lastError"] is None


async def test_a_failed_delivery_is_logged_and_can_be_redelivered(
    dispatching: httpx.AsyncClient,
) -> None:
    with receiver() as hook:
        hook.then = 500
        created = await _subscribe(dispatching, hook.url, events=["yanked"])
        assert (await put(dispatching, "skill", "gone", "1.0.0", skill_file("gone"))).is_success
        await dispatching.post("/v1/skills/gone/versions/1.0.0/yank", json={"reason": "x"})
        [failed] = await _settled(dispatching, created["id"], 1)
        assert failed["status"] == "failed" and failed["attempts"] == 4  # webhook_max_attempts
        assert failed["event"] == "yanked"  # the publish was not subscribed to
        assert failed["lastStatusCode"] == 500 and "500" in failed["lastError"]

        hook.then = 200
        response = await dispatching.post(
            f"/v1/webhooks/{created['id']}/deliveries/{failed['id']}/redeliver"
        )
        assert response.status_code == 202 and response.json()["status"] == "pending"
        [delivered] = await _settled(dispatching, created["id"], 1)
    assert delivered["status"] == "delivered" and delivered["attempts"] == 5
    assert [r.answered for r in hook.requests] == [500, 500, 500, 500, 200]
    missing = await dispatching.post(f"/v1/webhooks/{created['id']}/deliveries/999999/redeliver")
    assert missing.status_code == 404


async def test_a_redirect_is_a_failed_try_never_followed(dispatching: httpx.AsyncClient) -> None:
    """The guard approved the subscription's address, not wherever it points next (an internal
    one, say): a 3xx answer is a failed try, retried at the same URL."""
    with receiver() as elsewhere, receiver() as hook:
        hook.script, hook.location = [307], elsewhere.url
        created = await _subscribe(dispatching, hook.url)
        assert (await put(dispatching, "skill", "moved", "1.0.0", skill_file("moved"))).is_success
        [delivery] = await _settled(dispatching, created["id"], 1)
    assert [r.answered for r in hook.requests] == [307, 200]
    assert elsewhere.requests == []
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2


async def test_namespace_subscriptions_see_only_their_namespace(
    dispatching: httpx.AsyncClient,
) -> None:
    with receiver() as hook:
        created = await _subscribe(dispatching, hook.url, namespace="team")
        assert (await put(dispatching, "skill", "mine", "1.0.0", skill_file("mine"))).is_success
        assert (
            await put(dispatching, "skill", "team/ours", "1.0.0", skill_file("ours"))
        ).is_success
        [delivery] = await _settled(dispatching, created["id"], 1)
    assert [json.loads(r.body)["change"]["name"] for r in hook.requests] == ["ours"]
    assert delivery["status"] == "delivered"


async def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout(
    dispatching: httpx.AsyncClient,
) -> None:
    """The timeout bounds a whole try, not each read: a receiver sending its header a byte every
    50 ms (each read well within the timeout) held a try as long as it liked, and with it the
    dispatcher's batch, so every other subscriber's deliveries waited too. Nor is an answer's
    body read: the status is all a delivery needs, and a receiver could send gigabytes."""
    with receiver(hang_seconds=6) as hook:
        hook.script = ["trickle-head", "trickle-body"]
        created = await _subscribe(dispatching, hook.url)
        started = time.monotonic()
        assert (await put(dispatching, "skill", "slow", "1.0.0", skill_file("slow"))).is_success
        [delivery] = await _settled(dispatching, created["id"], 1)
        elapsed = time.monotonic() - started
    assert [r.answered for r in hook.requests] == ["trickle-head", "trickle-body"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert delivery["lastStatusCode"] == 200 and delivery["lastError"] is None
    assert elapsed < 4.5, elapsed  # a 1.5 s cut-off and a short backoff; each trickle lasts 6 s


# A public address the rebinding test's name resolves to: never dialled, the test sends
# connections to it to the receiver on 127.0.0.1 instead.
PUBLIC = "93.184.216.34"


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_a_delivery_connects_to_the_address_it_checked_never_to_a_second_lookup(
    scheme: str,
    database_url: str,
    clean_db: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """DNS rebinding: a name whose answers alternate (TTL 0) between a public address and
    127.0.0.1. The guard checked one lookup and the HTTP client made its own, so the check
    passed on the public answer and the POST went to loopback. A delivery now dials the
    addresses it checked; over https the certificate is still checked against the URL's name."""
    loop = asyncio.get_running_loop()
    real_getaddrinfo, real_connect = loop.getaddrinfo, loop.create_connection
    answers: list[str] = []
    dialled: list[str] = []

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("rebind.test", b"rebind.test"):
            return await real_getaddrinfo(host, port, *args, **kwargs)
        address = PUBLIC if len(answers) % 2 == 0 else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    tls = None
    if scheme == "https":
        tls, ca_file = tls_for("rebind.test", tmp_path)
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # read when the app's client starts
    with receiver(tls=tls) as hook:
        port = int(hook.url.rsplit(":", 1)[1].split("/")[0])

        async def create_connection(factory: Any, host: Any = None, *args: Any, **kw: Any) -> Any:
            if (args[:1] or [kw.get("port")])[0] == port:
                dialled.append(host)
                host = "127.0.0.1" if host == PUBLIC else host
            return await real_connect(factory, host, *args, **kw)

        monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(loop, "create_connection", create_connection)
        async with client_for(
            _dispatching_app(database_url, allow_private=False), "http://t"
        ) as app:
            created = await _subscribe(app, f"{scheme}://rebind.test:{port}/hook")
            assert (await put(app, "skill", "rebound", "1.0.0", skill_file("rebound"))).is_success
            [delivery] = await _settled(app, created["id"], 1)
    # Creating the subscription took a public answer, the first try a loopback one (refused),
    # the second a public one: that address, and only it, was dialled.
    assert answers[:3] == [PUBLIC, "127.0.0.1", PUBLIC]
    assert dialled == [PUBLIC]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert len(hook.requests) == 1


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    import random

    rng = random.Random(7)
    delays = [backoff(n, base=2, cap=60, rng=rng) for n in range(1, 9)]
    for attempt, delay in enumerate(delays, start=1):
        nominal = min(60, 2 * 2 ** (attempt - 1))
        assert 0.5 * nominal <= delay <= 1.5 * nominal
    assert len({round(d / min(60, 2 * 2**i), 3) for i, d in enumerate(delays)}) > 1  # jittered
    assert max(delays) <= 90  # capped: never beyond 1.5 × 60
