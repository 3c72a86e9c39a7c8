"""Checks for single frontmatter fields, shared by agents and skills."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from service.formats.problems import Problem, error, warning
from service.formats.refs import SkillRef
from service.formats.tools import (
    BUILTIN_TOOLS,
    RuleKind,
    RuleSyntaxError,
    ToolRule,
    parse_tool_rule,
    split_rules,
)

# Fields the registry acts on (tools, skills, model, versions, flags) are errors when they are
# malformed; fields it only carries (colours, hints, prompts) are warnings, since Claude Code
# would still load the file.
Checker = Callable[[Any, str], list[Problem]]


@dataclass(frozen=True, slots=True)
class ParsedFields:
    """What the kind-specific checks extract from frontmatter, with their problems."""

    tool_rules: list[ToolRule] = field(default_factory=list)
    disallowed_rules: list[ToolRule] = field(default_factory=list)
    skill_refs: list[SkillRef] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


MODEL_ALIASES: frozenset[str] = frozenset({"sonnet", "opus", "haiku", "inherit"})
# Anthropic API ids and their Bedrock/Vertex spellings: `claude-opus-4-1`,
# `claude-sonnet-4-5-20250929`, `us.anthropic.claude-sonnet-4-5-20250929-v1:0`,
# `claude-sonnet-4-5@20250929`.
_MODEL_ID = re.compile(r"(?:[a-z0-9-]+\.)*claude-[a-z0-9][a-z0-9.-]*(?:@\d{8})?(?::\d+)?")
EFFORT_LEVELS: frozenset[str] = frozenset({"low", "medium", "high", "max"})
_BUILTIN_BY_LOWER = {tool.lower(): tool for tool in BUILTIN_TOOLS}


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a string" if isinstance(value, str) else type(value).__name__


def check_required_text(frontmatter: Mapping[str, Any], key: str) -> list[Problem]:
    """`name` and `description`: present, a string, not blank."""
    loc = f"frontmatter.{key}"
    if key not in frontmatter or frontmatter[key] is None:
        return [error(loc, "required_field_missing", f"`{key}` is required")]
    value = frontmatter[key]
    if not isinstance(value, str):
        return [error(loc, "invalid_type", f"`{key}` must be a string, not {type_name(value)}")]
    if not value.strip():
        return [error(loc, "required_field_missing", f"`{key}` is empty")]
    return []


def check_fields(
    frontmatter: Mapping[str, Any], checks: Mapping[str, Checker], handled: Collection[str]
) -> list[Problem]:
    """Run `checks` on the fields present; `handled` fields are checked elsewhere.

    Unknown fields are kept and reported as warnings; a documented field left empty (`model:`)
    is treated as absent, with a warning.
    """
    problems: list[Problem] = []
    for key, value in frontmatter.items():
        loc = f"frontmatter.{key}"
        if key not in checks and key not in handled:
            message = f"`{key}` is not a field Claude Code documents; it is kept as published"
            problems.append(warning(loc, "unknown_field", message))
        elif value is None and key not in ("name", "description"):
            message = f"`{key}` is empty and is treated as not set"
            problems.append(warning(loc, "null_value", message))
        elif key in checks:
            problems.extend(checks[key](value, loc))
    return problems


def parse_tool_rules(value: Any, loc: str, *, spaces: bool) -> tuple[list[ToolRule], list[Problem]]:
    """Parse a rule list written as one string (commas, or also spaces) or as a YAML list."""
    if value is None:
        return [], []
    if isinstance(value, str):
        entries: list[Any] = split_rules(value, spaces=spaces)
    elif isinstance(value, list):
        entries = value
    else:
        message = (
            f"must be a comma-separated string or a list of tool rules, not {type_name(value)}"
        )
        return [], [error(loc, "invalid_type", message)]
    rules: list[ToolRule] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        rule = _parse_rule(entry, f"{loc}[{index}]", problems, spaces=spaces)
        if rule is not None:
            rules.append(rule)
    return rules, problems


def _parse_rule(entry: Any, loc: str, problems: list[Problem], *, spaces: bool) -> ToolRule | None:
    if not isinstance(entry, str):
        message = f"a tool rule must be a string, not {type_name(entry)}"
        problems.append(error(loc, "invalid_tool_rule", message))
        return None
    try:
        rule = parse_tool_rule(entry)
    except RuleSyntaxError as exc:
        hint = (
            ""
            if spaces or " " not in entry.split("(")[0].strip()
            else "; separate tools with commas"
        )
        problems.append(error(loc, "invalid_tool_rule", f"{exc}{hint}"))
        return None
    if rule.kind is RuleKind.UNKNOWN:
        problems.append(warning(loc, "unknown_tool", _unknown_tool_message(rule.tool)))
    return rule


def _unknown_tool_message(tool: str) -> str:
    message = (
        f"{tool!r} is not a Claude Code tool: Claude Code skips it, so it grants nothing"
        " (listed under tools.ignored in the profile)"
    )
    if suggestion := _BUILTIN_BY_LOWER.get(tool.lower()):
        return f"{message}; did you mean {suggestion!r}?"
    return message


def check_model(value: Any, loc: str) -> list[Problem]:
    if isinstance(value, str) and (value in MODEL_ALIASES or _MODEL_ID.fullmatch(value)):
        return []
    shown = value if isinstance(value, str) else type_name(value)
    message = (
        f"model {shown!r} is not `sonnet`, `opus`, `haiku`, `inherit` or a full model id"
        " such as `claude-sonnet-4-5-20250929`"
    )
    return [error(loc, "invalid_model", message)]


def check_max_turns(value: Any, loc: str) -> list[Problem]:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return []
    message = f"maxTurns must be a positive integer, not {value!r}"
    return [error(loc, "invalid_max_turns", message)]


def one_of(allowed: Collection[str], code: str) -> Checker:
    """A field the registry acts on: anything outside `allowed` is an error with `code`."""
    listed = ", ".join(f"`{value}`" for value in sorted(allowed))

    def check(value: Any, loc: str) -> list[Problem]:
        if isinstance(value, str) and value in allowed:
            return []
        return [error(loc, code, f"{value!r} is not one of {listed}")]

    return check


def known_values(allowed: Collection[str]) -> Checker:
    """A field the registry only carries: other strings are kept with a warning."""
    listed = ", ".join(f"`{value}`" for value in sorted(allowed))

    def check(value: Any, loc: str) -> list[Problem]:
        if not isinstance(value, str):
            return loose_string(value, loc)
        if value in allowed:
            return []
        return [warning(loc, "unknown_value", f"{value!r} is not one of {listed}; it is kept")]

    return check


def loose_string(value: Any, loc: str) -> list[Problem]:
    if isinstance(value, str):
        return []
    message = f"should be a string, not {type_name(value)}; quote it"
    return [warning(loc, "unexpected_type", message)]


def loose_strings(value: Any, loc: str) -> list[Problem]:
    """A string or a list of strings (`paths`)."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return []
    return loose_string(value, loc)


def expect_bool(value: Any, loc: str) -> list[Problem]:
    if isinstance(value, bool):
        return []
    return [error(loc, "invalid_type", f"must be true or false, not {value!r}")]


def expect_mapping(value: Any, loc: str) -> list[Problem]:
    if isinstance(value, dict):
        return []
    return [error(loc, "invalid_type", f"must be a mapping, not {type_name(value)}")]


def check_mcp_servers(value: Any, loc: str) -> list[Problem]:
    """Server names, or inline `{name: config}` entries, as a list (or one mapping)."""
    if isinstance(value, dict):
        return []
    if not isinstance(value, list):
        return [error(loc, "invalid_type", f"must be a list, not {type_name(value)}")]
    return [
        error(f"{loc}[{index}]", "invalid_type", "must be a server name or a mapping")
        for index, entry in enumerate(value)
        if not isinstance(entry, str | dict)
    ]


check_effort = known_values(EFFORT_LEVELS)
