"""Publishing files from a repository: over HTTP for `registry publish`, in-process for `--seed`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx
from rich.console import Console

from service.artifacts.publishing import PublishService
from service.artifacts.repository import ArtifactRepository
from service.bundles.folder import read_folder
from service.bundles.manifest import deterministic_tar_gz
from service.db.engine import create_engine, session_factory
from service.errors import RegistryError
from service.formats.validate import validate_file
from service.profiles.repository import ProfileRepository
from service.settings import Settings

SKILL_FILE = "SKILL.md"
SEED_VERSION = "1.0.0"


@dataclass(frozen=True)
class SourceFile:
    kind: Literal["agent", "skill"]
    name: str
    path: Path
    declared_version: str | None


def _source(kind: Literal["agent", "skill"], path: Path) -> SourceFile:
    """A skill is named by its folder; an agent by its frontmatter `name` (as Claude Code does)."""
    parsed = validate_file(kind, path.read_bytes())
    name = path.parent.name if kind == "skill" else parsed.name or path.stem
    return SourceFile(kind, name, path, parsed.version)


def collect_files(paths: list[Path]) -> list[SourceFile]:
    """Skills (`<name>/SKILL.md`) first, then agents (`<name>.md`), each in name order."""
    found: dict[Path, SourceFile] = {}
    for path in paths:
        candidates = sorted(path.rglob("*.md")) if path.is_dir() else [path]
        # A skill is a folder: Markdown beside or below its SKILL.md (references/…) is
        # part of that skill, never an agent.
        skill_dirs = {file.parent for file in candidates if file.name == SKILL_FILE}
        for file in candidates:
            if file.name == SKILL_FILE:
                found[file.resolve()] = _source("skill", file)
            elif skill_dirs.intersection(file.parents):
                continue
            elif file.suffix == ".md" and file.name.lower() != "readme.md":
                found[file.resolve()] = _source("agent", file)
    return sorted(found.values(), key=lambda f: (f.kind != "skill", f.name))


def request_body(file: SourceFile) -> tuple[bytes, str]:
    """The body and its media type: a skill folder with more than SKILL.md goes as a tar.gz."""
    if file.kind == "skill":
        bundle = read_folder(file.path.parent)
        if bundle.has_extra_files:
            return deterministic_tar_gz(bundle.files, prefix=file.name), "application/gzip"
    return file.path.read_bytes(), "text/markdown"


class PublishClient:
    """A thin HTTP client that prints every outcome and every problem."""

    def __init__(self, base_url: str, console: Console) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30.0)
        self.console = console
        self.failed = False

    def __enter__(self) -> PublishClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.http.close()

    def publish_all(
        self, files: list[SourceFile], *, version: str | None, namespace: str | None
    ) -> bool:
        pending = list(files)
        # Skills may build on skills: retry those waiting on a missing skill while others land.
        while pending:
            results = [(file, self._publish(file, version, namespace)) for file in pending]
            waiting = [file for file, response in results if _only_missing_skills(response)]
            progressed = len(waiting) < len(pending)
            for file, response in results:
                if file not in waiting or not progressed:
                    self._report(file, response)
            pending = waiting if progressed else []
        return not self.failed

    def validate_all(self, files: list[SourceFile]) -> bool:
        for file in files:
            response = self.http.post(
                "/v1/validate",
                params={"kind": file.kind, "name": file.name},
                content=file.path.read_bytes(),
                headers={"Content-Type": "text/markdown"},
            )
            body = response.json()
            if response.status_code != 200 or not body.get("valid"):
                self.failed = True
                self.console.print(f"[red]✗[/] {file.kind} {file.path}")
            else:
                self.console.print(f"[green]✓[/] {file.kind} {file.path}")
            _print_problems(self.console, body)
        return not self.failed

    def _publish(
        self, file: SourceFile, version: str | None, namespace: str | None
    ) -> httpx.Response:
        chosen = file.declared_version or version
        if chosen is None:
            return httpx.Response(
                422,
                json={"detail": "no version: pass --version or declare `version:` in the file"},
            )
        name = f"{namespace}/{file.name}" if namespace else file.name
        content, media_type = request_body(file)
        return self.http.put(
            f"/v1/{file.kind}s/{quote(name, safe='/')}/versions/{quote(chosen, safe='')}",
            content=content,
            headers={"Content-Type": media_type},
        )

    def _report(self, file: SourceFile, response: httpx.Response) -> None:
        body: dict[str, Any] = response.json()
        where = f"{file.kind} {file.name}@{body.get('version', '?')}"
        if response.status_code == 201:
            self.console.print(f"[green]published[/] {where} {body['digest']}")
        elif response.status_code == 200:
            self.console.print(f"[blue]unchanged[/] {where} {body['digest']}")
        else:
            self.failed = True
            self.console.print(f"[red]failed[/] {file.kind} {file.path}: {body.get('detail')}")
        _print_problems(self.console, body)


def _only_missing_skills(response: httpx.Response) -> bool:
    if response.status_code != 422:
        return False
    errors = response.json().get("errors") or []
    return bool(errors) and all(e.get("code") == "unknown_skill" for e in errors)


def _print_problems(console: Console, body: dict[str, Any]) -> None:
    for severity, colour in (("errors", "red"), ("warnings", "yellow")):
        for problem in body.get(severity) or []:
            console.print(
                f"    [{colour}]{problem['code']}[/] {problem['loc']}: {problem['message']}"
            )


async def seed_examples(settings: Settings, examples: Path) -> None:
    """Publish the bundled examples as 1.0.0 directly through the service (idempotent)."""
    assert settings.database_url
    engine = create_engine(settings, settings.database_url)
    try:
        sessions = session_factory(engine)
        for file in collect_files([examples]):
            async with sessions() as session:
                service = PublishService(
                    ArtifactRepository(session),
                    ProfileRepository(session),
                    settings.default_namespace,
                )
                bundle = read_folder(file.path.parent) if file.kind == "skill" else None
                try:
                    await service.publish(
                        file.kind,
                        file.name,
                        SEED_VERSION,
                        file.path.read_bytes(),
                        actor="seed",
                        bundle=bundle,
                    )
                except RegistryError as exc:
                    raise SystemExit(f"seeding {file.path} failed: {exc.detail}") from exc
    finally:
        await engine.dispose()
