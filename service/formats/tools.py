"""Tool rules as Claude Code writes them: `Read`, `Bash(git diff:*)`, `mcp__server__tool`."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

# Claude Code's built-in tools, current and legacy names. Unknown names are warnings, not errors.
BUILTIN_TOOLS: frozenset[str] = frozenset(
    {
        "Agent",
        "AskUserQuestion",
        "Bash",
        "BashOutput",
        "Edit",
        "ExitPlanMode",
        "Glob",
        "Grep",
        "KillShell",
        "LSP",
        "ListMcpResourcesTool",
        "MultiEdit",
        "NotebookEdit",
        "NotebookRead",
        "Read",
        "ReadMcpResourceTool",
        "Skill",
        "SlashCommand",
        "Task",
        "TodoRead",
        "TodoWrite",
        "WebFetch",
        "WebSearch",
        "Write",
        "LS",
        "KillBash",
    }
)

TOOLSET_PREFIX = "toolset:"

# MCP server and tool names may carry hyphens, dots and digits: `mcp__context7__resolve-library-id`.
_MCP_NAME = re.compile(r"mcp__[A-Za-z0-9][A-Za-z0-9_.\-]*?(?:__[A-Za-z0-9*][A-Za-z0-9_.\-*]*)?")
_RULE = re.compile(r"(?P<tool>[^()\s]+)(?:\((?P<spec>.*)\))?", re.DOTALL)


class RuleKind(StrEnum):
    BUILTIN = "builtin"
    MCP = "mcp"
    TOOLSET = "toolset"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ToolRule:
    """A parsed tool rule. `rule` is the normalised text (whitespace around it trimmed)."""

    rule: str
    tool: str
    specifier: str | None
    kind: RuleKind

    @property
    def mcp_server(self) -> str | None:
        if self.kind is not RuleKind.MCP:
            return None
        return self.tool[len("mcp__") :].split("__", 1)[0]


class RuleSyntaxError(ValueError):
    """A rule that cannot be parsed at all (malformed, not merely unknown)."""


def parse_tool_rule(text: str) -> ToolRule:
    """Parse one rule; raise RuleSyntaxError with a human reason when it is malformed.
    Rules of usual length are remembered: every publish re-reads its skills' stored rules."""
    return _remembered_rule(text) if len(text) <= 1024 else _parse_tool_rule(text)


@functools.lru_cache(maxsize=4096)  # of at most 1 KiB each
def _remembered_rule(text: str) -> ToolRule:
    return _parse_tool_rule(text)


def _parse_tool_rule(text: str) -> ToolRule:
    rule = text.strip()
    if not rule:
        raise RuleSyntaxError("empty tool rule")
    if rule.startswith(TOOLSET_PREFIX):
        ref = rule[len(TOOLSET_PREFIX) :]
        if not ref or any(c.isspace() for c in ref.split("@", 1)[0]) or ref.startswith("@"):
            raise RuleSyntaxError(f"toolset reference {rule!r} names no toolset")
        return ToolRule(rule=rule, tool=ref.split("@", 1)[0], specifier=None, kind=RuleKind.TOOLSET)
    if rule.count("(") != rule.count(")"):
        raise RuleSyntaxError(f"unbalanced parentheses in {rule!r}")
    match = _RULE.fullmatch(rule)
    if match is None:
        raise RuleSyntaxError(f"{rule!r} is not `Tool` or `Tool(specifier)`")
    tool, spec = match.group("tool"), match.group("spec")
    if spec is not None and not spec.strip():
        raise RuleSyntaxError(f"empty specifier in {rule!r}")
    if tool.startswith("mcp__"):
        if _MCP_NAME.fullmatch(tool) is None:
            raise RuleSyntaxError(f"{tool!r} is not `mcp__server` or `mcp__server__tool`")
        return ToolRule(rule=rule, tool=tool, specifier=spec, kind=RuleKind.MCP)
    # Anything else well formed (`context-manager`, `catalog:search`) is a name Claude Code
    # does not know: it loads the file and skips the entry, so it is a warning, not an error.
    kind = RuleKind.BUILTIN if tool in BUILTIN_TOOLS else RuleKind.UNKNOWN
    return ToolRule(rule=rule, tool=tool, specifier=spec, kind=kind)


def split_rules(text: str, *, spaces: bool) -> list[str]:
    """Split a rule list written as one string, never inside parentheses.

    Agents separate with commas; skills' `allowed-tools` with spaces (agentskills.io) or commas
    (Claude Code), so `spaces=True` splits on both.
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and (char == "," or (spaces and char.isspace())):
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]
