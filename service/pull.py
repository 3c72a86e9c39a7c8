"""`registry pull`: install an agent and its skills into `.claude/`, verified, with a lock file.

The agent goes to `.claude/agents/<name>.md` (its effective frontmatter, `skills:` naming the
resolved skills, the pinned versions in a comment, its own instructions), each skill's folder to
`.claude/skills/<name>/`, byte for byte with executable bits, every file checked against the
digests the registry locked. `.claude/registry.lock.json` records what was installed, so a re-run
is a no-op and `--check` can tell whether the folder is still what the registry serves.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import httpx

from service.bundles.archive import ArchiveError, Limits, read_archive
from service.bundles.manifest import Bundle
from service.errors import CommandFailure
from service.formats import names
from service.resolution.document import Profile
from service.resolution.profile import agent_frontmatter

LOCK_FILE = "registry.lock.json"
LOCKFILE_VERSION = 1

# Exit codes, as `registry publish` uses them.
EXIT_NOT_CURRENT = 1
EXIT_INVALID = 1
EXIT_LOCAL_CHANGES = 2
EXIT_AUTH = 3
EXIT_NETWORK = 4


class PullError(CommandFailure):
    """A pull (or its check of what is installed) cannot go on."""


@dataclass(frozen=True)
class Wanted:
    """A file to have under `.claude/`: its bytes and whether it runs."""

    content: bytes
    executable: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Outcome:
    agent: str
    version: str
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return not (self.written or self.removed or self.problems)


def skill_folder(name: str) -> str:
    """`.claude/skills/<folder>`: the name without its namespace, as Claude Code names skills."""
    return name.rsplit("/", 1)[-1]


def render_agent_file(profile: Mapping[str, Any]) -> bytes:
    """The agent as Claude Code loads it from `.claude/agents/`: the effective frontmatter,
    `skills:` naming every resolved skill (installed beside it at the pinned versions, which a
    comment records), and the agent's own instructions verbatim."""
    skills = profile["skills"]
    header = agent_frontmatter(Profile.model_validate(profile))
    if skills:
        pins = ", ".join(f"{s['name']}@{s['version']}" for s in skills)
        names = ", ".join(skill_folder(s["name"]) for s in skills)
        header += f"# pinned by registry pull: {pins}\nskills: {names}\n"
    body = str(profile["instructions"])
    return f"---\n{header}---\n{body if body.startswith(chr(10)) else chr(10) + body}".encode()


