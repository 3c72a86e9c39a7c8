"""Field-level rules for agents and skills: identity, versions, tools, models, references."""

from __future__ import annotations

import pytest

from .helpers import codes, findings, validate_yaml

AGENT = "name: reviewer\ndescription: Reviews code.\n"
SKILL = "name: reviewing\ndescription: Reviews code.\n"


@pytest.mark.parametrize(
    "model",
    [
        "sonnet",
        "opus",
        "haiku",
        "inherit",
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-1",
        "claude-3-5-haiku-20241022",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "claude-sonnet-4-5@20250929",
    ],
)
def test_known_models_are_accepted(model: str) -> None:
    assert validate_yaml(AGENT + f"model: {model}").problems == []


@pytest.mark.parametrize("model", ["gpt-4", "Sonnet", "claude", "sonnet-4", "'42'", "[sonnet]"])
def test_unknown_models_are_errors(model: str) -> None:
    assert findings(validate_yaml(AGENT + f"model: {model}")) == {
        ("invalid_model", "frontmatter.model")
    }


@pytest.mark.parametrize(
    "mode", ["default", "acceptEdits", "auto", "dontAsk", "bypassPermissions", "plan", "manual"]
)
def test_documented_permission_modes(mode: str) -> None:
    assert validate_yaml(AGENT + f"permissionMode: {mode}").problems == []


@pytest.mark.parametrize("mode", ["acceptedits", "yolo", "true"])
def test_other_permission_modes_are_errors(mode: str) -> None:
    assert codes(validate_yaml(AGENT + f"permissionMode: {mode}")) == ["invalid_permission_mode"]


@pytest.mark.parametrize("value", ["0", "-3", "true", "'10'", "2.5", "[1]"])
def test_max_turns_must_be_a_positive_integer(value: str) -> None:
    assert findings(validate_yaml(AGENT + f"maxTurns: {value}")) == {
        ("invalid_max_turns", "frontmatter.maxTurns")
    }


def test_max_turns_positive_integer() -> None:
    assert validate_yaml(AGENT + "maxTurns: 1").problems == []


def test_tool_rule_locations_count_entries_in_the_string() -> None:
    result = validate_yaml(AGENT + "tools: Read, Grep, Glob, Bash(, Write")
    assert findings(result) == {("invalid_tool_rule", "frontmatter.tools[3]")}


def test_tool_list_entries_must_be_strings() -> None:
    result = validate_yaml(AGENT + "tools: [Read, 3, {a: b}]")
    assert findings(result) == {
        ("invalid_tool_rule", "frontmatter.tools[1]"),
        ("invalid_tool_rule", "frontmatter.tools[2]"),
    }


def test_tools_of_the_wrong_type_is_an_error() -> None:
    assert findings(validate_yaml(AGENT + "tools: 42")) == {("invalid_type", "frontmatter.tools")}


def test_unknown_tool_is_a_warning_with_a_suggestion() -> None:
    result = validate_yaml(AGENT + "tools: Read, grep, FutureTool")
    assert not result.errors, result.errors
    assert findings(result) == {
        ("unknown_tool", "frontmatter.tools[1]"),
        ("unknown_tool", "frontmatter.tools[2]"),
    }
    assert "did you mean 'Grep'" in result.warnings[0].message


@pytest.mark.parametrize("name", ["context-manager", "catalog:search", "code_reviewer", "read"])
def test_names_that_are_not_tools_are_warnings_not_errors(name: str) -> None:
    result = validate_yaml(AGENT + f"tools: Read, {name}")
    assert not result.errors, result.errors
    assert findings(result) == {("unknown_tool", "frontmatter.tools[1]")}
    assert "grants nothing" in result.warnings[0].message


@pytest.mark.parametrize("rule", ["Bash(git diff:*", "Read()", "Bash(  )", "mcp__", "Read Grep"])
def test_malformed_rules_stay_errors(rule: str) -> None:
    result = validate_yaml(AGENT + f"tools: [Read, '{rule}']")
    assert findings(result) == {("invalid_tool_rule", "frontmatter.tools[1]")}


def test_disallowed_tools_are_parsed_and_located() -> None:
    result = validate_yaml(AGENT + "disallowedTools: Write, Edit(")
    assert [rule.tool for rule in result.disallowed_rules] == ["Write"]
    assert findings(result) == {("invalid_tool_rule", "frontmatter.disallowedTools[1]")}


def test_empty_tools_string_cannot_launch() -> None:
    assert codes(validate_yaml(AGENT + "tools: ''")) == ["no_tools"]


def test_null_tools_means_inherit_with_a_warning() -> None:
    result = validate_yaml(AGENT + "tools:")
    assert findings(result) == {("null_value", "frontmatter.tools")}
    assert result.tool_rules == []


