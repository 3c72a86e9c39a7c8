"""Small helpers shared by the API tests."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from service.app import create_app
from service.auth.tokens import generate_token
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SKILL_NAMES = (
    "code-review-practices",
    "git-workflow",
    "python-aws",
    "python-data-processing",
    "python-flask",
    "python-testing",
)
AGENT_NAMES = ("dev-python", "flask-specialist")
# dev-python's skills in resolution order (its `skills:` list, then what they require).
DEV_PYTHON_SKILLS = [
    "python-flask",
    "python-data-processing",
    "python-aws",
    "python-testing",
    "git-workflow",
    "code-review-practices",
]
# flask-specialist's `tools:` line, rule by rule, as the file writes it.
FLASK_SPECIALIST_TOOLS = ["Read", "Write", "Edit", "MultiEdit", "Grep", "Glob", "Bash"]
MARKDOWN = {"Content-Type": "text/markdown"}

# Writes need a token. The test app and every `registry serve` a test starts take this one as
# REGISTRY_BOOTSTRAP_TOKEN (an admin over every namespace), and the `client` fixture sends it.
ADMIN_TOKEN = generate_token()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(ADMIN_TOKEN)


async def create_token(
    client: httpx.AsyncClient,
    namespaces: list[str],
    permissions: list[str],
    *,
    name: str = "test-token",
    expires_at: str | None = None,
) -> dict[str, str]:
    """A new token through the API (as the admin); returns the 201 body, `token` included."""
    body: dict[str, object] = {"name": name, "namespaces": namespaces, "permissions": permissions}
    if expires_at is not None:
        body["expiresAt"] = expires_at
    response = await client.post("/v1/tokens", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


def skill_bytes(name: str) -> bytes:
    return (EXAMPLES / "skills" / name / "SKILL.md").read_bytes()


def agent_bytes(name: str) -> bytes:
    return (EXAMPLES / "agents" / f"{name}.md").read_bytes()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def agent_file(name: str = "tester", **fields: str) -> bytes:
    """A minimal valid agent file, with frontmatter lines added or replaced."""
    lines = {"name": name, "description": "Runs the tests.", **fields}
    frontmatter = "\n".join(f"{key}: {value}" for key, value in lines.items())
    return f"---\n{frontmatter}\n---\n\nYou run the tests.\n".encode()


def skill_file(name: str = "helper", **fields: str) -> bytes:
    lines = {"name": name, "description": "Helps with things.", **fields}
    frontmatter = "\n".join(f"{key}: {value}" for key, value in lines.items())
    return f"---\n{frontmatter}\n---\n\n# {name}\n".encode()


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own (lifespan run) with these settings, and a client for it that sends the
    admin token (the app takes it as its bootstrap token unless the settings name one)."""
    if settings.bootstrap_token is None:
        settings = settings.model_copy(update={"bootstrap_token": SecretStr(ADMIN_TOKEN)})
    async with client_for(create_app(settings)) as http:
        yield http


@asynccontextmanager
async def client_for(
    app: FastAPI, base_url: str = "http://registry.test"
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for `app`, its lifespan run, that sends the admin token."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url, headers=ADMIN) as http:
            yield http


async def put(
    client: httpx.AsyncClient, kind: str, name: str, version: str, body: bytes
) -> httpx.Response:
    return await client.put(
        f"/v1/{kind}s/{name}/versions/{version}", content=body, headers=MARKDOWN
    )


async def publish_examples(client: httpx.AsyncClient, version: str = "1.0.0") -> None:
    for name in SKILL_NAMES:
        response = await put(client, "skill", name, version, skill_bytes(name))
        assert response.status_code == 201, response.text
    for name in AGENT_NAMES:
        response = await put(client, "agent", name, version, agent_bytes(name))
        assert response.status_code == 201, response.text


# Far above normal (milliseconds) even on a loaded 2-core CI machine, far below what runaway
# work (unbounded alias expansion, regex backtracking) would take. Timings live in bench/.
GENEROUS_SECONDS = 10.0


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail when the block takes longer than `seconds`: a guard against runaway work."""
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s, the bound is {seconds} s"


def metric(text: str, name: str) -> float:
    """A sample's value in a /metrics page."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")
