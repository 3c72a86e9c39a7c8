"""The compatibility classifier: property tests over random grant sets and version pairs."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from service.compat.classify import check_release, compare, line
from service.compat.snapshot import Snapshot, rule_dict
from service.formats.tools import parse_tool_rule
from service.resolution.grants import covers
from service.semver import Version

RULES = [
    "Read",
    "Read(./src/**)",
    "Read(./src/app.py)",
    "Grep",
    "Bash",
    "Bash(git diff:*)",
    "Bash(git *)",
    "Bash(git status:*)",
    "WebFetch",
    "WebFetch(domain:example.com)",
    "mcp__github",
    "mcp__github__get_issue",
    "mcp__jira__search",
]
GRANT_SETS = st.lists(st.sampled_from(RULES), unique=True)
VERSIONS = st.builds(
    lambda major, minor, patch, pre: Version.parse(
        f"{major}.{minor}.{patch}" + ("-rc.1" if pre else "")
    ),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(0, 3),
    st.booleans(),
)


def snap(
    version: str = "1.0.0",
    rules: list[str] | None = None,
    *,
    mode: str = "allowlist",
    skills: tuple[str, ...] = (),
    denied: tuple[str, ...] = (),
    **front: Any,
) -> Snapshot:
    return Snapshot(
        kind="agent",
        name="default/a",
        version=version,
        digest="sha256:" + version,
        frontmatter={"name": "a", "description": "d", **front},
        body="",
        text="",
        mode=mode,
        grants=tuple(rule_dict(r, ["agent"]) for r in rules or []),
        denied=denied,
        preloaded=skills,
    )


def uncovered(rules: list[str], by: list[str]) -> set[str]:
    parsed = [parse_tool_rule(r) for r in by]
    return {r for r in rules if not any(covers(g, parse_tool_rule(r)) for g in parsed)}


@given(GRANT_SETS, GRANT_SETS)
def test_breaking_grants_are_exactly_the_old_rules_no_new_rule_covers(
    old: list[str], new: list[str]
) -> None:
    findings = compare(snap("1.0.0", old), snap("1.0.1", new))
    breaking = {f.subject for f in findings if f.effect == "breaking"}
    widening = {f.subject for f in findings if f.effect == "widening"}
    assert breaking == uncovered(old, new)
    assert widening == uncovered(new, old)


@given(GRANT_SETS, GRANT_SETS)
def test_breaking_one_way_is_widening_the_other_way(old: list[str], new: list[str]) -> None:
    forward = compare(snap("1.0.0", old), snap("1.0.1", new))
    backward = compare(snap("1.0.0", new), snap("1.0.1", old))
    assert {f.subject for f in forward if f.effect == "breaking"} == {
        f.subject for f in backward if f.effect == "widening"
    }


@given(GRANT_SETS, GRANT_SETS)
def test_adding_rules_never_breaks_and_removing_never_widens(
    base: list[str], extra: list[str]
) -> None:
    bigger = list(dict.fromkeys(base + extra))
    assert all(f.effect == "widening" for f in compare(snap("1.0.0", base), snap("1.1.0", bigger)))
    assert all(f.effect == "breaking" for f in compare(snap("1.0.0", bigger), snap("1.1.0", base)))


@given(GRANT_SETS)
def test_the_same_version_content_has_no_findings(rules: list[str]) -> None:
    assert compare(snap("1.0.0", rules), snap("1.0.1", rules)) == []


@given(GRANT_SETS, GRANT_SETS)
def test_a_narrowed_grant_keeps_its_tool_a_removed_one_does_not(
    old: list[str], new: list[str]
) -> None:
    after = [parse_tool_rule(r) for r in new]
    for finding in compare(snap("1.0.0", old), snap("1.0.1", new)):
        if finding.code in {"compat_grant_narrowed", "compat_grant_removed"}:
            rule = parse_tool_rule(finding.subject)
            same = any(
                (r.mcp_server == rule.mcp_server) if rule.mcp_server else r.tool == rule.tool
                for r in after
                if (r.mcp_server is None) == (rule.mcp_server is None)
            )
            assert same == (finding.code == "compat_grant_narrowed")


@given(GRANT_SETS, GRANT_SETS, st.integers(0, 3), st.integers(0, 3))
def test_minor_releases_report_only_breaking_and_patches_both(
    old: list[str], new: list[str], minor: int, patch: int
) -> None:
    base = snap("1.1.1", old)
    all_findings = compare(base, snap("1.9.9", new))
    as_patch = check_release(base, snap(f"1.1.{patch + 2}", new))
    as_minor = check_release(base, snap(f"1.{minor + 2}.0", new))
    as_major = check_release(base, snap("2.0.0", new))
    assert [f.code for f in as_patch] == [f.code for f in all_findings]
    assert [f.code for f in as_minor] == [f.code for f in all_findings if f.effect == "breaking"]
    assert as_major == []
    assert all("publish as 2.0.0" in f.message for f in as_minor)
    for finding in as_patch:
        assert ("publish as 2.0.0" if finding.effect == "breaking" else "publish as 1.2.0") in (
            finding.message
        )


def test_zero_major_lines_and_suggestions() -> None:
    assert line(Version.parse("0.0.3")) is None
    [finding] = check_release(snap("0.2.1", ["Bash"]), snap("0.2.2", ["Read", "Bash"]))
    assert finding.code == "compat_grant_added" and "publish as 0.3.0" in finding.message


def test_each_field_rule() -> None:
    old = snap(
        "1.0.0",
        ["Read"],
        skills=("default/git-workflow", "default/testing"),
        maxTurns=50,
        model="opus",
        permissionMode="default",
        mcpServers={"github": {}, "jira": {}},
        hooks={"Stop": []},
        color="blue",
    )
    new = snap(
        "1.0.1",
        ["Read"],
        skills=("default/testing",),
        maxTurns=20,
        model="claude-sonnet-4-5",
        permissionMode="acceptEdits",
        mcpServers=[{"github": {}}, "slack"],
    )
    found = {(f.code, f.subject or f.loc) for f in compare(old, new)}
    assert found == {
        ("compat_skill_removed", "default/git-workflow"),
        ("compat_max_turns_lowered", "frontmatter.maxTurns"),
        ("compat_model_downgraded", "frontmatter.model"),
        ("compat_permission_mode_loosened", "frontmatter.permissionMode"),
        ("compat_mcp_server_removed", "jira"),
        ("compat_mcp_server_added", "slack"),
        ("compat_field_removed", "hooks"),
    }
    # The reverse: a larger model, more turns, a tighter mode are not findings.
    back = {f.code for f in compare(new, old)}
    assert "compat_model_downgraded" not in back and "compat_max_turns_lowered" not in back
    assert "compat_permission_mode_loosened" not in back


def test_a_new_limit_where_there_was_none_is_lowering() -> None:
    [finding] = compare(snap("1.0.0", ["Read"]), snap("1.1.0", ["Read"], maxTurns=10))
    assert finding.code == "compat_max_turns_lowered" and "no limit" in finding.message


def test_inherit_mode_changes_and_denials() -> None:
    inherit = snap("1.0.0", mode="inherit", denied=("Bash",))
    assert [f.code for f in compare(inherit, snap("1.0.1", ["Read"]))] == [
        "compat_tools_restricted"
    ]
    assert [f.code for f in compare(snap("1.0.0", ["Read"]), inherit)] == ["compat_tools_inherited"]
    more = snap("1.0.1", mode="inherit", denied=("Bash", "WebFetch"))
    fewer = snap("1.0.1", mode="inherit", denied=("Bash(rm:*)",))
    assert [(f.code, f.subject) for f in compare(inherit, more)] == [
        ("compat_tool_denied", "WebFetch")
    ]
    assert {(f.code, f.subject) for f in compare(inherit, fewer)} == {
        ("compat_tool_undenied", "Bash")
    }
