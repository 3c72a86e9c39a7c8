"""Validate a toolset document: `{"name", "description", "tools": [rules]}` as JSON or YAML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.formats.document import decode
from service.formats.identity import check_path_name, check_version
from service.formats.names import name_problem
from service.formats.problems import Problem, error, warning
from service.formats.tools import RuleKind, RuleSyntaxError, ToolRule, parse_tool_rule
from service.formats.yamlsafe import load_yaml, to_json_safe

TOOLSET_FIELDS = frozenset({"name", "description", "tools", "version", "metadata"})


@dataclass(frozen=True)
class ValidatedToolset:
    name: str | None
    document: dict[str, Any] | None
    description: str
    rules: list[ToolRule]
    problems: list[Problem]


def validate_toolset(
    data: bytes, *, path_name: str | None = None, path_version: str | None = None
) -> ValidatedToolset:
    """Never raises: everything wrong is in `problems` (JSON is read as the YAML subset it is)."""
    name, problems = check_path_name(path_name)
    text, decode_problems = decode(data)
    problems += decode_problems
    if text is None:
        return ValidatedToolset(name, None, "", [], problems)
    loaded = load_yaml(text)
    if loaded.failure is not None:
        problems.append(error("document", loaded.failure.code, loaded.failure.message))
        return ValidatedToolset(name, None, "", [], problems)
    document, conversion = to_json_safe(loaded.value, "document")
    problems += conversion
    if not isinstance(document, dict):
        problems.append(error("document", "not_mapping", "a toolset is a JSON or YAML object"))
        return ValidatedToolset(name, None, "", [], problems)
    declared_name, name_problems = _check_name(document, path_name)
    _, version_problems = check_version(document, path_version)
    description = document.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.append(
            error("document.description", "required_field_missing", "`description` is required")
        )
        description = ""
    rules, rule_problems = _check_rules(document.get("tools"))
    unknown = [
        warning(f"document.{key}", "unknown_field", f"`{key}` is not a toolset field; it is kept")
        for key in document
        if key not in TOOLSET_FIELDS
    ]
    problems += [*name_problems, *version_problems, *rule_problems, *unknown]
    return ValidatedToolset(name or declared_name, document, description, rules, problems)


def _check_name(
    document: dict[str, Any], path_name: str | None
) -> tuple[str | None, list[Problem]]:
    declared = document.get("name")
    if not isinstance(declared, str) or not declared:
        return None, [error("document.name", "required_field_missing", "`name` is required")]
    if reason := name_problem(declared):
        return None, [error("document.name", "invalid_name", f"name {declared!r} {reason}")]
    if path_name is not None and declared != path_name:
        message = f"name {declared!r} differs from the name in the path {path_name!r}"
        return None, [error("document.name", "name_mismatch", message)]
    return declared, []


def _check_rules(value: Any) -> tuple[list[ToolRule], list[Problem]]:
    if not isinstance(value, list) or not value:
        message = "`tools` is a non-empty list of tool rules"
        return [], [error("document.tools", "invalid_type", message)]
    rules: list[ToolRule] = []
    problems: list[Problem] = []
    for index, item in enumerate(value):
        loc = f"document.tools[{index}]"
        if not isinstance(item, str):
            problems.append(error(loc, "invalid_tool_rule", "a tool rule is a string"))
            continue
        try:
            rule = parse_tool_rule(item)
        except RuleSyntaxError as exc:
            problems.append(error(loc, "invalid_tool_rule", str(exc)))
            continue
        if rule.kind is RuleKind.TOOLSET:
            problems.append(error(loc, "nested_toolset", "toolsets cannot include other toolsets"))
        elif rule.kind is RuleKind.UNKNOWN:
            problems.append(
                warning(
                    loc,
                    "unknown_tool",
                    f"{rule.tool!r} is not a Claude Code tool: it grants nothing",
                )
            )
        rules.append(rule)
    return rules, problems
