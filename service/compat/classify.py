"""The compatibility classifier: what a release takes away or widens compared with the one below.

Pure. A range such as `^1.2` promises that a minor or patch release takes nothing away (no grant
removed or narrowed, no preloaded skill removed, `maxTurns` not lowered, `model` not a smaller
tier, no frontmatter field dropped) and, for a patch, grants no new power (no new tool, no wider
specifier, no looser `permissionMode`, no new MCP server), because ranges deliver both silently.
Each finding names the version the release should have had.

Major 0 follows npm's caret: `0.y` is the compatibility line (`^0.2.1` takes `0.2.x`), and `0.0.z`
promises nothing, so it is never compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from service.compat.snapshot import Snapshot
from service.formats.tools import RuleKind, RuleSyntaxError, ToolRule, parse_tool_rule
from service.resolution.grants import covers
from service.semver import Version

Level = Literal["major", "minor", "patch"]
Effect = Literal["breaking", "widening"]

# Tiers by size; a full model id is placed by the family word it contains.
MODEL_TIERS = {"haiku": 1, "sonnet": 2, "opus": 3}
# From tightest to loosest; an absent permissionMode is `default`.
PERMISSION_RANK = {
    "plan": 0,
    "dontAsk": 1,
    "default": 2,
    "manual": 2,
    "acceptEdits": 3,
    "auto": 4,
    "bypassPermissions": 5,
}
# Keys whose removal another rule judges, that carry the version, or that are cosmetic.
_FIELDS_JUDGED_ELSEWHERE = frozenset(
    {
        "tools",
        "disallowedTools",
        "allowed-tools",
        "skills",
        "maxTurns",
        "model",
        "permissionMode",
        "mcpServers",
        "metadata",
        "version",
        "color",
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken or widened promise: a stable code, where, and what to publish instead."""

    code: str
    loc: str
    message: str
    effect: Effect
    subject: str = ""  # the rule, skill, server or field concerned


def line(version: Version) -> tuple[int, ...] | None:
    """The compatibility line a version belongs to; None when it promises nothing."""
    if version.prerelease:
        return None
    if version.major > 0:
        return (version.major,)
    if version.minor > 0:
        return (0, version.minor)
    return None


def level(base: Version, new: Version) -> Level:
    """What kind of release `new` is relative to the version below it on its line."""
    if line(base) != line(new):
        return "major"
    if new.major > 0 and new.minor != base.minor:
        return "minor"
    return "patch"


def next_major(new: Version) -> str:
    return f"{new.major + 1}.0.0" if new.major > 0 else f"0.{new.minor + 1}.0"


def next_minor(new: Version) -> str:
    return f"{new.major}.{new.minor + 1}.0" if new.major > 0 else f"0.{new.minor + 1}.0"


def check_release(old: Snapshot, new: Snapshot) -> list[Finding]:
    """The findings that matter for `new` published after `old` (its baseline).

    Breaking findings count for a minor or patch release, widening ones for a patch only.
    """
    old_version, new_version = Version.parse(old.version), Version.parse(new.version)
    kind = level(old_version, new_version)
    if kind == "major":
        return []
    findings = compare(old, new)
    if kind == "minor":
        findings = [f for f in findings if f.effect == "breaking"]
    return [_advise(f, old, new_version) for f in findings]


def _advise(finding: Finding, old: Snapshot, new: Version) -> Finding:
    if finding.effect == "breaking":
        advice = (
            f"a {_level_word(old, new)} release must not take this away from {old.version}:"
            f" publish as {next_major(new)}"
        )
    else:
        advice = (
            f"a patch delivers this silently to every `~`/`^` range on {old.version}:"
            f" publish as {next_minor(new)}"
        )
    return Finding(
        finding.code, finding.loc, f"{finding.message}; {advice}", finding.effect, finding.subject
    )


def _level_word(old: Snapshot, new: Version) -> str:
    return level(Version.parse(old.version), new)


def compare(old: Snapshot, new: Snapshot) -> list[Finding]:
    """Every difference that takes something away (breaking) or adds power (widening)."""
    tools_loc = "frontmatter.tools" if new.kind == "agent" else "frontmatter.allowed-tools"
    findings = _grant_findings(old, new, tools_loc)
    findings += _skill_findings(old, new)
    findings += _field_findings(old.frontmatter, new.frontmatter)
    return findings


# --- grants -----------------------------------------------------------------------------------


def _rules(grants: Sequence[Mapping[str, Any]] | Sequence[str]) -> list[ToolRule]:
    rules: list[ToolRule] = []
    for grant in grants:
        text = grant if isinstance(grant, str) else str(grant["rule"])
        try:
            rule = parse_tool_rule(text)
        except RuleSyntaxError:
            continue
        if rule.kind is not RuleKind.TOOLSET:
            rules.append(rule)
    return rules


def _uncovered(rules: list[ToolRule], by: list[ToolRule]) -> list[ToolRule]:
    """The rules that no rule in `by` covers (allows everything they allow)."""
    return [rule for rule in rules if not any(covers(other, rule) for other in by)]


def _same_tool(a: ToolRule, b: ToolRule) -> bool:
    if RuleKind.MCP in (a.kind, b.kind):
        return a.kind is b.kind and a.mcp_server == b.mcp_server
    return a.tool == b.tool


