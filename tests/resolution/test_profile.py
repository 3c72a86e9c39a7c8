"""The resolved profile built from the real example files, and its JSON and Markdown forms."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.formats.tools import parse_tool_rule, split_rules
from service.resolution import profile as profile_module
from service.resolution.document import Profile, ProfileSkill
from service.resolution.grants import Grants, ResolvedToolset, SkillTools, effective_grants
from service.resolution.graph import Candidate, Requirement, resolve
from service.resolution.profile import (
    AgentIdentity,
    agent_frontmatter,
    build_profile,
    iso_utc,
    jsonable,
    profile_json_bytes,
    render_markdown,
)
from service.semver import Version
from tests.helpers import DEV_PYTHON_SKILLS, FLASK_SPECIALIST_TOOLS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PUBLISHED = dt.datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=dt.UTC)
AGENT_DIGEST = "sha256:" + "a1" * 32

# claude_agent_sdk.types.AgentDefinition (claude-agent-sdk 0.2.189).
SDK_AGENT_DEFINITION_FIELDS = {
    "description",
    "prompt",
    "tools",
    "disallowedTools",
    "model",
    "skills",
    "memory",
    "mcpServers",
    "initialPrompt",
    "maxTurns",
    "background",
    "effort",
    "permissionMode",
}


def read_markdown(path: Path) -> tuple[dict[str, Any], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def skill_digest(name: str) -> str:
    return "sha256:" + format(DEV_PYTHON_SKILLS.index(name) + 1, "064x")


def identity(name: str, **changes: Any) -> AgentIdentity:
    return AgentIdentity(
        namespace=changes.get("namespace", "default"),
        name=name,
        version=changes.get("version", "1.0.0"),
        digest=AGENT_DIGEST,
        published_at=changes.get("published_at", PUBLISHED),
        yanked=changes.get("yanked", False),
        deprecated=changes.get("deprecated"),
    )


def resolved_profile(
    name: str,
    frontmatter: dict[str, Any] | None = None,
    toolsets: dict[str, ResolvedToolset] | None = None,
) -> Profile:
    """A profile built from an example agent and the example skills, as the service would."""
    example_front, body = read_markdown(EXAMPLES / "agents" / f"{name}.md")
    front = example_front if frontmatter is None else frontmatter
    skill_files = {
        path.parent.name: read_markdown(path) for path in (EXAMPLES / "skills").glob("*/SKILL.md")
    }
    pool = {
        skill: [Candidate(skill, Version(1, 0, 0), skill_digest(skill))] for skill in skill_files
    }
    listed = split_rules(front.get("skills", ""), spaces=False)
    resolution = resolve([Requirement(s) for s in listed], pool, root=name)
    tools: list[SkillTools] = []
    skills: list[ProfileSkill] = []
    for chosen in resolution:
        skill_front, skill_body = skill_files[chosen.name]
        allowed = split_rules(skill_front.get("allowed-tools", ""), spaces=True)
        tools.append(
            SkillTools(chosen.name, chosen.version, tuple(parse_tool_rule(r) for r in allowed))
        )
        skills.append(
            ProfileSkill(
                name=chosen.name,
                version=str(chosen.version),
                digest=chosen.digest,
                description=skill_front["description"],
                instructions=skill_body,
                allowedTools=list(allowed),
                requiredBy=list(chosen.required_by),
            )
        )
    declared = front.get("tools")
    agent_tools = (
        None
        if declared is None
        else [parse_tool_rule(r) for r in split_rules(declared, spaces=False)]
    )
    disallowed = [
        parse_tool_rule(r) for r in split_rules(front.get("disallowedTools", ""), spaces=False)
    ]
    grants = effective_grants(agent_tools, disallowed, toolsets or {}, tools)
    return build_profile(identity(name), front, body, skills, grants, toolsets or {})


# --- JSON shape ------------------------------------------------------------------------------


def test_dev_python_profile_has_the_design_fields_in_order() -> None:
    profile = resolved_profile("dev-python").as_data()
    assert list(profile) == [
        "namespace",
        "name",
        "version",
        "digest",
        "description",
        "model",
        "maxTurns",
        "instructions",
        "frontmatter",
        "skills",
        "tools",
        "lock",
        "agentDefinition",
        "yanked",
        "deprecated",
        "publishedAt",
    ]
    front, body = read_markdown(EXAMPLES / "agents" / "dev-python.md")
    assert profile["namespace"] == "default"
    assert profile["name"] == "dev-python"
    assert profile["version"] == "1.0.0"
    assert profile["digest"] == AGENT_DIGEST
    assert profile["description"] == "Python developer — Flask, FastAPI, SQLAlchemy, pytest, boto3"
    assert profile["model"] == "sonnet"
    assert profile["maxTurns"] == 100
    assert profile["instructions"] == body
    assert profile["frontmatter"] == front
    assert profile["yanked"] is False
    assert profile["deprecated"] is None
    assert profile["publishedAt"] == "2026-03-14T09:26:53.589000Z"


def test_dev_python_profile_lists_its_six_skills_in_order_with_their_tools() -> None:
    profile = resolved_profile("dev-python").as_data()
    assert [s["name"] for s in profile["skills"]] == DEV_PYTHON_SKILLS
    git = profile["skills"][DEV_PYTHON_SKILLS.index("git-workflow")]
    front, body = read_markdown(EXAMPLES / "skills" / "git-workflow" / "SKILL.md")
    assert git == {
        "name": "git-workflow",
        "version": "1.0.0",
        "digest": skill_digest("git-workflow"),
        "description": front["description"],
        "instructions": body,
        "allowedTools": [
            "Bash(git status:*)",
            "Bash(git diff:*)",
            "Bash(git log:*)",
            "Bash(git add:*)",
            "Bash(git commit:*)",
            "Bash(git switch:*)",
            "Bash(git rebase:*)",
        ],
        "requiredBy": ["dev-python"],
    }
    data = profile["skills"][DEV_PYTHON_SKILLS.index("python-data-processing")]
    assert data["allowedTools"] == []
    assert profile["lock"] == {
        "skills": {
            name: {"version": "1.0.0", "digest": skill_digest(name)} for name in DEV_PYTHON_SKILLS
        },
        "toolsets": {},
    }


def test_dev_python_grants_cover_every_skill_rule() -> None:
    tools = resolved_profile("dev-python").as_data()["tools"]
    assert tools["mode"] == "allowlist"
    assert tools["declared"] == ["Read", "Write", "Edit", "Bash", "Grep", "Glob"]
    assert [g["rule"] for g in tools["grants"]] == tools["declared"]
    bash = tools["grants"][3]
    assert bash == {
        "rule": "Bash",
        "tool": "Bash",
        "specifier": None,
        "sources": [
            "agent",
            "skill:python-flask@1.0.0",
            "skill:python-aws@1.0.0",
            "skill:python-testing@1.0.0",
            "skill:git-workflow@1.0.0",
            "skill:code-review-practices@1.0.0",
        ],
    }
    assert tools["grants"][1]["sources"] == ["agent"]
    assert tools["denied"] == []
    assert tools["ungranted"] == []


def test_narrower_agent_tools_leave_skill_rules_ungranted() -> None:
    front, _ = read_markdown(EXAMPLES / "agents" / "dev-python.md")
    front = {**front, "tools": "Read, Grep, Glob, Bash(git:*)"}
    ungranted = resolved_profile("dev-python", front).as_data()["tools"]["ungranted"]
    assert [(u["rule"], u["sources"]) for u in ungranted] == [
        ("Bash(flask:*)", ["skill:python-flask@1.0.0"]),
        ("Bash(python -m flask:*)", ["skill:python-flask@1.0.0"]),
        ("Bash(aws:*)", ["skill:python-aws@1.0.0"]),
        ("Bash(pytest:*)", ["skill:python-testing@1.0.0"]),
        ("Bash(python -m pytest:*)", ["skill:python-testing@1.0.0"]),
        ("Bash(coverage:*)", ["skill:python-testing@1.0.0"]),
    ]


def test_agent_definition_has_only_sdk_fields_and_inlines_the_skills() -> None:
    profile = resolved_profile("dev-python").as_data()
    definition = profile["agentDefinition"]
    assert set(definition) <= SDK_AGENT_DEFINITION_FIELDS
    assert definition["description"] == profile["description"]
    assert definition["tools"] == ["Read", "Write", "Edit", "Bash", "Grep", "Glob"]
    assert definition["model"] == "sonnet"
    assert definition["maxTurns"] == 100
    assert "skills" not in definition
    prompt = definition["prompt"]
    assert prompt.startswith(profile["instructions"].rstrip() + "\n\n---\n\n## Skill: python-flask")
    positions = [prompt.index(f"## Skill: {name} (1.0.0)\n\n") for name in DEV_PYTHON_SKILLS]
    assert positions == sorted(positions)
    for skill in profile["skills"]:
        assert skill["instructions"].strip() in prompt


def test_agent_without_skills_keeps_its_instructions_verbatim_as_prompt() -> None:
    profile = resolved_profile("flask-specialist").as_data()
    assert profile["skills"] == []
    assert profile["lock"] == {"skills": {}, "toolsets": {}}
    assert profile["agentDefinition"]["prompt"] == profile["instructions"]
    assert profile["model"] is None
    assert profile["maxTurns"] is None
    assert "model" not in profile["agentDefinition"]
    assert profile["agentDefinition"]["tools"] == FLASK_SPECIALIST_TOOLS


def test_inherit_mode_omits_tools_from_the_agent_definition() -> None:
    front = {"name": "helper", "description": "Helps.", "skills": "git-workflow"}
    profile = build_profile(
        identity("helper"),
        front,
        "Help.\n",
        [
            ProfileSkill(
                name="git-workflow",
                version="1.0.0",
                digest="sha256:x",
                description="Git.",
                instructions="# Git\n",
                allowedTools=[],
                requiredBy=["helper"],
            )
        ],
        effective_grants(None, [], {}, []),
    ).as_data()
    assert profile["tools"] == {
        "mode": "inherit",
        "grants": [],
        "denied": [],
        "ungranted": [],
        "ignored": [],
        "declared": None,
    }
    assert "tools" not in profile["agentDefinition"]
    assert (
        profile["agentDefinition"]["prompt"]
        == "Help.\n\n---\n\n## Skill: git-workflow (1.0.0)\n\n# Git"
    )


def test_optional_frontmatter_fields_are_normalised_and_passed_to_the_sdk() -> None:
    front = {
        "name": "ops",
        "description": "Operations: deploys <example>x</example>",
        "tools": ["Read", "Bash"],
        "disallowedTools": "Bash(rm:*), Write",
        "model": "claude-opus-4-1",
        "permissionMode": "acceptEdits",
        "maxTurns": 12,
        "mcpServers": {"github": {"command": "gh-mcp"}, "jira": {"url": "https://x"}},
        "hooks": {"PreToolUse": [{"matcher": "Bash"}]},
        "memory": "project",
        "effort": "high",
        "background": True,
        "initialPrompt": "Start here.",
        "color": "blue",
        "isolation": "worktree",
        "x-team": "platform",
    }
    grants = effective_grants(
        [parse_tool_rule("Read"), parse_tool_rule("Bash")],
        [parse_tool_rule("Bash(rm:*)"), parse_tool_rule("Write")],
        {},
        [],
    )
    profile = build_profile(identity("ops"), front, "Do ops.\n", [], grants).as_data()
    assert profile["disallowedTools"] == ["Bash(rm:*)", "Write"]
    assert profile["tools"]["declared"] == ["Read", "Bash"]
    for key in ("permissionMode", "hooks", "memory", "effort", "background", "color"):
        assert profile[key] == front[key]
    assert profile["mcpServers"] == front["mcpServers"]
    assert "x-team" not in profile
    assert profile["frontmatter"]["x-team"] == "platform"
    definition = profile["agentDefinition"]
    assert set(definition) <= SDK_AGENT_DEFINITION_FIELDS
    assert definition == {
        "description": "Operations: deploys <example>x</example>",
        "prompt": "Do ops.\n",
        "tools": ["Read", "Bash"],
        "disallowedTools": ["Bash(rm:*)", "Write"],
        "model": "claude-opus-4-1",
        "memory": "project",
        "mcpServers": [{"github": {"command": "gh-mcp"}}, {"jira": {"url": "https://x"}}],
        "initialPrompt": "Start here.",
        "maxTurns": 12,
        "background": True,
        "effort": "high",
        "permissionMode": "acceptEdits",
    }


def test_toolsets_appear_in_the_lock_and_in_grant_sources() -> None:
    readonly = ResolvedToolset(
        "readonly",
        Version(1, 2, 0),
        (parse_tool_rule("Read"), parse_tool_rule("Grep")),
        "sha256:" + "5" * 64,
    )
    front = {"name": "reader", "description": "Reads.", "tools": "toolset:readonly@^1, Bash"}
    grants = effective_grants(
        [parse_tool_rule("toolset:readonly@^1"), parse_tool_rule("Bash")],
        [],
        {"readonly": readonly},
        [],
    )
    profile = build_profile(
        identity("reader"), front, "Read.", [], grants, {"readonly": readonly}
    ).as_data()
    assert profile["lock"]["toolsets"] == {
        "readonly": {"version": "1.2.0", "digest": "sha256:" + "5" * 64}
    }
    assert profile["agentDefinition"]["tools"] == ["Read", "Grep", "Bash"]
    assert profile["tools"]["grants"][0]["sources"] == ["toolset:readonly@1.2.0"]


def test_yanked_and_deprecated_state_is_shown() -> None:
    front = {"name": "old", "description": "Old."}
    profile = build_profile(
        identity("old", yanked=True, deprecated="use new instead"),
        front,
        "",
        [],
        effective_grants(None, [], {}, []),
    ).as_data()
    assert (profile["yanked"], profile["deprecated"]) == (True, "use new instead")


# --- values YAML can produce -----------------------------------------------------------------


def test_published_at_is_utc_with_z() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert iso_utc(dt.datetime(2026, 1, 1, 2, 0, tzinfo=plus_two)) == "2026-01-01T00:00:00Z"
    assert iso_utc(PUBLISHED) == "2026-03-14T09:26:53.589000Z"
    with pytest.raises(ValueError, match="timezone"):
        iso_utc(dt.datetime(2026, 1, 1))


def test_yaml_only_values_become_json_values() -> None:
    loaded = yaml.safe_load(
        "released: 2026-01-02\n"
        "at: 2026-01-02T03:04:05Z\n"
        "ratio: .nan\n"
        "big: .inf\n"
        "2: two\n"
        "false: no\n"
        "~: nothing\n"
        "tags: !!set {b, a}\n"
        "blob: !!binary aGk=\n"
    )
    assert jsonable(loaded) == {
        "released": "2026-01-02",
        "at": "2026-01-02T03:04:05+00:00",
        "ratio": ".nan",
        "big": ".inf",
        "2": "two",
        "false": False,
        "null": "nothing",
        "tags": ["a", "b"],
        "blob": "aGk=",
    }


# --- serialisation ---------------------------------------------------------------------------


def test_json_bytes_are_compact_sorted_utf8() -> None:
    profile = resolved_profile("dev-python")
    data = profile_json_bytes(profile)
    assert json.loads(data) == profile.as_data()
    assert "Python developer — Flask".encode() in data
    assert b"\\u2014" not in data
    assert data.startswith(b'{"agentDefinition":{"description":')
    expected = json.dumps(
        profile.as_data(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert data == expected.encode("utf-8")


def test_json_bytes_do_not_depend_on_mapping_order() -> None:
    front, _ = read_markdown(EXAMPLES / "agents" / "dev-python.md")
    reordered = dict(reversed(list(front.items())))
    first = profile_json_bytes(resolved_profile("dev-python"))
    second = profile_json_bytes(resolved_profile("dev-python", reordered))
    assert first == second
    assert profile_json_bytes(Profile.model_validate_json(first)) == first


def test_same_inputs_give_byte_identical_documents() -> None:
    assert profile_json_bytes(resolved_profile("dev-python")) == profile_json_bytes(
        resolved_profile("dev-python")
    )
    assert render_markdown(resolved_profile("dev-python")) == render_markdown(
        resolved_profile("dev-python")
    )


# --- Markdown --------------------------------------------------------------------------------


def split_rendered(text: str) -> tuple[dict[str, Any], str]:
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n\n", 1)
    return yaml.safe_load(front), body


def test_markdown_is_a_claude_code_agent_file_with_skills_inlined() -> None:
    profile = resolved_profile("dev-python")
    text = render_markdown(profile)
    front, body = split_rendered(text)
    assert front == {
        "name": "dev-python",
        "description": "Python developer — Flask, FastAPI, SQLAlchemy, pytest, boto3",
        "tools": "Read, Write, Edit, Bash, Grep, Glob",
        "model": "sonnet",
        "maxTurns": 100,
    }
    assert list(front) == ["name", "description", "tools", "model", "maxTurns"]
    assert body == profile.agentDefinition.prompt.strip("\n") + "\n"
    assert "## Skill: git-workflow (1.0.0)" in body
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "skills:" not in text.split("\n---\n")[0]


def test_markdown_frontmatter_survives_awkward_descriptions_and_fields() -> None:
    front = {
        "name": "ops",
        "description": 'Use when: deploying.\n<example>user: "ship it"</example> # not a comment',
        "tools": "Read, Bash(git log --format=%h,%s:*)",
        "disallowedTools": ["Write"],
        "permissionMode": "plan",
        "mcpServers": {"z": {"b": 1, "a": 2}},
        "color": "red",
        "x-unknown": "dropped",
    }
    grants = effective_grants(
        [parse_tool_rule("Read"), parse_tool_rule("Bash(git log --format=%h,%s:*)")],
        [parse_tool_rule("Write")],
        {},
        [],
    )
    rendered, _ = split_rendered(
        render_markdown(build_profile(identity("ops"), front, "Body ü\n", [], grants))
    )
    assert rendered == {
        "name": "ops",
        "description": front["description"],
        "tools": "Read, Bash(git log --format=%h,%s:*)",
        "disallowedTools": "Write",
        "permissionMode": "plan",
        "mcpServers": {"z": {"a": 2, "b": 1}},
        "color": "red",
    }
    assert split_rules(rendered["tools"], spaces=False) == [
        "Read",
        "Bash(git log --format=%h,%s:*)",
    ]


def test_markdown_in_inherit_mode_has_no_tools_line() -> None:
    profile = build_profile(
        identity("helper"),
        {"name": "helper", "description": "Helps."},
        "Help.",
        [],
        effective_grants(None, [], {}, []),
    )
    front, body = split_rendered(render_markdown(profile))
    assert "tools" not in front
    assert body == "Help.\n"


def test_markdown_with_nothing_granted_fails_closed() -> None:
    grants: Grants = effective_grants(
        [parse_tool_rule("Write")], [parse_tool_rule("Write")], {}, []
    )
    profile = build_profile(
        identity("none"),
        {"name": "none", "description": "Nothing.", "tools": "Write"},
        "",
        [],
        grants,
    )
    front, _ = split_rendered(render_markdown(profile))
    assert front["tools"] == []
    assert profile.agentDefinition.tools == []


def test_markdown_frontmatter_is_the_emitters_whether_rendered_or_remembered() -> None:
    """The frontmatter's YAML is remembered per mapping; what is remembered is exactly what the
    pure-Python emitter writes for it, awkward values included (outside the BMP, floats,
    nesting, line breaks), on the first render and on the next."""
    front = {
        "name": "odd",
        "description": "Emoji 🎉, NEL \x85, line\nbreak, 'quotes' and: colons",
        "tools": "Read",
        "model": "sonnet",
        "maxTurns": 7,
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "echo 1.50"}]}]},
        "effort": 0.5,
        "background": True,
        "initialPrompt": "Party 🎉 time",  # the C emitter would write \U0001F389
    }
    grants = effective_grants([parse_tool_rule("Read")], [], {}, [])
    profile = build_profile(identity("odd"), front, "Body\n", [], grants)
    data = profile.as_data()
    expected = {
        "name": "odd",
        "description": front["description"],
        "tools": "Read",
        "model": "sonnet",
        "maxTurns": 7,
        "hooks": {"Stop": [{"hooks": [{"command": "echo 1.50", "type": "command"}]}]},  # sorted
        "effort": 0.5,
        "background": True,
        "initialPrompt": "Party 🎉 time",
    }
    emitted = yaml.safe_dump(
        expected, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
    first, again = render_markdown(profile), render_markdown(profile)
    assert first == again
    assert first.startswith(f"---\n{emitted}---\n")
    assert agent_frontmatter(profile) == emitted
    assert "initialPrompt: Party 🎉 time\n" in emitted
    assert yaml.safe_load(emitted) == expected and data["frontmatter"]["effort"] == 0.5


def test_a_large_frontmatter_is_emitted_each_time_not_remembered() -> None:
    """Only frontmatters of usual size are remembered (memory stays bounded); a larger one is
    emitted each time, alike."""
    front = {"name": "big", "description": "Long 🎉 " * 2000, "tools": "Read"}
    grants = effective_grants([parse_tool_rule("Read")], [], {}, [])
    profile = build_profile(identity("big"), front, "Body\n", [], grants)
    expected = {"name": "big", "description": front["description"], "tools": "Read"}
    emitted = yaml.safe_dump(
        expected, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
    before = profile_module._remembered_yaml.cache_info().currsize
    assert agent_frontmatter(profile) == agent_frontmatter(profile) == emitted
    assert profile_module._remembered_yaml.cache_info().currsize == before
