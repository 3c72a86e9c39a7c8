"""Tool grants: which rule covers which, and an agent's effective grants with their provenance.

`covers(grant, rule)` is sound, not complete: when it says yes, every use `rule` allows is
allowed by `grant`; a few exotic pairs that do cover are not recognised (gitignore's "a
directory pattern covers its contents", character classes). Callers only warn on, or drop
grants by, its answers, so erring towards "not covered" is the safe side.

Specifier semantics follow Claude Code's permission rules:
- Bash: `*` matches any characters (spaces included); the legacy `prefix:*` is `prefix *`; a
  single trailing ` *` also matches the bare prefix (`git:*` and `git *` match `git`), and
  keeps the word boundary (`git *` does not match `gitk`).
- File tools (Read, Edit, Write, Glob, Grep, ...): gitignore-style paths. `*` and `?` stay
  within one path segment, `**` crosses segments, `./x` is the same as `x` (relative to the
  working directory), and a pattern without an inner `/` matches at any depth (`*.env` is
  `**/*.env`). `/x`, `//x` and `~/x` are different roots and never cover one another.
- WebFetch `domain:` specifiers: host names, case-insensitive; `domain:example.com` covers
  only itself, not its subdomains; `domain:*.example.com` covers every subdomain (but not
  `example.com`); `domain:*` covers every domain.
- MCP: `mcp__server` and `mcp__server__*` cover every tool of that server; `*` in the tool
  part is a wildcard (`mcp__github__get_*`). Server names must match exactly.
- Any other specifier: `*` matches any characters, everything else literally.
- No specifier (or `*` for Bash and the generic kind) covers every use of the tool. Legacy and
  current names (`Task`/`Agent`, `Edit`/`MultiEdit`) are distinct tools here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Literal

from service.formats.tools import RuleKind, ToolRule
from service.semver import Version

AGENT_SOURCE = "agent"

# --- coverage --------------------------------------------------------------------------------

# A covered rule's wildcards are written as these characters, which a granting pattern's
# literals never match; only its wildcards of at least the same reach can absorb them.
_GLOBSTAR = "\x01"  # `**`: any characters, `/` included
_QMARK = "\x02"  # `?`: one character other than `/`
_STAR = "\x03"  # `*`: any characters (within a segment, for paths)
_CONTROL = re.compile(r"[\x00-\x1f]")

_PATH_TOOLS = frozenset(
    {"Read", "Edit", "Write", "MultiEdit", "NotebookEdit", "NotebookRead", "Glob", "Grep", "LS"}
)


class _Family(Enum):
    GENERIC = "generic"
    BASH = "bash"
    PATH = "path"
    DOMAIN = "domain"


def covers(grant: ToolRule, rule: ToolRule) -> bool:
    """Whether every use of a tool that `rule` allows is also allowed by `grant`."""
    if grant.rule == rule.rule:
        return True
    if RuleKind.TOOLSET in (grant.kind, rule.kind):
        return False
    if RuleKind.MCP in (grant.kind, rule.kind):
        return grant.kind is rule.kind and _mcp_covers(grant, rule)
    if grant.tool != rule.tool:
        return False
    return _specifier_covers(_family(grant), grant.specifier, rule.specifier)


def _family(rule: ToolRule) -> _Family:
    if rule.tool == "Bash":
        return _Family.BASH
    if rule.tool in _PATH_TOOLS:
        return _Family.PATH
    if rule.tool == "WebFetch" and (rule.specifier or "").strip().startswith("domain:"):
        return _Family.DOMAIN
    return _Family.GENERIC


def _specifier_covers(family: _Family, grant: str | None, rule: str | None) -> bool:
    if grant is None or (family in (_Family.BASH, _Family.GENERIC) and grant.strip() == "*"):
        return True
    if rule is None:
        return False
    if _CONTROL.search(grant) or _CONTROL.search(rule):
        return grant.strip() == rule.strip()
    if family is _Family.DOMAIN and not rule.strip().startswith("domain:"):
        return False
    return all(
        any(_regex(family, g).fullmatch(_encode(family, r)) for g in _alternatives(family, grant))
        for r in _alternatives(family, rule)
    )


def _mcp_covers(grant: ToolRule, rule: ToolRule) -> bool:
    if grant.mcp_server != rule.mcp_server:
        return False
    if grant.specifier is not None and grant.specifier != rule.specifier:
        return False
    granted = _mcp_tool_part(grant.tool) or "*"
    wanted = _mcp_tool_part(rule.tool) or "*"
    return _regex(_Family.GENERIC, granted).fullmatch(_encode(_Family.GENERIC, wanted)) is not None


def _mcp_tool_part(tool: str) -> str | None:
    parts = tool[len("mcp__") :].split("__", 1)
    return parts[1] if len(parts) == 2 else None


@lru_cache(maxsize=4096)
def _alternatives(family: _Family, specifier: str) -> tuple[str, ...]:
    """The specifier as one or more glob patterns, in the family's normal form."""
    spec = specifier.strip()
    if family is _Family.BASH:
        spec = " ".join(spec.split())
        if spec.endswith(":*"):
            spec = spec[:-2].rstrip() + " *"
        if spec.endswith(" *") and spec.count("*") == 1:
            return (spec[:-2], spec)
        return (spec,)
    if family is _Family.DOMAIN:
        return (spec.lower(),)
    if family is _Family.PATH:
        if spec.startswith("./"):
            spec = spec[2:]
        elif not spec.startswith(("/", "~")) and "/" not in spec.rstrip("/"):
            spec = "**/" + spec
        return (spec,)
    return (spec,)