class Puller:
    def __init__(self, http: httpx.Client, into: Path) -> None:
        self.http = http
        self.root = into / ".claude"
        self.lock_path = self.root / LOCK_FILE

    # The registry ------------------------------------------------------------------------

    def _get(self, path: str, what: str) -> httpx.Response:
        try:
            response = self.http.get(path)
        except httpx.HTTPError as exc:
            raise PullError(
                f"no registry at {self.http.base_url} ({exc.__class__.__name__}) — start"
                " `registry serve` or pass --url / set REGISTRY_URL",
                EXIT_NETWORK,
            ) from exc
        if response.status_code in (401, 403):
            raise PullError(f"{what}: {_detail(response)} (set REGISTRY_TOKEN)", EXIT_AUTH)
        if response.status_code >= 500:
            raise PullError(f"{what}: the registry answered {response.status_code}", EXIT_NETWORK)
        if response.status_code != 200:
            raise PullError(f"{what}: {_detail(response)}", EXIT_INVALID)
        return response

    def profile(self, spec: str) -> dict[str, Any]:
        profile: dict[str, Any] = self._get(f"/v1/profiles/{quote(spec, safe='/@')}", spec).json()
        _check_names(profile)
        return profile

    def _skill_files(self, skill: Mapping[str, Any]) -> Bundle:
        """The skill's folder from its archive, read as hostile and checked against the lock."""
        url = (
            skill.get("archive")
            or f"/v1/skills/{skill['name']}/versions/{skill['version']}/archive"
        )
        where = f"skill {skill['name']}@{skill['version']}"
        if not str(url).startswith("/") or str(url).startswith(("//", "/\\")):
            # The client sends the token with every request: only to the registry it was given.
            raise PullError(
                f"{where}: the archive {url!r} is not on this registry; nothing was written",
                EXIT_INVALID,
            )
        data = self._get(url, where).content
        try:
            bundle = read_archive(data, Limits())
        except ArchiveError as exc:
            raise PullError(f"{where}: the archive is refused: {exc}", EXIT_INVALID) from exc
        if bundle.digest != skill["digest"]:
            raise PullError(
                f"{where}: the files digest to {bundle.digest}, the profile locked"
                f" {skill['digest']}; nothing was written",
                EXIT_INVALID,
            )
        listed = skill.get("files")
        if listed is not None and [f.entry().as_dict() for f in bundle.files] != list(listed):
            raise PullError(
                f"{where}: the archive differs from the profile's manifest", EXIT_INVALID
            )
        return bundle

    # The folder --------------------------------------------------------------------------

    def read_lock(self) -> dict[str, Any]:
        if not self.lock_path.is_file():
            return {"lockfileVersion": LOCKFILE_VERSION, "agents": {}, "skills": {}, "files": {}}
        try:
            lock: dict[str, Any] = json.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PullError(f"{self.lock_path} cannot be read: {exc}", EXIT_INVALID) from exc
        for key in ("agents", "skills", "files"):
            lock.setdefault(key, {})
        return lock

    def _on_disk(self, relative: str) -> tuple[str, bool] | None:
        path = self.root / relative
        if not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest(), bool(path.stat().st_mode & 0o111)

    def differences(self, files: Mapping[str, Mapping[str, Any]]) -> list[str]:
        """Every locked file that is missing, changed or lost (or gained) its executable bit."""
        problems = []
        for relative, locked in sorted(files.items()):
            found = self._on_disk(relative)
            if found is None:
                problems.append(f"missing: {relative}")
            elif found[0] != locked["sha256"]:
                problems.append(f"modified: {relative}")
            elif found[1] != locked["executable"]:
                problems.append(f"mode changed: {relative}")
        return problems

    # pull --check ------------------------------------------------------------------------

    def check(self, spec: str) -> Outcome:
        profile = self.profile(spec)
        lock = self.read_lock()
        outcome = Outcome(profile["name"], profile["version"])
        entry = lock["agents"].get(profile["name"])
        if entry is None:
            outcome.problems.append(f"not installed: {profile['name']} (run registry pull {spec})")
            return outcome
        if (entry["version"], entry["digest"]) != (profile["version"], profile["digest"]):
            outcome.problems.append(
                f"outdated: {profile['name']} is {entry['version']} here, {spec} is"
                f" {profile['version']}"
            )
        for skill in profile["skills"]:
            held = lock["skills"].get(skill_folder(skill["name"]))
            if held is None or held["digest"] != skill["digest"]:
                have = held["version"] if held else "missing"
                outcome.problems.append(
                    f"outdated: skill {skill['name']} is {have} here, the profile locks"
                    f" {skill['version']}"
                )
        outcome.problems += self.differences(_owned(lock, profile["name"]))
        return outcome

    # pull --------------------------------------------------------------------------------

    def pull(self, spec: str, *, force: bool) -> Outcome:
        profile = self.profile(spec)
        name = profile["name"]
        lock = self.read_lock()
        outcome = Outcome(name, profile["version"])
        if self._is_current(lock, profile):
            return outcome

        wanted = self._wanted(profile, lock, force=force)
        previous = _owned(lock, name)
        kept_by_others = {
            path for other in lock["agents"] if other != name for path in _owned(lock, other)
        }
        stale = [p for p in previous if p not in wanted and p not in kept_by_others]

        clobbered = []
        for relative in sorted({*wanted, *stale}):
            found = self._on_disk(relative)
            target = wanted.get(relative)
            if found is None or (target is not None and found[0] == target.sha256):
                continue
            locked = lock["files"].get(relative)
            if locked is None or found[0] != locked["sha256"]:
                clobbered.append(relative)
        if clobbered and not force:
            listed = "\n  ".join(clobbered)
            raise PullError(
                f"these files were changed here and would be overwritten (pass --force):\n  {listed}",
                EXIT_LOCAL_CHANGES,
            )

        for relative, file in sorted(wanted.items()):
            if self._on_disk(relative) != (file.sha256, file.executable):
                _write(self.root / relative, file)
                outcome.written.append(relative)
        for relative in stale:
            path = self.root / relative
            if path.is_file():
                path.unlink()
                outcome.removed.append(relative)
                _prune(path.parent, self.root)

        lock["agents"][name] = {
            "ref": spec,
            "namespace": profile["namespace"],
            "version": profile["version"],
            "digest": profile["digest"],
            "skills": [skill_folder(s["name"]) for s in profile["skills"]],
        }
        for skill in profile["skills"]:
            lock["skills"][skill_folder(skill["name"])] = {
                "name": skill["name"],
                "version": skill["version"],
                "digest": skill["digest"],
            }
        for relative in stale:
            lock["files"].pop(relative, None)
        lock["files"].update(
            {p: {"sha256": f.sha256, "executable": f.executable} for p, f in wanted.items()}
        )
        in_use = {s for entry in lock["agents"].values() for s in entry["skills"]}
        lock["skills"] = {k: v for k, v in lock["skills"].items() if k in in_use}
        lock["registry"] = str(self.http.base_url).rstrip("/")
        lock["lockfileVersion"] = LOCKFILE_VERSION
        _write(self.lock_path, Wanted(_lock_bytes(lock), False))
        return outcome

    def _is_current(self, lock: Mapping[str, Any], profile: Mapping[str, Any]) -> bool:
        """Installed at this version, every skill at its locked digest, no file touched."""
        entry = lock["agents"].get(profile["name"])
        if entry is None or entry["digest"] != profile["digest"]:
            return False
        if entry["version"] != profile["version"]:
            return False
        for skill in profile["skills"]:
            held = lock["skills"].get(skill_folder(skill["name"]))
            if held is None or held["digest"] != skill["digest"]:
                return False
        return not self.differences(_owned(lock, profile["name"]))

    def _wanted(
        self, profile: Mapping[str, Any], lock: Mapping[str, Any], *, force: bool
    ) -> dict[str, Wanted]:
        wanted = {f"agents/{profile['name']}.md": Wanted(render_agent_file(profile), False)}
        folders: dict[str, str] = {}
        for skill in profile["skills"]:
            folder = skill_folder(skill["name"])
            if folder in folders:
                raise PullError(
                    f"skills {folders[folder]} and {skill['name']} would both install into"
                    f" .claude/skills/{folder}",
                    EXIT_INVALID,
                )
            folders[folder] = skill["name"]
            held = lock["skills"].get(folder)
            users = [
                other
                for other, entry in lock["agents"].items()
                if other != profile["name"] and folder in entry["skills"]
            ]
            if held and users and held["digest"] != skill["digest"] and not force:
                raise PullError(
                    f"skill {folder} is installed at {held['version']} for {', '.join(users)};"
                    f" {profile['name']} needs {skill['version']} (pass --force to replace it)",
                    EXIT_LOCAL_CHANGES,
                )
            for file in self._skill_files(skill).files:
                relative = str(PurePosixPath("skills", folder, file.path))
                wanted[relative] = Wanted(file.content, file.executable)
        return wanted


