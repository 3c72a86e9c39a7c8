"""Identity of a published file: its name part (frontmatter or path) and its version."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from service.formats.fields import check_required_text
from service.formats.kinds import DocumentKind
from service.formats.names import MAX_NAME_LENGTH, name_problem
from service.formats.problems import Problem, error, warning
from service.semver import InvalidVersion, Version

NAME_LOC = "frontmatter.name"
# A human title such as "Agent Development" or "PDF Processing": words, not a slug.
_DISPLAY_NAME = re.compile(r"[^\W_][\w .'()&+-]*")
# agentskills.io: lowercase letters, digits and single hyphens, not at either end.
_PORTABLE_SKILL_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_display_name(name: str) -> bool:
    return (
        len(name) <= MAX_NAME_LENGTH
        and _DISPLAY_NAME.fullmatch(name) is not None
        and any(char == " " or char.isupper() for char in name)
    )


def check_name(
    kind: DocumentKind, frontmatter: Mapping[str, Any], path_name: str | None
) -> tuple[str | None, list[Problem]]:
    """Return the identity name part and the problems with the declared (and path) name.

    The identity is the path name when it is given and valid, else a valid frontmatter name.
    """
    identity, problems = check_path_name(path_name)
    if required := check_required_text(frontmatter, "name"):
        return identity, problems + required
    declared: str = frontmatter["name"]
    if refusal := _refused_by_claude_code(declared):
        return identity, [*problems, error(NAME_LOC, "invalid_name", refusal)]
    reason = name_problem(declared)
    if reason is None:
        problems += _slug_problems(kind, declared, path_name)
        return identity if path_name is not None else declared, problems
    if kind == "skill" and is_display_name(declared):
        return identity, problems + _display_name_problems(declared, path_name)
    return identity, [*problems, error(NAME_LOC, "invalid_name", f"name {declared!r} {reason}")]


def check_path_name(path_name: str | None) -> tuple[str | None, list[Problem]]:
    """The name part from the URL, when there is one; it must itself be a valid name."""
    if path_name is not None and (reason := name_problem(path_name)):
        return None, [error("name", "invalid_name", f"the name in the path {reason}")]
    return path_name, []


def _refused_by_claude_code(name: str) -> str | None:
    if ":" in name:
        return f"name {name!r} contains ':', which Claude Code reserves for plugin namespaces"
    if name.startswith("-"):
        return f"name {name!r} starts with '-'; Claude Code skips such files"
    return None


def _slug_problems(kind: DocumentKind, declared: str, path_name: str | None) -> list[Problem]:
    problems: list[Problem] = []
    if path_name is not None and declared != path_name:
        message = f"frontmatter name {declared!r} differs from the name in the path {path_name!r}"
        problems.append(error(NAME_LOC, "name_mismatch", message))
    if kind == "skill" and not _PORTABLE_SKILL_NAME.fullmatch(declared):
        message = (
            f"agentskills.io names use lowercase letters, digits and single hyphens"
            f" (not at either end); {declared!r} works in Claude Code but not everywhere"
        )
        problems.append(warning(NAME_LOC, "name_not_portable", message))
    return problems


def _display_name_problems(declared: str, path_name: str | None) -> list[Problem]:
    message = f"{declared!r} is a display name, not a slug; the skill is identified by its path"
    problems = [warning(NAME_LOC, "skill_display_name", message)]
    if path_name is None:
        message = f"{declared!r} is a display name; publish under a path to give the skill a name"
        problems.append(error(NAME_LOC, "name_required_from_path", message))
    return problems


def check_version(
    frontmatter: Mapping[str, Any], path_version: str | None
) -> tuple[str | None, list[Problem]]:
    """Return the declared version (`version` or `metadata.version`) and its problems.

    The path version is the identity when given (a differing declaration only warns);
    in a dry run the declared version is, so it must be SemVer itself.
    """
    problems = [] if path_version is None else _semver_problems("version", path_version)
    declared = _declared_versions(frontmatter, problems)
    if not declared:
        return None, problems
    (loc, version), *others = declared
    for other_loc, other in others:
        if other != version:
            message = f"{other!r} differs from `version: {version}`, which is used"
            problems.append(warning(other_loc, "version_mismatch", message))
    if path_version is not None:
        if version != path_version:
            message = (
                f"frontmatter says {version!r}; the version in the path,"
                f" {path_version!r}, is the one published"
            )
            problems.append(warning(loc, "version_mismatch", message))
        return version, problems
    return version, problems + _semver_problems(loc, version)


def _semver_problems(loc: str, text: str) -> list[Problem]:
    try:
        Version.parse(text)
    except InvalidVersion as exc:
        return [error(loc, "invalid_version", str(exc))]
    return []


def _declared_versions(
    frontmatter: Mapping[str, Any], problems: list[Problem]
) -> list[tuple[str, str]]:
    metadata = frontmatter.get("metadata")
    candidates = [("frontmatter.version", frontmatter.get("version"))]
    if isinstance(metadata, dict):
        candidates.append(("frontmatter.metadata.version", metadata.get("version")))
    found: list[tuple[str, str]] = []
    for loc, value in candidates:
        if value is None:
            continue
        if isinstance(value, str):
            found.append((loc, value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            message = f"version {value!r} is a YAML number; quote it so it stays exactly as written"
            problems.append(warning(loc, "unexpected_type", message))
            found.append((loc, str(value)))
        else:
            problems.append(error(loc, "invalid_type", f"version must be a string, not {value!r}"))
    return found
