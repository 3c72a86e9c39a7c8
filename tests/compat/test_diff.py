"""The pure version diff: symmetric, empty for a version against itself, ordered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.compat.diff import field_changes, text_diff, version_diff
from service.compat.snapshot import LockedSkill, Snapshot, rule_dict

RULES = st.sampled_from(["Read", "Grep", "Bash", "Bash(git diff:*)", "WebFetch", "mcp__gh"])
SKILLS = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["1.0.0", "1.1.0", "2.0.0"])
)
FRONTMATTER = st.dictionaries(
    st.sampled_from(["model", "maxTurns", "color", "tools", "x-extra"]),
    st.one_of(st.integers(0, 5), st.sampled_from(["opus", "sonnet", "blue"])),
)


def make(
    version: str, rules: list[str], skills: dict[str, str], front: dict[str, object]
) -> Snapshot:
    return Snapshot(
        kind="agent",
        name="default/x",
        version=version,
        digest=f"sha256:{version}",
        frontmatter={"name": "x", "description": "d", **front},
        body=f"body {version}\n",
        text=f"---\nname: x\n---\nbody {version}\n",
        grants=tuple(rule_dict(r, ["agent"]) for r in dict.fromkeys(rules)),
        skills=tuple(LockedSkill(n, v, f"sha256:{n}{v}") for n, v in sorted(skills.items())),
    )


@given(st.lists(RULES), st.lists(RULES), SKILLS, SKILLS, FRONTMATTER, FRONTMATTER)
def test_diff_backwards_swaps_added_and_removed(
    r1: list[str],
    r2: list[str],
    s1: dict[str, str],
    s2: dict[str, str],
    f1: dict[str, object],
    f2: dict[str, object],
) -> None:
    old, new = make("1.0.0", r1, s1, f1), make("1.1.0", r2, s2, f2)
    forward, back = version_diff(old, new), version_diff(new, old)
    assert [g["rule"] for g in forward["grants"]["added"]] == [
        g["rule"] for g in back["grants"]["removed"]
    ]
    assert set(g["rule"] for g in forward["grants"]["added"]) == set(r2) - set(r1)
    assert forward["skills"]["added"] == back["skills"]["removed"]
    assert [c["name"] for c in forward["skills"]["changed"]] == sorted(
        n for n in set(s1) & set(s2) if s1[n] != s2[n]
    )
    assert [f["field"] for f in forward["fields"]] == sorted(
        k for k in set(f1) | set(f2) if f1.get(k) != f2.get(k) or (k in f1) != (k in f2)
    )
    assert version_diff(old, new) == forward


@given(st.lists(RULES), SKILLS, FRONTMATTER)
def test_a_version_against_itself_has_no_changes(
    rules: list[str], skills: dict[str, str], front: dict[str, object]
) -> None:
    same = make("1.0.0", rules, skills, front)
    diff = version_diff(same, same)
    assert diff["fields"] == [] and diff["instructions"] == ""
    assert diff["grants"]["added"] == diff["grants"]["removed"] == []
    assert diff["skills"] == {"added": [], "removed": [], "changed": []}


def test_field_changes_compare_yaml_values_as_json() -> None:
    import datetime as dt

    old = {"released": dt.date(2026, 1, 1), "tools": ["Read"]}
    new = {"released": "2026-01-01", "tools": ["Read"]}
    assert field_changes(old, new) == []


def test_text_diff_marks_a_missing_final_newline() -> None:
    old = make("1.0.0", [], {}, {})
    changed = Snapshot(
        kind=old.kind,
        name=old.name,
        version="1.0.1",
        digest="sha256:y",
        frontmatter=old.frontmatter,
        body=old.body,
        text=old.text.rstrip("\n"),
    )
    assert text_diff(old, changed).endswith("+body 1.0.0\n\\ No newline at end of file\n")