def test_agent_skill_refs_with_constraints() -> None:
    result = validate_yaml(AGENT + "skills: a@1.0.0, ns/b@^1.2, c@>=1.0 <2, d@sha256:abc, e")
    assert not result.errors, result.errors
    assert [(ref.name, ref.constraint) for ref in result.skill_refs] == [
        ("a", "1.0.0"),
        ("ns/b", "^1.2"),
        ("c", ">=1.0 <2"),
        ("d", "sha256:abc"),
        ("e", None),
    ]


@pytest.mark.parametrize(
    "entry", ["a@", "'@1.0'", "Bad", "a/b/c", "plugin:skill", "a@1.0;rm", "42", "{x: 1}"]
)
def test_malformed_skill_refs_are_errors(entry: str) -> None:
    result = validate_yaml(AGENT + f"skills: [ok, {entry}]")
    assert findings(result) == {("invalid_skill_ref", "frontmatter.skills[1]")}


def test_duplicate_skill_refs_warn() -> None:
    result = validate_yaml(AGENT + "skills: a, b, a@^2")
    assert findings(result) == {("duplicate_skill_ref", "frontmatter.skills[2]")}


def test_skills_of_the_wrong_type_is_an_error() -> None:
    assert findings(validate_yaml(AGENT + "skills: {a: 1}")) == {
        ("invalid_type", "frontmatter.skills")
    }


def test_agent_enums_and_types() -> None:
    result = validate_yaml(
        AGENT
        + "memory: team\nbackground: 1\nhooks: [x]\nmcpServers: 3\n"
        + "color: chartreuse\nisolation: container\neffort: extreme\ninitialPrompt: [a]"
    )
    assert findings(result) == {
        ("invalid_memory", "frontmatter.memory"),
        ("invalid_type", "frontmatter.background"),
        ("invalid_type", "frontmatter.hooks"),
        ("invalid_type", "frontmatter.mcpServers"),
        ("unknown_value", "frontmatter.color"),
        ("unknown_value", "frontmatter.isolation"),
        ("unknown_value", "frontmatter.effort"),
        ("unexpected_type", "frontmatter.initialPrompt"),
    }
    assert len(result.errors) == 4


def test_mcp_server_entries_must_be_names_or_mappings() -> None:
    result = validate_yaml(AGENT + "mcpServers: [github, {docs: {type: http}}, 7]")
    assert findings(result) == {("invalid_type", "frontmatter.mcpServers[2]")}


# identity


def test_path_name_must_equal_frontmatter_name() -> None:
    result = validate_yaml(AGENT, path_name="other")
    assert findings(result) == {("name_mismatch", "frontmatter.name")}
    assert result.name == "other"


def test_invalid_path_name_is_reported() -> None:
    result = validate_yaml(AGENT, path_name="Bad Name")
    assert ("invalid_name", "name") in findings(result)
    assert result.name is None


def test_dry_run_identity_is_the_frontmatter_name() -> None:
    assert validate_yaml(AGENT).name == "reviewer"


@pytest.mark.parametrize("name", ["Code Reviewer", "code_reviewer", "x" * 65, "café"])
def test_agent_name_must_be_a_slug(name: str) -> None:
    result = validate_yaml(f"name: {name}\ndescription: d")
    assert findings(result) == {("invalid_name", "frontmatter.name")}
    assert result.name is None


@pytest.mark.parametrize(
    ("value", "code"),
    [("''", "required_field_missing"), ("42", "invalid_type"), ("[a]", "invalid_type")],
)
def test_name_must_be_a_non_empty_string(value: str, code: str) -> None:
    assert findings(validate_yaml(f"name: {value}\ndescription: d")) == {(code, "frontmatter.name")}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("'  '", "required_field_missing"),
        ("{a: b}", "invalid_type"),
        ("", "required_field_missing"),
    ],
)
def test_description_must_be_a_non_empty_string(value: str, code: str) -> None:
    result = validate_yaml(f"name: x\ndescription: {value}")
    assert findings(result) == {(code, "frontmatter.description")}


def test_skill_display_name_with_mismatching_path_is_fine() -> None:
    result = validate_yaml("name: PDF Processing\ndescription: d", "skill", path_name="pdf")
    assert findings(result) == {("skill_display_name", "frontmatter.name")}
    assert result.name == "pdf"


@pytest.mark.parametrize("name", ["snake_case", "a/b", "Bad: Name", "x" * 65])
def test_skill_name_neither_slug_nor_display_name_is_an_error(name: str) -> None:
    result = validate_yaml(f"name: '{name}'\ndescription: d", "skill", path_name="skill")
    assert findings(result) == {("invalid_name", "frontmatter.name")}


@pytest.mark.parametrize("name", ["pdf--tools", "pdf-", "pdf.tools"])
def test_skill_slug_outside_agentskills_rules_warns(name: str) -> None:
    result = validate_yaml(f"name: {name}\ndescription: d", "skill", path_name=name)
    assert findings(result) == {("name_not_portable", "frontmatter.name")}


