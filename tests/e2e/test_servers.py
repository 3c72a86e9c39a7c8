"""`registry serve` under either server, granian (the default) and `--server uvicorn`: the same
answers (warm profiles from the fast path), the same trust in a proxy on this host
(`X-Forwarded-Proto`/`-For` from 127.0.0.1, uvicorn's default, which granian does not have),
our request log, and a clean stop on SIGINT with the lifespan's shutdown run."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest

from tests.helpers import ADMIN, ADMIN_TOKEN, agent_file
from tests.live_db import database, serve

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("server", ["granian", "uvicorn"])
def test_serve_answers_trusts_a_local_proxy_and_stops_cleanly(server: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with database() as url:
        process, base = serve(url, log, {"REGISTRY_DATA_DIR": str(tmp_path)}, ("--server", server))
        try:
            http = httpx.Client(base_url=base, headers=ADMIN, timeout=30)
            published = http.put(
                "/v1/agents/tester/versions/1.0.0",
                content=agent_file(),
                headers={"Content-Type": "text/markdown"},
            )
            assert published.status_code == 201, published.text
            first = http.get("/v1/profiles/tester@1.0.0")
            warm = http.get("/v1/profiles/tester@1.0.0")
            assert first.status_code == warm.status_code == 200
            assert warm.headers["server"] == server  # the server asked for is the one answering
            assert warm.content == first.content and warm.json()["name"] == "tester"
            assert warm.headers["registry-signature"] == first.headers["registry-signature"]
            hits = [
                line
                for line in http.get("/metrics").text.splitlines()
                if line.startswith("registry_profile_cache_hits_total ")
            ]
            assert hits and float(hits[0].split()[1]) >= 1

            # A TLS-terminating proxy on this host: the catalogue's cookie is Secure behind it,
            # and the audit log names the proxy's client, not the proxy.
            form = {"token": ADMIN_TOKEN, "next": "/"}
            proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
            behind = http.post("/ui/session", data=form, headers=proxied)
            direct = http.post("/ui/session", data=form)
            assert behind.status_code == direct.status_code == 303, behind.text
            assert "secure" in behind.headers["set-cookie"].lower().split("; ")
            assert "secure" not in direct.headers["set-cookie"].lower().split("; ")
            refused = http.put(
                "/v1/agents/tester/versions/2.0.0",
                content=agent_file(),
                headers={
                    "Content-Type": "text/markdown",
                    "Authorization": "Bearer areg_not-a-real-token-at-all",
                    "X-Forwarded-For": "203.0.113.9, 127.0.0.1",
                },
            )
            assert refused.status_code == 401, refused.text
            latest = http.get("/v1/audit").json()["items"][0]
            assert latest["action"] == "unauthenticated"
            assert latest["clientAddress"] == "203.0.113.9"
            assert latest["requestId"] == refused.headers["x-request-id"]
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(30) == 0
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "service.access"]
    assert {line["request_id"] for line in requests} >= {refused.headers["x-request-id"]}
    assert any(line["path"] == "/v1/profiles/tester@1.0.0" for line in requests)
    assert any(line["message"] == "database pool closed" for line in lines)  # lifespan shutdown
    assert "Traceback" not in log.read_text()