@lru_cache(maxsize=4096)
def _regex(family: _Family, pattern: str) -> re.Pattern[str]:
    """A granting pattern as a regular expression over (encoded) uses."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if family is _Family.PATH and pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif family is _Family.PATH and pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif family is _Family.PATH and char == "*":
            out.append(f"[^/{_GLOBSTAR}]*")
            i += 1
        elif family is _Family.PATH and char == "?":
            out.append(f"[^/{_GLOBSTAR}{_STAR}]")
            i += 1
        elif char == "*":
            out.append(".*")
            i += 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _encode(family: _Family, pattern: str) -> str:
    """A covered pattern as text, its wildcards replaced by the placeholder characters."""
    if family is _Family.PATH:
        return pattern.replace("**", _GLOBSTAR).replace("*", _STAR).replace("?", _QMARK)
    return pattern.replace("*", _STAR)


# --- effective grants ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedToolset:
    """A toolset version an agent's `toolset:` reference resolved to."""

    name: str
    version: Version | str
    rules: tuple[ToolRule, ...]
    digest: str | None = None

    @property
    def source(self) -> str:
        return f"toolset:{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class SkillTools:
    """A resolved skill's own tool rules (its `allowed-tools`)."""

    name: str
    version: Version | str
    allowed: tuple[ToolRule, ...]

    @property
    def source(self) -> str:
        return f"skill:{self.name}@{self.version}"


class GrantError(ValueError):
    """A toolset reference that was not resolved, or a toolset that references another."""


def _rule_dict(rule: ToolRule) -> dict[str, Any]:
    return {"rule": rule.rule, "tool": rule.tool, "specifier": rule.specifier}


@dataclass(frozen=True, slots=True)
class Grant:
    rule: ToolRule
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {**_rule_dict(self.rule), "sources": list(self.sources)}


@dataclass(frozen=True, slots=True)
class Denial:
    """A `disallowedTools` rule and the grants it removed."""

    rule: ToolRule
    sources: tuple[str, ...]
    removed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **_rule_dict(self.rule),
            "sources": list(self.sources),
            "removed": list(self.removed),
        }


UngrantedReason = Literal["not_granted", "denied"]


@dataclass(frozen=True, slots=True)
class Ungranted:
    """A skill's rule the agent does not allow: no grant covers it, or a denial covers it."""

    rule: ToolRule
    sources: tuple[str, ...]
    reason: UngrantedReason

    def as_dict(self) -> dict[str, Any]:
        return {**_rule_dict(self.rule), "sources": list(self.sources), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Ignored:
    """An entry that names no tool Claude Code knows: it skips it, so it grants and denies nothing."""

    rule: ToolRule
    sources: tuple[str, ...]
    field: str  # where it was written: `tools`, `disallowedTools` or a skill's `allowed-tools`

    def as_dict(self) -> dict[str, Any]:
        return {
            **_rule_dict(self.rule),
            "sources": list(self.sources),
            "field": self.field,
            "reason": "unknown_tool",
        }


Mode = Literal["allowlist", "inherit"]


@dataclass(frozen=True, slots=True)
class Grants:
    mode: Mode
    grants: tuple[Grant, ...]
    denied: tuple[Denial, ...]
    ungranted: tuple[Ungranted, ...]
    ignored: tuple[Ignored, ...] = ()

    def rules(self) -> list[str]:
        """The granted rule texts, in order: what `tools` becomes in allowlist mode."""
        return [grant.rule.rule for grant in self.grants]

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "grants": [g.as_dict() for g in self.grants],
            "denied": [d.as_dict() for d in self.denied],
            "ungranted": [u.as_dict() for u in self.ungranted],
            "ignored": [i.as_dict() for i in self.ignored],
        }


