"""Tool grants: rule coverage, toolset expansion, disallowed tools, ungranted skill rules."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.formats.tools import ToolRule, parse_tool_rule
from service.resolution.grants import (
    GrantError,
    Grants,
    ResolvedToolset,
    SkillTools,
    covers,
    effective_grants,
)


def rule(text: str) -> ToolRule:
    return parse_tool_rule(text)


def rules(*texts: str) -> list[ToolRule]:
    return [rule(text) for text in texts]


def toolset(name: str, version: str, *texts: str) -> ResolvedToolset:
    return ResolvedToolset(name, version, tuple(rules(*texts)), digest="sha256:" + "7" * 64)


def skill(name: str, version: str, *texts: str) -> SkillTools:
    return SkillTools(name, version, tuple(rules(*texts)))


# --- covers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grant", "wanted"),
    [
        ("Bash", "Bash(git diff:*)"),
        ("Bash", "Bash"),
        ("Bash(*)", "Bash"),
        ("Bash(*)", "Bash(rm -rf /tmp/x)"),
        ("Bash(git:*)", "Bash(git diff:*)"),
        ("Bash(git:*)", "Bash(git)"),
        ("Bash(git:*)", "Bash(git status)"),
        ("Bash(git *)", "Bash(git diff:*)"),
        ("Bash(git:*)", "Bash(git * main)"),
        ("Bash(git diff:*)", "Bash(git diff --staged)"),
        ("Bash(git diff:*)", "Bash(git diff)"),
        ("Bash(git*)", "Bash(gitk --all)"),
        ("Bash(npm run test:*)", "Bash(npm  run   test:*)"),
        ("Bash(python -m pytest:*)", "Bash(python -m pytest -q tests)"),
        ("Read", "Read(./src/a.py)"),
        ("Read(./src/**)", "Read(./src/a.py)"),
        ("Read(./src/**)", "Read(src/deep/er/a.py)"),
        ("Read(./src/**)", "Read(./src/*.py)"),
        ("Read(./src/**)", "Read(./src/**/*.py)"),
        ("Read(src/*.py)", "Read(./src/a.py)"),
        ("Read(*.env)", "Read(config/prod/.env)"),
        ("Read(**/*.py)", "Read(./src/**/*.py)"),
        ("Read(./src/**/*.py)", "Read(./src/a.py)"),
        ("Read(./src/?.py)", "Read(./src/a.py)"),
        ("Edit(//etc/**)", "Edit(//etc/hosts)"),
        ("mcp__github", "mcp__github__create_issue"),
        ("mcp__github", "mcp__github__*"),
        ("mcp__github__*", "mcp__github__create_issue"),
        ("mcp__github__*", "mcp__github"),
        ("mcp__github__get_*", "mcp__github__get_issue"),
        ("mcp__context7", "mcp__context7__resolve-library-id"),
        ("WebFetch", "WebFetch(domain:example.com)"),
        ("WebFetch(domain:example.com)", "WebFetch(domain:example.com)"),
        ("WebFetch(domain:Example.COM)", "WebFetch(domain:example.com)"),
        ("WebFetch(domain:*.example.com)", "WebFetch(domain:docs.example.com)"),
        ("WebFetch(domain:*.example.com)", "WebFetch(domain:a.b.example.com)"),
        ("WebFetch(domain:*)", "WebFetch(domain:anything.org)"),
        ("Skill(git-*)", "Skill(git-workflow)"),
        ("toolset:readonly@^1", "toolset:readonly@^1"),
    ],
)
def test_covers(grant: str, wanted: str) -> None:
    assert covers(rule(grant), rule(wanted))


@pytest.mark.parametrize(
    ("grant", "wanted"),
    [
        ("Bash(git diff:*)", "Bash"),
        ("Bash(git:*)", "Bash(gitk:*)"),
        ("Bash(git *)", "Bash(gitk)"),
        ("Bash(git diff:*)", "Bash(git:*)"),
        ("Bash(git diff:*)", "Bash(git diff-tree:*)"),
        ("Bash(git status)", "Bash(git status --short)"),
        ("Bash(git * main)", "Bash(git push origin)"),
        ("Bash", "Read"),
        ("Read", "Edit(./a.py)"),
        ("Edit", "MultiEdit"),
        ("Agent", "Task"),
        ("Read(./src/*)", "Read(./src/deep/a.py)"),
        ("Read(./src/*)", "Read(./src/**)"),
        ("Read(./src/**)", "Read"),
        ("Read(./src/**)", "Read(./test/a.py)"),
        ("Read(./src/?.py)", "Read(./src/ab.py)"),
        ("Read(./src/?.py)", "Read(./src/*.py)"),
        ("Read(./a.py)", "Read(/a.py)"),
        ("Read(/a/**)", "Read(~/a/b)"),
        ("mcp__github__create_issue", "mcp__github"),
        ("mcp__github__create_issue", "mcp__github__*"),
        ("mcp__github", "mcp__gitlab__create_issue"),
        ("mcp__github", "Bash"),
        ("Bash", "mcp__github"),
        ("WebFetch(domain:example.com)", "WebFetch(domain:docs.example.com)"),
        ("WebFetch(domain:example.com)", "WebFetch"),
        ("WebFetch(domain:*.example.com)", "WebFetch(domain:example.com)"),
        ("WebFetch(domain:example.com)", "WebFetch(https://example.com/x)"),
        ("toolset:readonly@^1", "Read"),
        ("Read", "toolset:readonly@^1"),
        ("Bash(a\x00b)", "Bash(a*b)"),
    ],
)
def test_does_not_cover(grant: str, wanted: str) -> None:
    assert not covers(rule(grant), rule(wanted))


# Soundness: whenever `covers` says yes, every concrete use the covered rule allows is allowed
# by the grant. Concrete uses are drawn by filling the covered pattern's wildcards, and
# matched with a reference matcher written from the documented semantics.

bash_words = st.sampled_from(["git", "diff", "status", "npm", "run", "test", "-q", "x"])
bash_specs = st.lists(st.one_of(bash_words, st.just("*")), min_size=1, max_size=4).map(" ".join)
bash_specs = st.one_of(bash_specs, bash_specs.map(lambda s: s.rstrip(" *") + ":*"))
path_parts = st.sampled_from(["src", "a.py", "*", "**", "*.py", "?.py", "lib", ".env"])
path_specs = st.lists(path_parts, min_size=1, max_size=4).map("/".join)
path_specs = st.one_of(path_specs, path_specs.map(lambda s: "./" + s))
fillers = st.text(alphabet="ab /.-", max_size=6)
segment_fillers = st.text(alphabet="ab.-", max_size=4)


def bash_reference(pattern: str) -> re.Pattern[str]:
    pattern = " ".join(pattern.split())
    if pattern.endswith(":*"):
        pattern = pattern[:-2].rstrip() + " *"
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    if pattern.endswith(" *") and pattern.count("*") == 1:
        regex = f"(?:{re.escape(pattern[:-2])}|{regex})"
    return re.compile(regex, re.DOTALL)


def path_tokens(pattern: str) -> list[str]:
    """A gitignore-style pattern split into `**/`, `**`, `*`, `?` and literal text; one without a
    slash matches at any depth, a leading `./` anchors it."""
    if pattern.startswith("./"):
        pattern = pattern[2:]
    elif "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    return re.split(r"(\*\*/|\*\*|\*|\?)", pattern)


def path_reference(pattern: str) -> re.Pattern[str]:
    out = ""
    for token in path_tokens(pattern):
        out += {
            "**/": "(?:.*/)?",
            "**": ".*",
            "*": "[^/]*",
            "?": "[^/]",
        }.get(token, re.escape(token))
    return re.compile(out, re.DOTALL)


def instantiate_bash(data: st.DataObject, pattern: str) -> str:
    pattern = " ".join(pattern.split())
    if pattern.endswith(":*"):
        pattern = pattern[:-2].rstrip() + " *"
    if pattern.endswith(" *") and pattern.count("*") == 1 and data.draw(st.booleans()):
        return pattern[:-2]
    first, *rest = pattern.split("*")
    return first + "".join(data.draw(fillers) + part for part in rest)


def instantiate_path(data: st.DataObject, pattern: str) -> str:
    out = ""
    for token in path_tokens(pattern):
        if token == "**/":
            dirs = data.draw(st.lists(st.sampled_from(["a", "b.c", "d-e"]), max_size=3))
            out += "".join(d + "/" for d in dirs)
        elif token == "**":
            out += data.draw(fillers)
        elif token == "*":
            out += data.draw(segment_fillers)
        elif token == "?":
            out += data.draw(st.sampled_from(["a", "b", ".", "-"]))
        else:
            out += token
    return out


def assert_sound(
    data: st.DataObject,
    tool: str,
    grant: str,
    wanted: str,
    instantiate: Callable[[st.DataObject, str], str],
    reference: Callable[[str], re.Pattern[str]],
) -> None:
    """When `tool(grant)` covers `tool(wanted)`, everything `wanted` allows `grant` allows too:
    five concrete commands or paths drawn from `wanted` each match the reference for `grant`."""
    if not covers(rule(f"{tool}({grant})"), rule(f"{tool}({wanted})")):
        return
    for _ in range(5):
        concrete = instantiate(data, wanted)
        assert reference(grant).fullmatch(concrete), (grant, wanted, concrete)


@settings(max_examples=300)
@given(st.data(), bash_specs, bash_specs)
def test_bash_coverage_is_sound(data: st.DataObject, grant: str, wanted: str) -> None:
    assert_sound(data, "Bash", grant, wanted, instantiate_bash, bash_reference)


@settings(max_examples=300)
@given(st.data(), path_specs, path_specs)
def test_path_coverage_is_sound(data: st.DataObject, grant: str, wanted: str) -> None:
    assert_sound(data, "Read", grant, wanted, instantiate_path, path_reference)


@given(st.one_of(bash_specs.map(lambda s: f"Bash({s})"), path_specs.map(lambda s: f"Read({s})")))
def test_every_rule_covers_itself(text: str) -> None:
    assert covers(rule(text), rule(text))


@given(bash_specs, bash_specs)
def test_bare_tool_covers_every_rule_of_that_tool(grant: str, wanted: str) -> None:
    assert covers(rule("Bash"), rule(f"Bash({wanted})"))
    assert not covers(rule("Read"), rule(f"Bash({wanted})"))


# --- effective grants ------------------------------------------------------------------------


def test_shape_matches_design_section_4() -> None:
    grants = effective_grants(rules("Bash"), [], {}, [skill("git-workflow", "1.0.0", "Bash")])
    assert grants.as_dict() == {
        "mode": "allowlist",
        "grants": [
            {
                "rule": "Bash",
                "tool": "Bash",
                "specifier": None,
                "sources": ["agent", "skill:git-workflow@1.0.0"],
            }
        ],
        "denied": [],
        "ungranted": [],
        "ignored": [],
    }


def test_toolset_references_expand_in_place_with_their_provenance() -> None:
    readonly = toolset("readonly", "1.0.0", "Read", "Grep", "Glob")
    grants = effective_grants(
        rules("Bash(git:*)", "toolset:readonly@^1", "Write"), [], {"readonly": readonly}, []
    )
    assert [(g.rule.rule, g.sources) for g in grants.grants] == [
        ("Bash(git:*)", ("agent",)),
        ("Read", ("toolset:readonly@1.0.0",)),
        ("Grep", ("toolset:readonly@1.0.0",)),
        ("Glob", ("toolset:readonly@1.0.0",)),
        ("Write", ("agent",)),
    ]
    assert grants.rules() == ["Bash(git:*)", "Read", "Grep", "Glob", "Write"]


def test_duplicates_merge_keeping_first_position_with_agent_listed_first() -> None:
    readonly = toolset("readonly", "1.0.0", "Read", "Grep")
    search = toolset("search", "2.1.0", "Grep", "WebSearch")
    grants = effective_grants(
        rules("toolset:readonly", "Grep", "toolset:search@^2", "Read", "Grep"),
        [],
        {"readonly": readonly, "search": search},
        [],
    )
    assert [(g.rule.rule, g.sources) for g in grants.grants] == [
        ("Read", ("agent", "toolset:readonly@1.0.0")),
        ("Grep", ("agent", "toolset:readonly@1.0.0", "toolset:search@2.1.0")),
        ("WebSearch", ("toolset:search@2.1.0",)),
    ]


def test_disallowed_rules_remove_the_grants_they_cover() -> None:
    grants = effective_grants(
        rules("Read", "Bash(git push:*)", "Bash(git diff:*)", "Write"),
        rules("Bash(git push:*)", "Write", "WebFetch"),
        {},
        [],
    )
    assert grants.rules() == ["Read", "Bash(git diff:*)"]
    assert [d.as_dict() for d in grants.denied] == [
        {
            "rule": "Bash(git push:*)",
            "tool": "Bash",
            "specifier": "git push:*",
            "sources": ["agent"],
            "removed": ["Bash(git push:*)"],
        },
        {
            "rule": "Write",
            "tool": "Write",
            "specifier": None,
            "sources": ["agent"],
            "removed": ["Write"],
        },
        {
            "rule": "WebFetch",
            "tool": "WebFetch",
            "specifier": None,
            "sources": ["agent"],
            "removed": [],
        },
    ]


def test_disallowed_rule_narrower_than_a_grant_keeps_the_grant() -> None:
    grants = effective_grants(rules("Bash"), rules("Bash(rm:*)"), {}, [])
    assert grants.rules() == ["Bash"]
    assert grants.denied[0].removed == ()


def test_disallowed_toolset_expands_too() -> None:
    writers = toolset("writers", "1.2.0", "Write", "Edit")
    grants = effective_grants(
        rules("Read", "Write", "Edit"), rules("toolset:writers"), {"writers": writers}, []
    )
    assert grants.rules() == ["Read"]
    assert [(d.rule.rule, d.sources, d.removed) for d in grants.denied] == [
        ("Write", ("toolset:writers@1.2.0",), ("Write",)),
        ("Edit", ("toolset:writers@1.2.0",), ("Edit",)),
    ]


def test_skill_sources_are_added_to_every_grant_that_covers_a_skill_rule() -> None:
    grants = effective_grants(
        rules("Bash", "Bash(git:*)", "Read"),
        [],
        {},
        [
            skill("git-workflow", "1.0.0", "Bash(git status:*)", "Bash(git diff:*)"),
            skill("code-review-practices", "1.2.0", "Read", "Bash(git diff:*)"),
        ],
    )
    assert [(g.rule.rule, g.sources) for g in grants.grants] == [
        ("Bash", ("agent", "skill:git-workflow@1.0.0", "skill:code-review-practices@1.2.0")),
        (
            "Bash(git:*)",
            ("agent", "skill:git-workflow@1.0.0", "skill:code-review-practices@1.2.0"),
        ),
        ("Read", ("agent", "skill:code-review-practices@1.2.0")),
    ]
    assert grants.ungranted == ()


def test_skill_rules_no_grant_covers_are_ungranted_with_their_skills() -> None:
    grants = effective_grants(
        rules("Read", "Bash(git status:*)"),
        [],
        {},
        [
            skill("git-workflow", "1.0.0", "Bash(git status:*)", "Bash(git commit:*)"),
            skill("python-aws", "1.1.0", "Read", "Bash(aws:*)", "Bash(git commit:*)"),
        ],
    )
    assert [u.as_dict() for u in grants.ungranted] == [
        {
            "rule": "Bash(git commit:*)",
            "tool": "Bash",
            "specifier": "git commit:*",
            "sources": ["skill:git-workflow@1.0.0", "skill:python-aws@1.1.0"],
            "reason": "not_granted",
        },
        {
            "rule": "Bash(aws:*)",
            "tool": "Bash",
            "specifier": "aws:*",
            "sources": ["skill:python-aws@1.1.0"],
            "reason": "not_granted",
        },
    ]


def test_skill_rule_removed_by_a_denial_is_ungranted_as_denied() -> None:
    grants = effective_grants(
        rules("Bash"),
        rules("Bash(git push:*)"),
        {},
        [skill("git-workflow", "1.0.0", "Bash(git push:*)", "Bash(git status:*)")],
    )
    assert [(u.rule.rule, u.reason) for u in grants.ungranted] == [("Bash(git push:*)", "denied")]
    assert grants.grants[0].sources == ("agent", "skill:git-workflow@1.0.0")


def test_inherit_mode_grants_nothing_explicitly_and_leaves_skills_ungranted_only_if_denied() -> (
    None
):
    grants = effective_grants(
        None,
        rules("WebFetch"),
        {},
        [skill("research", "1.0.0", "WebFetch(domain:example.com)", "Read", "Bash(curl:*)")],
    )
    assert grants.as_dict() == {
        "mode": "inherit",
        "grants": [],
        "denied": [
            {
                "rule": "WebFetch",
                "tool": "WebFetch",
                "specifier": None,
                "sources": ["agent"],
                "removed": [],
            }
        ],
        "ungranted": [
            {
                "rule": "WebFetch(domain:example.com)",
                "tool": "WebFetch",
                "specifier": "domain:example.com",
                "sources": ["skill:research@1.0.0"],
                "reason": "denied",
            }
        ],
        "ignored": [],
    }


def test_unknown_tool_names_grant_and_deny_nothing_and_are_listed_as_ignored() -> None:
    readonly = toolset("readonly", "1.0.0", "Read", "catalog:search")
    grants = effective_grants(
        rules("Read", "context-manager", "toolset:readonly", "Bash(git:*)"),
        rules("FutureTool"),
        {"readonly": readonly},
        [skill("helper", "1.0.0", "Bash(git status:*)", "context-manager")],
    )
    assert grants.rules() == ["Read", "Bash(git:*)"]
    assert grants.denied == ()
    assert [i.as_dict() for i in grants.ignored] == [
        {
            "rule": "context-manager",
            "tool": "context-manager",
            "specifier": None,
            "sources": ["agent"],
            "field": "tools",
            "reason": "unknown_tool",
        },
        {
            "rule": "catalog:search",
            "tool": "catalog:search",
            "specifier": None,
            "sources": ["toolset:readonly@1.0.0"],
            "field": "tools",
            "reason": "unknown_tool",
        },
        {
            "rule": "FutureTool",
            "tool": "FutureTool",
            "specifier": None,
            "sources": ["agent"],
            "field": "disallowedTools",
            "reason": "unknown_tool",
        },
        {
            "rule": "context-manager",
            "tool": "context-manager",
            "specifier": None,
            "sources": ["skill:helper@1.0.0"],
            "field": "allowed-tools",
            "reason": "unknown_tool",
        },
    ]
    assert grants.ungranted == ()


def test_empty_tools_list_is_an_allowlist_of_nothing() -> None:
    grants = effective_grants([], [], {}, [skill("git-workflow", "1.0.0", "Bash(git:*)")])
    assert grants.mode == "allowlist"
    assert grants.grants == ()
    assert [u.rule.rule for u in grants.ungranted] == ["Bash(git:*)"]


def test_unresolved_toolset_reference_is_an_error() -> None:
    with pytest.raises(GrantError, match="toolset:missing"):
        effective_grants(rules("toolset:missing@^1"), [], {}, [])


def test_toolset_including_a_toolset_is_an_error() -> None:
    nested = toolset("outer", "1.0.0", "Read", "toolset:inner")
    with pytest.raises(GrantError, match="cannot include"):
        effective_grants(rules("toolset:outer"), [], {"outer": nested}, [])


def test_same_inputs_give_identical_grants() -> None:
    def build() -> Grants:
        return effective_grants(
            rules("toolset:readonly", "Bash(git:*)", "mcp__github"),
            rules("Bash(git push:*)"),
            {"readonly": toolset("readonly", "1.0.0", "Read", "Grep")},
            [
                skill("git-workflow", "1.0.0", "Bash(git diff:*)", "Bash(git push:*)"),
                skill("issues", "0.3.0", "mcp__github__create_issue", "mcp__jira__create"),
            ],
        )

    assert build() == build()
    assert build().as_dict() == build().as_dict()
