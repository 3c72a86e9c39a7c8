"""Publishing a repository's files: over HTTP for `registry publish`, in process for `--seed`
and for the offline `registry validate`.

`registry publish` is built for CI logs: one result line per file on stdout (its status word
first), diagnostics on stderr, exit codes a pipeline can branch on, and every expected failure
(no server, a refused token, a missing path) as one line that says what to do.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import httpx

from service.artifacts.publishing import PublishService
from service.artifacts.repository import ArtifactRepository
from service.artifacts.views import digest_of
from service.audit.actor import Actor
from service.bundles.folder import read_folder
from service.bundles.manifest import deterministic_tar_gz
from service.db.engine import create_engine, session_factory
from service.db.unit_of_work import unit_of_work
from service.errors import CommandFailure, RegistryError
from service.formats.kinds import Kind
from service.formats.problems import error, warning
from service.formats.toolset import validate_toolset
from service.formats.validate import validate_file
from service.profiles.repository import ProfileRepository
from service.resolution.refs import ExactRef, RangeRef, parse_ref
from service.semver import Version
from service.settings import Settings

SKILL_FILE = "SKILL.md"
NO_VERSION = "no version: pass --version or declare `version:` in the file"
SEED_VERSION = "1.0.0"
TOOLSET_SUFFIXES = {
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
}
Status = Literal["published", "unchanged", "invalid", "conflict", "valid"]

# Documented exit codes (README: "Exit codes").
EXIT_OK, EXIT_INVALID, EXIT_CONFLICT, EXIT_AUTH, EXIT_UNREACHABLE = 0, 1, 2, 3, 4
_UNKNOWN_SKILL = re.compile(r"^skill '([^']+)' does not exist")
_UNSATISFIABLE = re.compile(r"^no version of skill '([^']+)' satisfies all of (.+); available: ")
_IMPOSED = re.compile(r"(.+?) \(required by [^)]*\)(?:, |$)")


class PublishFailure(CommandFailure):
    """`registry publish` or `validate` cannot go on (no registry, refused token…)."""


@dataclass(frozen=True)
class SourceFile:
    kind: Kind
    name: str
    path: Path
    declared_version: str | None
    requires: tuple[str, ...] = ()  # the skills it names (without namespace or constraint)


@dataclass
class Outcome:
    """What happened to one file."""

    file: SourceFile
    status: Status
    version: str | None = None
    digest: str | None = None
    existing_digest: str | None = None
    detail: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.file.kind} {self.file.name}@{self.version or '?'}"

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.file.path),
            "kind": self.file.kind,
            "name": self.file.name,
            "version": self.version,
            "status": self.status,
            "digest": self.digest,
            "existingDigest": self.existing_digest,
            "detail": self.detail,
            "errors": self.errors,
            "warnings": self.warnings,
        }


# Finding files ----------------------------------------------------------------------------


def _source(kind: Kind, path: Path) -> SourceFile:
    """A skill is named by its folder, an agent by its frontmatter `name` (as Claude Code does),
    a toolset by its document's `name`. An unreadable file (a dangling link) stops the run
    before anything is sent, as a missing path does."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PublishFailure(f"{path}: cannot read it ({exc.strerror})", EXIT_INVALID) from None
    if kind == "toolset":
        toolset = validate_toolset(data)
        declared = (toolset.document or {}).get("version")
        return SourceFile(
            kind, toolset.name or path.stem, path, declared if isinstance(declared, str) else None
        )
    parsed = validate_file(kind, data)
    name = path.parent.name if kind == "skill" else parsed.name or path.stem
    requires = tuple(ref.name.rsplit("/", 1)[-1] for ref in parsed.skill_refs)
    return SourceFile(kind, name, path, parsed.version, requires)