def _check_names(profile: Mapping[str, Any]) -> None:
    """Names become paths (`agents/<name>.md`, `skills/<name>/`): one that is not a registry
    name (`../../x`, `team/..`) is refused before anything is fetched or written."""
    sent = [("agent", profile.get("name"))]
    sent += [("skill", skill.get("name")) for skill in profile.get("skills", [])]
    for what, name in sent:
        try:
            if not isinstance(name, str):
                raise names.InvalidName(f"{name!r} is not a string")
            if what == "agent" and (reason := names.name_problem(name)):
                raise names.InvalidName(reason)
            names.split_qualified(name, "default")
        except names.InvalidName as exc:
            raise PullError(
                f"the registry sent the {what} name {name!r}, which is not a valid name ({exc});"
                " nothing was written",
                EXIT_INVALID,
            ) from exc


def _owned(lock: Mapping[str, Any], agent: str) -> dict[str, Any]:
    """The locked files an installed agent needs: its own file and its skills' folders."""
    entry = lock["agents"].get(agent)
    if entry is None:
        return {}
    prefixes = tuple(f"skills/{folder}/" for folder in entry["skills"])
    own = f"agents/{agent}.md"
    return {
        path: meta
        for path, meta in lock["files"].items()
        if path == own or path.startswith(prefixes)
    }


def _write(path: Path, file: Wanted) -> None:
    """Write through a temporary file in the same folder, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(file.content)
        os.chmod(temporary, 0o755 if file.executable else 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty by a removed file, up to `.claude/`."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _lock_bytes(lock: Mapping[str, Any]) -> bytes:
    return (json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("detail") or body.get("title") or f"HTTP {response.status_code}")
