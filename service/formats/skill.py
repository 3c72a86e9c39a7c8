"""Frontmatter rules for Agent Skills (`SKILL.md`): agentskills.io plus Claude Code's fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.formats.fields import (
    Checker,
    ParsedFields,
    check_effort,
    check_fields,
    check_model,
    check_required_text,
    expect_bool,
    expect_mapping,
    known_values,
    loose_string,
    loose_strings,
    parse_tool_rules,
    type_name,
)
from service.formats.problems import Problem, warning
from service.formats.refs import SkillRef, duplicate_refs, parse_skill_refs
from service.formats.tools import split_rules

# agentskills.io limits; exceeding them only hurts portability, so they are warnings.
DESCRIPTION_LIMIT = 1024
COMPATIBILITY_LIMIT = 500
CONTEXT_MODES = frozenset({"fork"})


def _check_compatibility(value: Any, loc: str) -> list[Problem]:
    if isinstance(value, str) and len(value) > COMPATIBILITY_LIMIT:
        message = f"is {len(value)} characters; agentskills.io allows {COMPATIBILITY_LIMIT}"
        return [warning(loc, "compatibility_too_long", message)]
    return loose_string(value, loc)


_CHECKS: dict[str, Checker] = {
    "license": loose_string,
    "compatibility": _check_compatibility,
    "when_to_use": loose_string,
    "disable-model-invocation": expect_bool,
    "user-invocable": expect_bool,
    "model": check_model,
    "effort": check_effort,
    "context": known_values(CONTEXT_MODES),
    "agent": loose_string,
    "hooks": expect_mapping,
    "paths": loose_strings,
    "argument-hint": loose_string,
    "shell": loose_string,
}
# Checked by the identity rules (name, version) or parsed below (tool rules, requirements).
_HANDLED = frozenset({"name", "description", "version", "metadata", "allowed-tools", "skills"})
SKILL_FIELDS: frozenset[str] = frozenset(_CHECKS) | _HANDLED


def check_skill(frontmatter: Mapping[str, Any]) -> ParsedFields:
    problems = check_required_text(frontmatter, "description") + _description_length(frontmatter)
    allowed = frontmatter.get("allowed-tools")
    rules, rule_problems = parse_tool_rules(allowed, "frontmatter.allowed-tools", spaces=True)
    problems += rule_problems + _allowed_tools_portability(allowed)
    refs, ref_problems = _metadata(frontmatter.get("metadata"))
    problems += ref_problems
    if frontmatter.get("skills") is not None:
        top_refs, top_problems = parse_skill_refs(frontmatter["skills"], "frontmatter.skills")
        refs += top_refs
        problems += [*top_problems, _skills_not_portable()]
    problems += duplicate_refs(refs)
    problems += check_fields(frontmatter, _CHECKS, _HANDLED)
    return ParsedFields(tool_rules=rules, skill_refs=refs, problems=problems)


def _description_length(frontmatter: Mapping[str, Any]) -> list[Problem]:
    description = frontmatter.get("description")
    if not isinstance(description, str) or len(description) <= DESCRIPTION_LIMIT:
        return []
    message = f"is {len(description)} characters; agentskills.io allows {DESCRIPTION_LIMIT}"
    return [warning("frontmatter.description", "description_too_long", message)]


def _allowed_tools_portability(value: Any) -> list[Problem]:
    loc = "frontmatter.allowed-tools"
    if isinstance(value, list):
        message = "agentskills.io expects a space-separated string; Claude Code also reads a list"
        return [warning(loc, "allowed_tools_not_portable", message)]
    if isinstance(value, str) and len(split_rules(value, spaces=False)) > 1:
        message = "agentskills.io separates tools with spaces; Claude Code also reads commas"
        return [warning(loc, "allowed_tools_not_portable", message)]
    return []


def _metadata(value: Any) -> tuple[list[SkillRef], list[Problem]]:
    """agentskills.io `metadata` is a string-to-string map; `requires` lists required skills."""
    loc = "frontmatter.metadata"
    if value is None:
        return [], []
    if not isinstance(value, dict):
        message = f"should be a mapping of strings, not {type_name(value)}; it is kept"
        return [], [warning(loc, "metadata_not_mapping", message)]
    problems = [
        warning(
            f"{loc}.{key}",
            "metadata_value_not_string",
            f"should be a string, not {type_name(item)}",
        )
        for key, item in value.items()
        if not isinstance(item, str)
    ]
    if value.get("requires") is None:
        return [], problems
    refs, ref_problems = parse_skill_refs(value["requires"], f"{loc}.requires")
    return refs, problems + ref_problems


def _skills_not_portable() -> Problem:
    message = (
        "a top-level `skills:` in SKILL.md is read as the skills this one requires;"
        " write them in `metadata.requires` (a comma-separated string) for agentskills.io tools"
    )
    return warning("frontmatter.skills", "skills_field_not_portable", message)