def collect_files(paths: Iterable[Path]) -> list[SourceFile]:
    """Skills (`<name>/SKILL.md`, each after the ones among them it requires), toolsets
    (`toolsets/*.{yaml,yml,json}`), then agents (`*.md`).

    A missing path is a PublishFailure, so a typo never publishes half a tree.
    """
    found: dict[Path, SourceFile] = {}
    for path in paths:
        if not path.exists():
            raise PublishFailure(f"{path}: no such file or folder", EXIT_INVALID)
        if path.is_file():
            kind: Kind = (
                "skill"
                if path.name == SKILL_FILE
                else "toolset"
                if path.suffix in TOOLSET_SUFFIXES
                else "agent"
            )
            found[path.resolve()] = _source(kind, path)
            continue
        markdown = sorted(file for file in path.rglob("*.md") if not file.is_dir())
        # A skill is a folder: Markdown beside or below its SKILL.md (references/…) is part of
        # that skill, never an agent.
        skill_dirs = {file.parent for file in markdown if file.name == SKILL_FILE}
        for file in markdown:
            if file.name == SKILL_FILE:
                found[file.resolve()] = _source("skill", file)
            elif not skill_dirs.intersection(file.parents) and file.name.lower() != "readme.md":
                found[file.resolve()] = _source("agent", file)
        for file in sorted(path.rglob("*")):
            in_skill = skill_dirs.intersection(file.parents)
            if file.suffix in TOOLSET_SUFFIXES and file.parent.name == "toolsets" and not in_skill:
                found[file.resolve()] = _source("toolset", file)
    order = {"skill": 0, "toolset": 1, "agent": 2}
    files = sorted(found.values(), key=lambda f: (order[f.kind], f.name, str(f.path)))
    skills = [f for f in files if f.kind == "skill"]
    return _dependencies_first(skills) + files[len(skills) :]


def _dependencies_first(skills: list[SourceFile]) -> list[SourceFile]:
    """Each skill after the skills among these it requires, otherwise in name order: one named
    earlier that needs a new version of a later one would be refused (`unsatisfiable`) while
    an older version is published. A cycle stays in name order, for the registry to refuse."""
    names = {f.name for f in skills}
    pending, ordered, placed = list(skills), [], set()
    while pending:
        ready = next(
            (f for f in pending if all(r in placed or r not in names for r in f.requires)),
            pending[0],
        )
        pending.remove(ready)
        ordered.append(ready)
        placed.add(ready.name)
    return ordered


def request_body(file: SourceFile) -> tuple[bytes, str]:
    """The body of a file's publish request and its media type: a skill folder with more than
    SKILL.md goes as a tar.gz, a toolset as JSON or YAML."""
    if file.kind == "skill":
        bundle = read_folder(file.path.parent)
        if bundle.has_extra_files:
            return deterministic_tar_gz(bundle.files, prefix=file.name), "application/gzip"
    if file.kind == "toolset":
        return file.path.read_bytes(), TOOLSET_SUFFIXES[file.path.suffix]
    return file.path.read_bytes(), "text/markdown"


def checked_body(file: SourceFile) -> tuple[bytes, str]:
    """What `POST /v1/validate` checks: the file itself (a skill's SKILL.md)."""
    media_type = TOOLSET_SUFFIXES[file.path.suffix] if file.kind == "toolset" else "text/markdown"
    return file.path.read_bytes(), media_type


def local_digest(file: SourceFile) -> str:
    """The digest the registry would give these bytes (a skill's: over its folder's manifest)."""
    if file.kind == "skill":
        return read_folder(file.path.parent).digest
    return digest_of(file.path.read_bytes())


def publish_path(file: SourceFile, version: str, namespace: str | None) -> str:
    name = f"{namespace}/{file.name}" if namespace else file.name
    return f"/v1/{file.kind}s/{quote(name, safe='/')}/versions/{quote(version, safe='')}"


# Offline checks ---------------------------------------------------------------------------


