"""docker-compose.yml and the Dockerfile name real CLI commands and wire the services right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.core
import typer.main
import yaml

from service.cli import app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _resolves(argv: list[str]) -> None:
    """Parse argv with the real `registry` command tree; raise if any word or option is unknown."""
    assert argv[0] == "registry"
    command = typer.main.get_command(app)
    name, words = "registry", argv[1:]
    while isinstance(command, typer.core.TyperGroup):
        assert words, f"{argv} stops at a command group"
        name, words = words[0], words[1:]
        sub = command.commands.get(name)
        assert sub is not None, f"unknown subcommand {name!r} in {argv}"
        command = sub
    command.make_context(name, list(words))


def test_compose_services_and_commands_are_real() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", "api"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["migrate"]["command"] == ["registry", "db", "upgrade"]
    for name in ("migrate", "api"):
        _resolves(services[name]["command"])
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in services[name]["environment"]["DATABASE_URL"]
    assert "--no-migrate" in services["api"]["command"]
    depends = services["api"]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert depends["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    port = services["api"]["command"][services["api"]["command"].index("--port") + 1]
    assert services["api"]["ports"] == [f"{port}:{port}"]


def test_compose_sets_only_variables_the_service_reads() -> None:
    """Settings ignore unknown variables, so a misspelt knob (REGISTRY_DB_POOLSIZE) would be
    silently without effect: every variable compose sets must be one the service reads."""
    read = {"DATABASE_URL", *(f"REGISTRY_{name.upper()}" for name in Settings.model_fields)}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("migrate", "api"):
        unread = set(compose["services"][name]["environment"]) - read
        assert unread == set(), f"{name} sets variables nothing reads: {sorted(unread)}"


def _stages() -> list[list[str]]:
    """The Dockerfile's stages, each a list of its instructions (continuation lines joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("FROM "):
            stages.append([])
        if line.strip() and not line.startswith("#") and stages:
            stages[-1].append(line)
    return stages


def test_compose_keeps_the_signing_keys_in_a_volume() -> None:
    """The keys live in the data directory (signing-keys.json, created on first start): without
    a volume there, a re-created `api` container made new keys and every profile signed before
    stopped verifying against the JWKS. The image names the directory and creates it for its
    user, so a fresh named volume takes that owner."""
    runtime = _stages()[-1]
    env = " ".join(line for line in runtime if line.startswith("ENV "))
    data_dir = re.search(r"REGISTRY_DATA_DIR=(\S+)", env)
    assert data_dir is not None, "the image does not set REGISTRY_DATA_DIR"
    assert any(f"-o registry -g registry -m 0700 {data_dir[1]}" in line for line in runtime)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = dict(volume.rsplit(":", 1)[::-1] for volume in compose["services"]["api"]["volumes"])
    assert mounts.get(data_dir[1]) in compose["volumes"]


def test_dockerfile_cmd_is_a_real_command() -> None:
    runtime = _stages()[-1]
    cmd = next(line for line in runtime if line.startswith("CMD "))
    _resolves(yaml.safe_load(cmd.removeprefix("CMD ")))


def test_dockerfile_builds_a_wheel_and_runs_it_as_a_non_root_user() -> None:
    build, runtime = _stages()
    assert any("pip wheel" in line for line in build)
    # The runtime stage installs the built wheel: no source tree, no editable install.
    installs = [line for line in runtime if "pip install" in line]
    assert installs and all("--no-index" in line and "agent-registry" in line for line in installs)
    assert not any(line.startswith(("COPY service", "COPY .", "ADD ")) for line in runtime)
    assert not any(" -e " in line or "--editable" in line for line in runtime)
    assert not any(word in " ".join(runtime) for word in ("gcc", "build-essential", "apt-get"))
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    healthcheck = next(line for line in runtime if line.startswith("HEALTHCHECK "))
    assert "/healthz" in healthcheck
    exposed = next(line for line in runtime if line.startswith("EXPOSE ")).split()[1]
    assert f"127.0.0.1:{exposed}/healthz" in healthcheck


def test_unknown_command_is_caught() -> None:
    with pytest.raises(AssertionError, match="unknown subcommand 'upgrayed'"):
        _resolves(["registry", "db", "upgrayed"])
    with pytest.raises(Exception, match="No such option: --no-such-flag"):
        _resolves(["registry", "serve", "--no-such-flag"])
