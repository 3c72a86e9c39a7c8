"""`registry keys list|rotate` on a key file, and `registry policy` argument checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.servers import free_port

runner = CliRunner()


def test_rotate_creates_then_appends_and_list_marks_the_signing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGISTRY_SIGNING_KEYS", raising=False)
    path = tmp_path / "keys.json"
    first = runner.invoke(app, ["keys", "list", "--keys-file", str(path)])
    assert first.exit_code == 0, first.output
    [(kid, _, role)] = [line.split() for line in first.stdout.splitlines()]
    assert role == "signs"
    rotated = runner.invoke(app, ["keys", "rotate", "--keys-file", str(path)])
    assert rotated.exit_code == 0, rotated.output
    new_kid = rotated.stdout.strip().splitlines()[-1]
    listed = [
        line.split()
        for line in runner.invoke(
            app, ["keys", "list", "--keys-file", str(path)]
        ).stdout.splitlines()
    ]
    assert [(row[0], row[2]) for row in listed] == [(kid, "verifies"), (new_kid, "signs")]
    stored = json.loads(path.read_text())
    assert [k["kid"] for k in stored["keys"]] == [kid, new_kid]
    assert all(k["d"] not in rotated.output + first.output for k in stored["keys"])


def test_rotate_refuses_when_keys_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRY_SIGNING_KEYS", '{"keys": []}')
    result = runner.invoke(app, ["keys", "rotate", "--keys-file", str(tmp_path / "k.json")])
    assert result.exit_code == 1 and "REGISTRY_SIGNING_KEYS" in result.output
    assert not (tmp_path / "k.json").exists()


def test_policy_needs_exactly_one_target() -> None:
    neither = runner.invoke(app, ["policy", "set", "enforce"])
    both = runner.invoke(app, ["policy", "show", "--agent", "a", "--skill", "b"])
    assert neither.exit_code == both.exit_code == 2
    assert "exactly one of --namespace, --agent or --skill" in neither.output
    bad = runner.invoke(app, ["policy", "set", "strict", "--namespace", "acme"])
    assert bad.exit_code == 2


def test_policy_and_export_without_a_registry_say_so_in_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    policy = runner.invoke(app, ["policy", "show", "--namespace", "default", "--url", url])
    assert policy.exit_code == 4 and isinstance(policy.exception, SystemExit), policy.exception
    assert f"error: no registry at {url} (ConnectError)" in policy.output
    export = runner.invoke(app, ["export", str(tmp_path / "r.tar.gz"), "--url", url])
    assert export.exit_code == 1 and isinstance(export.exception, SystemExit), export.exception
    assert f"export failed: no registry at {url} (ConnectError)" in export.output
    assert not (tmp_path / "r.tar.gz").exists()