def validate_offline(files: list[SourceFile], *, version: str | None = None) -> list[Outcome]:
    """Every check that needs no registry; a skill named by an agent must be among the files."""
    in_tree = {f.name for f in files if f.kind == "skill"}
    outcomes = []
    for file in files:
        data = file.path.read_bytes()
        chosen = file.declared_version or version
        if file.kind == "toolset":
            problems = validate_toolset(data, path_name=file.name, path_version=chosen).problems
            refs: list[str] = []
        else:
            parsed = validate_file(file.kind, data, path_name=file.name, path_version=chosen)
            problems = parsed.problems
            refs = [ref.name for ref in parsed.skill_refs]
        errors = [p.as_dict() for p in problems if p.severity.value == "error"]
        warnings = [p.as_dict() for p in problems if p.severity.value != "error"]
        for ref in refs:
            if ref.rsplit("/", 1)[-1] not in in_tree:
                message = (
                    f"skill {ref!r} is not among these files; pass --url to check it against"
                    " a registry"
                )
                warnings.append(
                    warning("frontmatter.skills", "reference_not_checked", message).as_dict()
                )
        outcomes.append(
            Outcome(
                file, "invalid" if errors else "valid", chosen, None, None, None, errors, warnings
            )
        )
    return outcomes


# Over HTTP --------------------------------------------------------------------------------


def bearer(token: str | None) -> dict[str, str]:
    """The Authorization header for a token from --token or REGISTRY_TOKEN (none without one).

    A secret file or `echo $TOKEN` leaves a newline: as a header it was a protocol error
    reported as "no registry at" the URL (exit 4), a non-ASCII character a traceback. Surrounding
    whitespace is dropped; any other character no token has is a ValueError whose message does
    not show the token.
    """
    token = token.strip() if token else None
    if not token:
        return {}
    if not (token.isascii() and token.isprintable()):
        raise ValueError(
            "the token has a character no registry token has (a stray one pasted with it?)"
        )
    return {"Authorization": f"Bearer {token}"}