class _Merged:
    """Rules merged by text, in first-appearance order, each with its sources."""

    def __init__(self) -> None:
        self.rules: dict[str, ToolRule] = {}
        self.sources: dict[str, list[str]] = {}

    def add(self, rule: ToolRule, source: str) -> None:
        self.rules.setdefault(rule.rule, rule)
        sources = self.sources.setdefault(rule.rule, [])
        if source not in sources:
            sources.append(source)


def _expand(
    rules: Sequence[ToolRule], toolsets: Mapping[str, ResolvedToolset], field: str
) -> _Merged:
    merged = _Merged()
    for rule in rules:
        if rule.kind is not RuleKind.TOOLSET:
            merged.add(rule, AGENT_SOURCE)
            continue
        toolset = toolsets.get(rule.tool)
        if toolset is None:
            raise GrantError(f"{field} reference {rule.rule!r} was not resolved to a toolset")
        for member in toolset.rules:
            if member.kind is RuleKind.TOOLSET:
                raise GrantError(
                    f"toolset {toolset.name}@{toolset.version} references {member.rule!r}; "
                    "toolsets cannot include other toolsets"
                )
            merged.add(member, toolset.source)
    return merged


def _source_order(source: str) -> int:
    if source == AGENT_SOURCE:
        return 0
    return 1 if source.startswith("toolset:") else 2


def _ordered(sources: list[str]) -> tuple[str, ...]:
    # Stable sort: the agent first, then toolsets, then skills, each in order of appearance.
    return tuple(sorted(sources, key=_source_order))


def effective_grants(
    agent_tools: Sequence[ToolRule] | None,
    disallowed: Sequence[ToolRule],
    toolsets: Mapping[str, ResolvedToolset],
    skills: Sequence[SkillTools],
) -> Grants:
    """The agent's effective tool grants (DESIGN §4 `tools`).

    `agent_tools` None is inherit mode (the agent omits `tools`). `toolsets` maps each
    referenced toolset name (`ToolRule.tool` of a `toolset:` rule) to the version it resolved
    to; references in `disallowedTools` expand too. A grant is dropped when a disallowed rule
    covers it. A skill rule is `ungranted` when a disallowed rule covers it (`denied`) or, in
    allowlist mode, when no remaining grant covers it (`not_granted`); each grant that covers a
    skill rule lists the skill among its sources.
    """
    mode: Mode = "inherit" if agent_tools is None else "allowlist"
    ignored: list[Ignored] = []
    granted = _known(_expand(agent_tools or (), toolsets, "tools"), "tools", ignored)
    denials = _known(_expand(disallowed, toolsets, "disallowedTools"), "disallowedTools", ignored)
    removed: dict[str, list[str]] = {text: [] for text in denials.rules}

    kept: list[str] = []
    for text, rule in granted.rules.items():
        deniers = [d for d, denial in denials.rules.items() if covers(denial, rule)]
        for denier in deniers:
            removed[denier].append(text)
        if not deniers:
            kept.append(text)

    ungranted = _Merged()
    reasons: dict[str, UngrantedReason] = {}
    for skill in skills:
        for rule in skill.allowed:
            if rule.kind is RuleKind.UNKNOWN:
                ignored.append(Ignored(rule, (skill.source,), "allowed-tools"))
                continue
            if any(covers(denial, rule) for denial in denials.rules.values()):
                ungranted.add(rule, skill.source)
                reasons.setdefault(rule.rule, "denied")
                continue
            if mode == "inherit":
                continue
            covering = [text for text in kept if covers(granted.rules[text], rule)]
            for text in covering:
                granted.add(granted.rules[text], skill.source)
            if not covering:
                ungranted.add(rule, skill.source)
                reasons.setdefault(rule.rule, "not_granted")

    return Grants(
        mode=mode,
        grants=tuple(Grant(granted.rules[text], _ordered(granted.sources[text])) for text in kept),
        denied=tuple(
            Denial(rule, _ordered(denials.sources[text]), tuple(removed[text]))
            for text, rule in denials.rules.items()
        ),
        ungranted=tuple(
            Ungranted(rule, tuple(ungranted.sources[text]), reasons[text])
            for text, rule in ungranted.rules.items()
        ),
        ignored=tuple(ignored),
    )


def _known(merged: _Merged, field: str, ignored: list[Ignored]) -> _Merged:
    """The rules that name a tool; the others go to `ignored`, with where they came from."""
    known = _Merged()
    for text, rule in merged.rules.items():
        if rule.kind is RuleKind.UNKNOWN:
            ignored.append(Ignored(rule, _ordered(merged.sources[text]), field))
            continue
        for source in merged.sources[text]:
            known.add(rule, source)
    return known
