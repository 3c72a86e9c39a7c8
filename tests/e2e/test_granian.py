"""`registry serve --server granian`: the same app under granian (the `bench` extra, which
scripts/test installs) serves profiles, warm ones from the fast path, and stops on SIGINT."""

from __future__ import annotations

import importlib.util
import signal
from pathlib import Path

import httpx
import pytest

from tests.helpers import ADMIN, agent_file
from tests.live_db import database, serve

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(importlib.util.find_spec("granian") is None, reason="pip install '.[bench]'")
def test_serve_with_granian_answers_profiles_and_stops_cleanly(tmp_path: Path) -> None:
    with database() as url:
        process, base = serve(
            url,
            tmp_path / "serve.log",
            {"REGISTRY_DATA_DIR": str(tmp_path)},
            ("--server", "granian"),
        )
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
            assert warm.content == first.content and warm.json()["name"] == "tester"
            assert warm.headers["registry-signature"] == first.headers["registry-signature"]
            hits = [
                line
                for line in http.get("/metrics").text.splitlines()
                if line.startswith("registry_profile_cache_hits_total ")
            ]
            assert hits and float(hits[0].split()[1]) >= 1
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(30) == 0