class RegistryClient:
    """`registry publish` and `registry validate --url` against one registry."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        try:
            headers = bearer(token)
        except ValueError as exc:
            raise PublishFailure(str(exc), EXIT_AUTH) from None
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; a network failure, a 5xx or a non-registry answer is a PublishFailure."""
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            raise PublishFailure(
                f"no registry at {self.base_url} — start `registry serve` or set REGISTRY_URL",
                EXIT_UNREACHABLE,
            ) from exc
        except httpx.TimeoutException as exc:
            raise PublishFailure(
                f"the registry at {self.base_url} did not answer in time", EXIT_UNREACHABLE
            ) from exc
        except httpx.HTTPError as exc:
            raise PublishFailure(
                f"cannot talk to {self.base_url}: {type(exc).__name__}", EXIT_UNREACHABLE
            ) from exc
        if response.status_code >= 500:
            raise PublishFailure(
                f"the registry at {self.base_url} answered {response.status_code}: "
                f"{_detail(response)}",
                EXIT_UNREACHABLE,
            )
        if response.status_code in (401, 403, 429):
            raise PublishFailure(f"{_detail(response)} ({response.status_code})", EXIT_AUTH)
        if "json" not in response.headers.get("content-type", ""):
            raise PublishFailure(
                f"{self.base_url} is not an Agent Registry (it answered {response.status_code}"
                f" {response.headers.get('content-type', 'with no content type')})",
                EXIT_UNREACHABLE,
            )
        return response

    def exchange_oidc(self, id_token: str) -> str:
        body = self.request("POST", "/v1/auth/oidc", json={"token": id_token}).json()
        token: str = body["token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        return token

    def publish_all(
        self,
        files: list[SourceFile],
        *,
        version: str | None,
        namespace: str | None,
        report: Callable[[Outcome], None],
    ) -> list[Outcome]:
        """Publish in order; skills waiting on a skill published later are retried. Stops at the
        first conflict (published versions are immutable: something is wrong upstream)."""
        outcomes: list[Outcome] = []
        pending = list(files)
        while pending:
            waiting: list[tuple[SourceFile, Outcome]] = []
            for file in pending:
                outcome = self._publish(file, version, namespace)
                if outcome.status == "invalid" and _waits_for_tree(outcome, files, version):
                    waiting.append((file, outcome))
                    continue
                outcomes.append(outcome)
                report(outcome)
                if outcome.status == "conflict":
                    return outcomes
            if len(waiting) == len(pending):  # no progress: report them as they are
                for _, outcome in waiting:
                    outcomes.append(outcome)
                    report(outcome)
                break
            pending = [file for file, _ in waiting]
        return outcomes

    def _publish(self, file: SourceFile, version: str | None, namespace: str | None) -> Outcome:
        chosen = file.declared_version or version
        if chosen is None:
            missing = error("frontmatter.version", "missing_version", NO_VERSION)
            return Outcome(file, "invalid", detail=NO_VERSION, errors=[missing.as_dict()])
        content, media_type = request_body(file)
        response = self.request(
            "PUT",
            publish_path(file, chosen, namespace),
            content=content,
            headers={"Content-Type": media_type},
        )
        body = response.json()
        if response.status_code in (200, 201):
            status: Status = "published" if response.status_code == 201 else "unchanged"
            return Outcome(
                file, status, chosen, body.get("digest"), warnings=body.get("warnings") or []
            )
        if response.status_code == 409 and body.get("code") == "version_conflict":
            return Outcome(
                file,
                "conflict",
                chosen,
                body.get("publishedDigest"),
                body.get("existingDigest"),
                body.get("detail"),
            )
        return Outcome(
            file,
            "invalid",
            chosen,
            detail=body.get("detail"),
            errors=body.get("errors") or [_as_problem(body)],
            warnings=body.get("warnings") or [],
        )

    def validate_all(
        self, files: list[SourceFile], *, version: str | None, namespace: str | None
    ) -> list[Outcome]:
        """Every publish check on the server, nothing stored; a skill among the files counts as
        published (it would be, first)."""
        in_tree = _tree_skills(files, version)
        outcomes = []
        for file in files:
            content, media_type = checked_body(file)
            chosen = file.declared_version or version
            name = f"{namespace}/{file.name}" if namespace else file.name
            params = {"kind": file.kind, "name": name} | ({"version": chosen} if chosen else {})
            response = self.request(
                "POST",
                "/v1/validate",
                params=params,
                content=content,
                headers={"Content-Type": media_type},
            )
            body = response.json()
            if response.status_code != 200:
                outcomes.append(
                    Outcome(
                        file,
                        "invalid",
                        chosen,
                        errors=[_as_problem(body)],
                        detail=body.get("detail"),
                    )
                )
                continue
            errors = [e for e in body.get("errors", []) if not _in_tree(e, in_tree)]
            outcomes.append(
                Outcome(
                    file,
                    "invalid" if errors else "valid",
                    chosen,
                    body.get("digest"),
                    errors=errors,
                    warnings=body.get("warnings", []),
                )
            )
        return outcomes

    def dry_run(
        self, files: list[SourceFile], *, version: str | None, namespace: str | None
    ) -> list[Outcome]:
        """Every check, and each valid file's digest against what is published: `valid` (would be
        published), `unchanged` or `conflict`. Nothing is stored."""
        outcomes = self.validate_all(files, version=version, namespace=namespace)
        for outcome in outcomes:
            if outcome.status != "valid" or outcome.version is None:
                continue
            outcome.digest = local_digest(outcome.file)
            existing = self.existing_digest(outcome.file, outcome.version, namespace)
            if existing == outcome.digest:
                outcome.status = "unchanged"
            elif existing is not None:
                outcome.status = "conflict"
                outcome.existing_digest = existing
        return outcomes

    def existing_digest(self, file: SourceFile, version: str, namespace: str | None) -> str | None:
        response = self.request("GET", publish_path(file, version, namespace))
        if response.status_code == 200:
            digest = response.json().get("digest")
            return digest if isinstance(digest, str) else None
        return None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail or response.reason_phrase)


