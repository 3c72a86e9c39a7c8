"""Skill references as written in frontmatter: `name`, `ns/name`, `name@^1.2`, `name@stable`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.formats.names import InvalidName, split_qualified
from service.formats.problems import Problem, error, warning

# Only syntax is checked here; whether a constraint matches a version is resolution's job.
# The characters cover exact versions, npm ranges (`>=1.0 <2 || ^3`), tags and digests.
_CONSTRAINT = re.compile(r"[0-9A-Za-z.^~<>=*|+: -]{1,256}")
_ANY_NAMESPACE = "_"


@dataclass(frozen=True)
class SkillRef:
    """One entry of an agent's `skills:` or a skill's `metadata.requires` / `skills:`."""

    name: str  # as written, may be "ns/name"; without the "@..." part
    constraint: str | None  # text after "@" (e.g. "^1.2", "1.0.0", "stable"); None when bare
    loc: str  # e.g. "frontmatter.skills[2]"


def parse_skill_refs(value: Any, loc: str) -> tuple[list[SkillRef], list[Problem]]:
    """Parse a comma-separated string or a YAML list of skill references (None: no refs)."""
    if value is None:
        return [], []
    if isinstance(value, str):
        entries: list[Any] = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list):
        entries = value
    else:
        kind = type(value).__name__
        message = f"must be a comma-separated string or a list of skill names, not {kind}"
        return [], [error(loc, "invalid_type", message)]
    refs: list[SkillRef] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        ref_or_problem = parse_skill_ref(entry, f"{loc}[{index}]")
        if isinstance(ref_or_problem, Problem):
            problems.append(ref_or_problem)
        else:
            refs.append(ref_or_problem)
    return refs, problems


def parse_skill_ref(entry: Any, loc: str) -> SkillRef | Problem:
    if not isinstance(entry, str):
        message = f"must be a skill name string, not {type(entry).__name__}"
        return error(loc, "invalid_skill_ref", message)
    text = entry.strip()
    name, at, constraint = text.partition("@")
    name = name.strip()
    try:
        split_qualified(name, _ANY_NAMESPACE)
    except InvalidName as exc:
        return error(loc, "invalid_skill_ref", f"{text!r}: {exc}")
    if not at:
        return SkillRef(name=name, constraint=None, loc=loc)
    constraint = constraint.strip()
    if not _CONSTRAINT.fullmatch(constraint):
        message = (
            f"{text!r}: after '@' comes a version, range, tag or digest"
            " (`1.4.0`, `^1.2`, `stable`, `sha256:...`)"
        )
        return error(loc, "invalid_skill_ref", message)
    return SkillRef(name=name, constraint=constraint, loc=loc)


def duplicate_refs(refs: list[SkillRef]) -> list[Problem]:
    """Warn about a skill named twice (the resolver would pick one version anyway)."""
    seen: set[str] = set()
    problems: list[Problem] = []
    for ref in refs:
        if ref.name in seen:
            message = f"skill {ref.name!r} is listed more than once"
            problems.append(warning(ref.loc, "duplicate_skill_ref", message))
        seen.add(ref.name)
    return problems
