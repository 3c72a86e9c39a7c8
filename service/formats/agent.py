"""Frontmatter rules for Claude Code subagent files (`.claude/agents/*.md`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.formats.fields import (
    Checker,
    ParsedFields,
    check_effort,
    check_fields,
    check_max_turns,
    check_mcp_servers,
    check_model,
    check_required_text,
    expect_bool,
    expect_mapping,
    known_values,
    loose_string,
    one_of,
    parse_tool_rules,
)
from service.formats.problems import Problem, warning
from service.formats.refs import duplicate_refs, parse_skill_refs

PERMISSION_MODES = frozenset(
    {"default", "acceptEdits", "auto", "dontAsk", "bypassPermissions", "plan", "manual"}
)
MEMORY_SCOPES = frozenset({"user", "project", "local"})
# The colours Claude Code offers, plus `magenta`, which Anthropic's own plugin agents use.
COLORS = frozenset(
    {"red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan", "magenta"}
)
ISOLATION_MODES = frozenset({"worktree"})

_CHECKS: dict[str, Checker] = {
    "model": check_model,
    "permissionMode": one_of(PERMISSION_MODES, "invalid_permission_mode"),
    "maxTurns": check_max_turns,
    "mcpServers": check_mcp_servers,
    "hooks": expect_mapping,
    "memory": one_of(MEMORY_SCOPES, "invalid_memory"),
    "background": expect_bool,
    "effort": check_effort,
    "isolation": known_values(ISOLATION_MODES),
    "color": known_values(COLORS),
    "initialPrompt": loose_string,
}
# Checked by the identity rules (name, version) or parsed below (tool rules, skills).
_HANDLED = frozenset({"name", "description", "version", "tools", "disallowedTools", "skills"})
AGENT_FIELDS: frozenset[str] = frozenset(_CHECKS) | _HANDLED


def check_agent(frontmatter: Mapping[str, Any]) -> ParsedFields:
    problems = check_required_text(frontmatter, "description")
    tools = frontmatter.get("tools")
    tool_rules, tool_problems = parse_tool_rules(tools, "frontmatter.tools", spaces=False)
    disallowed, disallowed_problems = parse_tool_rules(
        frontmatter.get("disallowedTools"), "frontmatter.disallowedTools", spaces=False
    )
    skill_refs, ref_problems = parse_skill_refs(frontmatter.get("skills"), "frontmatter.skills")
    problems += tool_problems + disallowed_problems + ref_problems + duplicate_refs(skill_refs)
    if tools is not None and not tool_rules and not tool_problems:
        problems.append(_no_tools())
    problems += check_fields(frontmatter, _CHECKS, _HANDLED)
    return ParsedFields(tool_rules, disallowed, skill_refs, problems)


def _no_tools() -> Problem:
    message = (
        "`tools` lists no tools, so Claude Code cannot launch this agent;"
        " omit `tools` to inherit every tool"
    )
    return warning("frontmatter.tools", "no_tools", message)