def _as_problem(body: dict[str, Any]) -> dict[str, str]:
    """A problem+json answer without `errors` as one item of the same shape as the checks'."""
    return error("request", str(body.get("code", "error")), str(body.get("detail", body))).as_dict()


def _tree_skills(files: list[SourceFile], version: str | None) -> dict[str, str | None]:
    """The skills among the files, each with the version it would be published as."""
    return {f.name: f.declared_version or version for f in files if f.kind == "skill"}


def _in_tree(problem: dict[str, Any], in_tree: dict[str, str | None]) -> bool:
    """An error a skill among the files being published (first) answers: it does not exist
    yet, or no published version meets a constraint the version among the files meets."""
    message = str(problem.get("message", ""))
    if problem.get("code") == "unknown_skill" and (found := _UNKNOWN_SKILL.match(message)):
        return found[1].rsplit("/", 1)[-1] in in_tree
    if problem.get("code") == "unsatisfiable" and (found := _UNSATISFIABLE.match(message)):
        version = in_tree.get(found[1].rsplit("/", 1)[-1])
        constraints = _IMPOSED.findall(found[2])
        return (
            version is not None
            and bool(constraints)
            and all(_meets(constraint, version) for constraint in constraints)
        )
    return False


def _meets(constraint: str, version: str) -> bool:
    try:
        ref, parsed = parse_ref(constraint), Version.parse(version)
    except ValueError:
        return False
    if isinstance(ref, RangeRef):
        return ref.range.satisfies(parsed)
    return isinstance(ref, ExactRef) and ref.version == parsed


def _waits_for_tree(outcome: Outcome, files: list[SourceFile], version: str | None) -> bool:
    in_tree = _tree_skills(files, version)
    return bool(outcome.errors) and all(_in_tree(e, in_tree) for e in outcome.errors)


def github_id_token(audience: str) -> str | None:
    """The GitHub Actions OIDC ID token for `audience`, when the job has `id-token: write`."""
    url = os.environ.get("ACTIONS_ID_TOKEN_REQUEST_URL")
    bearer = os.environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    if not url or not bearer:
        return None
    try:
        response = httpx.get(
            url,
            params={"audience": audience},
            headers={"Authorization": f"bearer {bearer}"},
            timeout=30,
        )
        response.raise_for_status()
        value = response.json()["value"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise PublishFailure(
            f"cannot get an OIDC ID token from GitHub Actions: {type(exc).__name__}", EXIT_AUTH
        ) from exc
    return str(value)


def summary(outcomes: list[Outcome], *, stored: bool) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in counts.items())
    tail = "" if stored else "; nothing stored"
    return f"{len(outcomes)} file(s): {parts or 'nothing to do'}{tail}"


def exit_code(outcomes: list[Outcome]) -> int:
    statuses = {o.status for o in outcomes}
    if "conflict" in statuses:
        return EXIT_CONFLICT
    if "invalid" in statuses:
        return EXIT_INVALID
    return EXIT_OK


def as_json(command: str, outcomes: list[Outcome], code: int, error: str | None = None) -> str:
    return json.dumps(
        {
            "command": command,
            "exitCode": code,
            "error": error,
            "results": [o.as_json() for o in outcomes],
        },
        ensure_ascii=False,
    )


async def seed_examples(settings: Settings, examples: Path) -> None:
    """Publish the bundled examples as 1.0.0 directly through the service (idempotent)."""
    assert settings.database_url
    engine = create_engine(settings, settings.database_url)
    try:
        sessions = session_factory(engine)
        for file in collect_files([examples]):
            async with unit_of_work(sessions) as session:
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
                        actor=Actor.system("seed"),
                        bundle=bundle,
                    )
                except RegistryError as exc:
                    raise SystemExit(f"seeding {file.path} failed: {exc.detail}") from exc
    finally:
        await engine.dispose()