def _grant_findings(old: Snapshot, new: Snapshot, loc: str) -> list[Finding]:
    if old.mode == "allowlist" and new.mode == "inherit":
        return [
            Finding(
                "compat_tools_inherited",
                loc,
                f"{new.version} omits `tools`, so the agent inherits every tool instead of"
                f" the {len(old.grants)} granted in {old.version}",
                "widening",
            )
        ]
    if old.mode == "inherit" and new.mode == "allowlist":
        return [
            Finding(
                "compat_tools_restricted",
                loc,
                f"{new.version} lists `tools`, so the agent no longer inherits every tool as"
                f" in {old.version}",
                "breaking",
            )
        ]
    if old.mode == "inherit":
        return _denial_findings(old, new)
    before, after = _rules(old.grants), _rules(new.grants)
    findings: list[Finding] = []
    for rule in _uncovered(before, after):
        if any(_same_tool(grant, rule) for grant in after):
            findings.append(
                Finding(
                    "compat_grant_narrowed",
                    loc,
                    f"{new.version} narrows {rule.rule!r}: no rule in it allows everything"
                    f" {old.version} allowed",
                    "breaking",
                    rule.rule,
                )
            )
        else:
            findings.append(
                Finding(
                    "compat_grant_removed",
                    loc,
                    f"{new.version} no longer grants {rule.rule!r}",
                    "breaking",
                    rule.rule,
                )
            )
    for rule in _uncovered(after, before):
        widened = any(_same_tool(grant, rule) for grant in before)
        findings.append(
            Finding(
                "compat_grant_widened" if widened else "compat_grant_added",
                loc,
                f"{new.version} {'widens a grant to' if widened else 'grants'} {rule.rule!r},"
                f" which {old.version} did not allow",
                "widening",
                rule.rule,
            )
        )
    return findings


def _denial_findings(old: Snapshot, new: Snapshot) -> list[Finding]:
    loc = "frontmatter.disallowedTools"
    before, after = _rules(list(old.denied)), _rules(list(new.denied))
    denied = [
        Finding(
            "compat_tool_denied",
            loc,
            f"{new.version} denies {rule.rule!r}, which {old.version} allowed",
            "breaking",
            rule.rule,
        )
        for rule in _uncovered(after, before)
    ]
    return denied + [
        Finding(
            "compat_tool_undenied",
            loc,
            f"{new.version} no longer denies {rule.rule!r}",
            "widening",
            rule.rule,
        )
        for rule in _uncovered(before, after)
    ]


# --- skills and fields ------------------------------------------------------------------------


def _skill_findings(old: Snapshot, new: Snapshot) -> list[Finding]:
    loc = "frontmatter.skills" if new.kind == "agent" else "frontmatter.metadata.requires"
    kept = set(new.preloaded)
    return [
        Finding(
            "compat_skill_removed",
            loc,
            f"{new.version} no longer preloads the skill {name!r}",
            "breaking",
            name,
        )
        for name in sorted(set(old.preloaded) - kept)
    ]


def model_tier(model: Any) -> int | None:
    if not isinstance(model, str):
        return None
    text = model.lower()
    tiers = [tier for family, tier in MODEL_TIERS.items() if family in text]
    return tiers[0] if len(tiers) == 1 else None


def mcp_server_names(value: Any) -> set[str]:
    """Server names of an `mcpServers` value: a mapping, or a list of names or `{name: config}`."""
    if isinstance(value, Mapping):
        return {str(k) for k in value}
    if isinstance(value, str):
        return {value}
    names: set[str] = set()
    if isinstance(value, list):
        for item in value:
            names |= {str(k) for k in item} if isinstance(item, Mapping) else {str(item)}
    return names


def _field_findings(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    before_turns, after_turns = old.get("maxTurns"), new.get("maxTurns")
    if _is_int(after_turns) and (not _is_int(before_turns) or after_turns < before_turns):
        was = before_turns if _is_int(before_turns) else "no limit"
        findings.append(
            Finding(
                "compat_max_turns_lowered",
                "frontmatter.maxTurns",
                f"maxTurns is lowered from {was} to {after_turns}",
                "breaking",
            )
        )
    before_tier, after_tier = model_tier(old.get("model")), model_tier(new.get("model"))
    if before_tier is not None and after_tier is not None and after_tier < before_tier:
        findings.append(
            Finding(
                "compat_model_downgraded",
                "frontmatter.model",
                f"model {old.get('model')!r} is changed to the smaller {new.get('model')!r}",
                "breaking",
            )
        )
    before_mode = PERMISSION_RANK.get(str(old.get("permissionMode") or "default"))
    after_mode = PERMISSION_RANK.get(str(new.get("permissionMode") or "default"))
    if before_mode is not None and after_mode is not None and after_mode > before_mode:
        findings.append(
            Finding(
                "compat_permission_mode_loosened",
                "frontmatter.permissionMode",
                f"permissionMode is loosened from {old.get('permissionMode') or 'default'!r}"
                f" to {new.get('permissionMode')!r}",
                "widening",
            )
        )
    before_servers = mcp_server_names(old.get("mcpServers"))
    after_servers = mcp_server_names(new.get("mcpServers"))
    findings += [
        Finding(
            "compat_mcp_server_removed",
            f"frontmatter.mcpServers.{name}",
            f"the MCP server {name!r} is removed",
            "breaking",
            name,
        )
        for name in sorted(before_servers - after_servers)
    ]
    findings += [
        Finding(
            "compat_mcp_server_added",
            f"frontmatter.mcpServers.{name}",
            f"the MCP server {name!r} is added",
            "widening",
            name,
        )
        for name in sorted(after_servers - before_servers)
    ]
    findings += [
        Finding(
            "compat_field_removed",
            f"frontmatter.{key}",
            f"the frontmatter field {key!r} is removed",
            "breaking",
            key,
        )
        for key in sorted(set(old) - set(new) - _FIELDS_JUDGED_ELSEWHERE)
    ]
    return findings


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
