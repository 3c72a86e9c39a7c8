"""Validate one agent or skill file: bytes in, parsed fields and every problem out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.formats.agent import AGENT_FIELDS, check_agent
from service.formats.document import read_document
from service.formats.identity import check_name, check_path_name, check_version
from service.formats.kinds import DocumentKind
from service.formats.problems import Findings, Problem, warning
from service.formats.refs import SkillRef
from service.formats.skill import SKILL_FIELDS, check_skill
from service.formats.tools import ToolRule

__all__ = ["SkillRef", "ValidatedFile", "validate_file"]


@dataclass(frozen=True)
class ValidatedFile(Findings):
    kind: DocumentKind
    name: str | None  # identity name part: the path name, else a valid frontmatter name
    frontmatter: dict[str, Any] | None  # JSON-safe, every key as published
    body: str | None  # Markdown after the closing `---`, verbatim
    version: str | None  # frontmatter `version` or `metadata.version`, if present
    tool_rules: list[ToolRule]  # agent: `tools`; skill: `allowed-tools`
    disallowed_rules: list[ToolRule]  # agent: `disallowedTools`
    skill_refs: list[SkillRef]  # agent: `skills`; skill: `metadata.requires` + `skills`
    problems: list[Problem]


def validate_file(
    kind: DocumentKind,
    data: bytes,
    *,
    path_name: str | None = None,
    path_version: str | None = None,
) -> ValidatedFile:
    """Parse and check a file published under `path_name`/`path_version` (None in a dry run).

    Never raises for any input bytes: everything wrong is reported in `problems`.
    """
    document = read_document(data, known_keys=AGENT_FIELDS if kind == "agent" else SKILL_FIELDS)
    frontmatter = document.frontmatter
    if frontmatter is None:
        name, name_problems = check_path_name(path_name)
        _, version_problems = check_version({}, path_version)
        problems = [*document.problems, *name_problems, *version_problems]
        return ValidatedFile(kind, name, None, document.body, None, [], [], [], problems)
    fields = check_agent(frontmatter) if kind == "agent" else check_skill(frontmatter)
    name, name_problems = check_name(kind, frontmatter, path_name)
    version, version_problems = check_version(frontmatter, path_version)
    problems = [
        *document.problems,
        *name_problems,
        *version_problems,
        *fields.problems,
        *_body_problems(document.body),
    ]
    return ValidatedFile(
        kind=kind,
        name=name,
        frontmatter=frontmatter,
        body=document.body,
        version=version,
        tool_rules=fields.tool_rules,
        disallowed_rules=fields.disallowed_rules,
        skill_refs=fields.skill_refs,
        problems=problems,
    )


def _body_problems(body: str | None) -> list[Problem]:
    if body is None or body.strip():
        return []
    return [warning("body", "body_empty", "the Markdown body (the instructions) is empty")]