def test_skill_fields_are_checked() -> None:
    result = validate_yaml(
        SKILL
        + "license: [MIT]\ncompatibility: '"
        + "x" * 501
        + "'\ndisable-model-invocation: 'no'\nuser-invocable: true\nmodel: gpt\n"
        + "context: spawn\nhooks: 1\npaths: [1]\nmetadata: {owner: 7}\nstrange: 1",
        "skill",
    )
    assert findings(result) == {
        ("unexpected_type", "frontmatter.license"),
        ("compatibility_too_long", "frontmatter.compatibility"),
        ("invalid_type", "frontmatter.disable-model-invocation"),
        ("invalid_model", "frontmatter.model"),
        ("unknown_value", "frontmatter.context"),
        ("invalid_type", "frontmatter.hooks"),
        ("unexpected_type", "frontmatter.paths"),
        ("metadata_value_not_string", "frontmatter.metadata.owner"),
        ("unknown_field", "frontmatter.strange"),
    }


def test_skill_metadata_not_a_mapping_warns() -> None:
    result = validate_yaml(SKILL + "metadata: [a]", "skill")
    assert findings(result) == {("metadata_not_mapping", "frontmatter.metadata")}


def test_skill_requires_and_skills_combine() -> None:
    result = validate_yaml(
        SKILL + "metadata:\n  requires: a, b@^1\nskills: [c, a]", "skill", path_name="reviewing"
    )
    assert [ref.name for ref in result.skill_refs] == ["a", "b", "c", "a"]
    assert findings(result) == {
        ("skills_field_not_portable", "frontmatter.skills"),
        ("duplicate_skill_ref", "frontmatter.skills[1]"),
    }


def test_skill_allowed_tools_with_commas_warns_about_portability() -> None:
    result = validate_yaml(SKILL + "allowed-tools: Read, Grep", "skill")
    assert [rule.tool for rule in result.tool_rules] == ["Read", "Grep"]
    assert findings(result) == {("allowed_tools_not_portable", "frontmatter.allowed-tools")}


def test_skill_allowed_tools_errors_are_located() -> None:
    result = validate_yaml(SKILL + "allowed-tools: Read Bash(git Grep", "skill")
    assert findings(result) == {("invalid_tool_rule", "frontmatter.allowed-tools[1]")}


# versions


def test_invalid_path_version_is_an_error() -> None:
    result = validate_yaml(AGENT, path_version="1.0")
    assert findings(result) == {("invalid_version", "version")}


def test_frontmatter_version_differing_from_path_warns() -> None:
    result = validate_yaml(AGENT + "version: 1.2.0", path_version="1.3.0")
    assert findings(result) == {("version_mismatch", "frontmatter.version")}
    assert result.version == "1.2.0"


def test_frontmatter_version_equal_to_path_is_silent() -> None:
    result = validate_yaml(AGENT + "version: 2.0.0-rc.1", path_version="2.0.0-rc.1")
    assert result.problems == []
    assert result.version == "2.0.0-rc.1"


def test_invalid_frontmatter_version_is_an_error_in_a_dry_run() -> None:
    result = validate_yaml(AGENT + "version: v1")
    assert findings(result) == {("invalid_version", "frontmatter.version")}


def test_numeric_frontmatter_version_warns_and_keeps_text() -> None:
    result = validate_yaml(AGENT + "version: 1.10", path_version="1.10.0")
    assert result.version == "1.1"
    assert findings(result) == {
        ("unexpected_type", "frontmatter.version"),
        ("version_mismatch", "frontmatter.version"),
    }


def test_metadata_version_is_used_for_skills() -> None:
    result = validate_yaml(SKILL + "metadata:\n  version: '1.4.0'", "skill")
    assert result.version == "1.4.0"
    assert result.problems == []


def test_top_level_and_metadata_versions_disagreeing_warn() -> None:
    result = validate_yaml(SKILL + "version: 1.0.0\nmetadata:\n  version: '2.0.0'", "skill")
    assert result.version == "1.0.0"
    assert findings(result) == {("version_mismatch", "frontmatter.metadata.version")}


def test_version_of_the_wrong_type_is_an_error() -> None:
    assert findings(validate_yaml(AGENT + "version: [1]")) == {
        ("invalid_type", "frontmatter.version")
    }


def test_empty_body_warns() -> None:
    from service.formats.validate import validate_file

    result = validate_file("agent", b"---\nname: x\ndescription: y\n---\n   \n")
    assert findings(result) == {("body_empty", "body")}


def test_problems_when_frontmatter_is_unreadable_still_include_path_problems() -> None:
    from service.formats.validate import validate_file

    result = validate_file("agent", b"no frontmatter", path_name="Bad", path_version="x")
    assert findings(result) == {
        ("frontmatter_missing", "frontmatter"),
        ("invalid_name", "name"),
        ("invalid_version", "version"),
    }
