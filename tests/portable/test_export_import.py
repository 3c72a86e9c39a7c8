"""`registry export` from a live registry, `registry import` into an empty one: identical."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import make_url

from tests.contract.live_server import live_registry
from tests.helpers import (
    ADMIN,
    ADMIN_TOKEN,
    AGENT_NAMES,
    EXAMPLES,
    MARKDOWN,
    SKILL_NAMES,
    agent_bytes,
    skill_bytes,
    skill_file,
)
from tests.live_db import database, serve
from tests.mirror.test_mirror import _folder_archive

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="imports into a database the test creates: needs TEST_DATABASE_URL",
)


def _registry(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTHONPATH"}}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _fill(a: httpx.Client) -> None:
    for name in SKILL_NAMES:
        if name == "python-testing":
            body, headers = (
                _folder_archive(EXAMPLES / "skills" / name),
                {"Content-Type": "application/gzip"},
            )
        else:
            body, headers = skill_bytes(name), MARKDOWN
        assert a.put(f"/v1/skills/{name}/versions/1.0.0", content=body, headers=headers).is_success
    for name in AGENT_NAMES:
        response = a.put(
            f"/v1/agents/{name}/versions/1.0.0", content=agent_bytes(name), headers=MARKDOWN
        )
        assert response.status_code == 201
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        body = skill_file("notes", description=f"Notes {version}.")
        assert a.put(
            f"/v1/skills/team/notes/versions/{version}", content=body, headers=MARKDOWN
        ).is_success
    assert a.put("/v1/skills/team/notes/tags/stable", json={"version": "1.1.0"}).is_success
    assert a.post("/v1/skills/team/notes/versions/2.0.0/yank", json={"reason": "broken"}).is_success
    assert a.post(
        "/v1/agents/flask-specialist/versions/1.0.0/deprecate", json={"message": "use dev-python"}
    ).is_success


def test_export_then_import_restores_an_identical_registry(tmp_path: Path) -> None:
    out = tmp_path / "registry.tar.gz"
    with (
        live_registry(tmp_path, "registry_export") as source,
        httpx.Client(base_url=source.url, timeout=30, headers=ADMIN) as a,
    ):
        _fill(a)
        exported = _registry("export", str(out), "--url", source.url)
        assert exported.returncode == 0, exported.stderr
        assert "Exported 14 event(s)" in exported.stderr
        nowhere = _registry("export", str(tmp_path / "missing" / "r.tar.gz"), "--url", source.url)
        assert nowhere.returncode == 1 and "Traceback" not in nowhere.stderr, nowhere.stderr
        assert nowhere.stderr.startswith("export failed: [Errno 2] No such file or directory")

        with database() as target_db:
            imported = _registry("import", str(out), "--to", target_db)
            assert imported.returncode == 0, imported.stderr
            assert "Imported 14 event(s)" in imported.stderr
            again = _registry("import", str(out), "--to", target_db)
            assert again.returncode == 1 and "not empty" in again.stderr

            process, url = serve(target_db, tmp_path / "serve.log")
            try:
                with httpx.Client(base_url=url, timeout=30, headers=ADMIN) as b:
                    for ref in ("dev-python@1.0.0", "flask-specialist@1.0.0"):
                        for fmt in ("json", "markdown"):
                            path = f"/v1/profiles/{ref}?format={fmt}"
                            assert a.get(path).content == b.get(path).content, path
                    for name in SKILL_NAMES:
                        path = f"/v1/skills/{name}/versions/1.0.0"
                        assert a.get(f"{path}/archive").content == b.get(f"{path}/archive").content
                        assert a.get(path).json()["digest"] == b.get(path).json()["digest"]
                    for path in ("/v1/skills/team/notes", "/v1/agents/flask-specialist"):
                        assert a.get(path).json() == b.get(path).json()
                    assert b.get("/v1/skills/team/notes").json()["tags"] == {"stable": "1.1.0"}
            finally:
                process.send_signal(signal.SIGINT)
                process.wait(30)


def test_a_tampered_export_is_refused_and_nothing_is_imported(tmp_path: Path) -> None:
    out = tmp_path / "registry.tar.gz"
    with (
        live_registry(tmp_path, "registry_export") as source,
        httpx.Client(base_url=source.url, timeout=30, headers=ADMIN) as a,
    ):
        body = agent_bytes("dev-python")
        for name in SKILL_NAMES:
            assert a.put(
                f"/v1/skills/{name}/versions/1.0.0", content=skill_bytes(name), headers=MARKDOWN
            ).is_success
        assert a.put(
            "/v1/agents/dev-python/versions/1.0.0", content=body, headers=MARKDOWN
        ).is_success
        assert _registry("export", str(out), "--url", source.url).returncode == 0

    # Change the agent file and give the blob its new name (so the blob matches its name), but
    # leave the event's digest: the content no longer has the digest the event names.
    members = _members(out)
    [agent_blob] = [name for name, data in members.items() if data == body]
    forged = body.replace(b"senior", b"junior")
    new_name = "registry-export/blobs/" + hashlib.sha256(forged).hexdigest()
    members[new_name] = forged
    del members[agent_blob]
    old_ref = f'"blob": "{agent_blob.rsplit("/", 1)[1]}"'.encode()
    new_ref = f'"blob": "{new_name.rsplit("/", 1)[1]}"'.encode()
    assert old_ref in members["registry-export/events.jsonl"]
    members["registry-export/events.jsonl"] = members["registry-export/events.jsonl"].replace(
        old_ref, new_ref
    )
    _write(out, members)

    with database() as target_db:
        refused = _registry("import", str(out), "--to", target_db)
        assert refused.returncode == 1
        assert "nothing was imported" in refused.stderr and "digests to" in refused.stderr
        process, url = serve(target_db, tmp_path / "serve.log")
        try:
            assert httpx.get(f"{url}/v1/changes").json()["changes"] == []
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(30)


def test_an_import_failing_on_its_last_event_leaves_the_target_unchanged(tmp_path: Path) -> None:
    """Every blob checks out, but the last event yanks a version the archive never published:
    it fails only when applied, after every other event was written, and all of them roll back."""
    out = tmp_path / "registry.tar.gz"
    with (
        live_registry(tmp_path, "registry_export") as source,
        httpx.Client(base_url=source.url, timeout=30, headers=ADMIN) as a,
    ):
        _fill(a)
        assert _registry("export", str(out), "--url", source.url).returncode == 0
    members = _members(out)
    events = members["registry-export/events.jsonl"].splitlines()
    last = json.loads(events[-1])
    [agent] = [e for e in map(json.loads, events) if e["name"] == "dev-python"]
    published = sum(json.loads(e)["event"] == "published" for e in events)
    late = last | {
        "seq": last["seq"] + 1,
        "event": "yanked",
        "kind": "agent",
        "namespace": agent["namespace"],
        "name": "dev-python",
        "version": "9.9.9",
        "details": {"reason": "corrupt record"},
    }
    late.pop("blob", None)
    events.append(json.dumps(late, sort_keys=True).encode())
    members["registry-export/events.jsonl"] = b"\n".join(events) + b"\n"
    _write(out, members)

    with database() as target_db:
        refused = _registry("import", str(out), "--to", target_db)
        assert refused.returncode == 1, refused.stderr
        assert "nothing was imported" in refused.stderr
        subject = f"event {late['seq']} (yanked agent {agent['namespace']}/dev-python@9.9.9)"
        assert subject in refused.stderr
        assert "Traceback" not in refused.stderr
        counts = asyncio.run(_row_counts(target_db))
        assert counts == {
            "artifacts": 0,
            "artifact_versions": 0,
            "changes": 0,
            "audit_log": 0,
            "search_documents": 0,
        }
        # The target is still empty, so the intact export imports into it afterwards.
        members["registry-export/events.jsonl"] = b"\n".join(events[:-1]) + b"\n"
        _write(out, members)
        imported = _registry("import", str(out), "--to", target_db)
        assert imported.returncode == 0, imported.stderr
        assert asyncio.run(_row_counts(target_db))["artifact_versions"] == published


async def _row_counts(database_url: str) -> dict[str, int]:
    url = make_url(database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        tables = ("artifacts", "artifact_versions", "changes", "audit_log", "search_documents")
        return {t: await connection.fetchval(f"SELECT count(*) FROM {t}") for t in tables}
    finally:
        await connection.close()


def _members(archive: Path) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            members[member.name] = handle.read()
    return members


def _write(archive: Path, members: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive.write_bytes(gzip.compress(buffer.getvalue()))


def test_export_and_mirror_send_a_token_where_anonymous_reads_are_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither could send one: against a registry serving no anonymous reads, both stopped with
    a bare 401 whatever the caller held."""
    monkeypatch.setenv("REGISTRY_ANONYMOUS_READ", "false")
    out = tmp_path / "registry.tar.gz"
    with (
        live_registry(tmp_path, "registry_private") as source,
        httpx.Client(base_url=source.url, timeout=30, headers=ADMIN) as a,
    ):
        body = skill_file("notes")
        assert a.put("/v1/skills/notes/versions/1.0.0", content=body, headers=MARKDOWN).is_success
        assert httpx.get(f"{source.url}/v1/skills/notes").status_code == 401
        refused = _registry("export", str(out), "--url", source.url)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
        assert "answered 401" in refused.stderr and "REGISTRY_TOKEN" in refused.stderr
        exported = _registry("export", str(out), "--url", source.url, "--token", ADMIN_TOKEN)
        assert exported.returncode == 0, exported.stderr
        assert "Exported 1 event(s)" in exported.stderr
        with database() as target_db:
            monkeypatch.setenv("REGISTRY_TOKEN", ADMIN_TOKEN)  # the other way to give it
            mirrored = _registry("mirror", "--from", source.url, "--to", target_db)
            assert mirrored.returncode == 0, mirrored.stderr
            assert "Applied 1 event(s)" in mirrored.stderr
