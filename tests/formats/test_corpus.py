"""The quirk corpus: real-world files Claude Code loads are accepted, the ones it skips are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.formats.kinds import DocumentKind
from service.formats.tools import RuleKind
from service.formats.validate import ValidatedFile, validate_file
from tests.helpers import GENEROUS_SECONDS, within

CORPUS = Path(__file__).resolve().parent / "corpus"

Finding = tuple[str, str, str]  # (severity, code, loc)
W, E = "warning", "error"

ACCEPTED: dict[str, set[Finding]] = {
    "agents/unquoted-colon.md": {(W, "frontmatter_repaired", "frontmatter.description")},
    "agents/plugin-examples.md": {(W, "frontmatter_repaired", "frontmatter.description")},
    "agents/escaped-newlines.md": {(W, "frontmatter_repaired", "frontmatter.description")},
    "agents/legacy-tools.md": set(),
    "agents/mcp-tools.md": set(),
    "agents/powershell-5.1-expert.md": set(),
    "agents/tools-yaml-list.md": set(),
    "agents/tools-empty.md": {(W, "no_tools", "frontmatter.tools")},
    "agents/prettier-description.md": set(),
    "agents/all-fields.md": set(),
    "agents/unknown-field.md": {(W, "unknown_field", "frontmatter.capabilities")},
    "agents/crlf.md": set(),
    "agents/bom.md": set(),
    "skills/agent-development/SKILL.md": {(W, "skill_display_name", "frontmatter.name")},
    "skills/python-requires/SKILL.md": set(),
    "skills/legacy-skills-field/SKILL.md": {(W, "skills_field_not_portable", "frontmatter.skills")},
    "skills/allowed-tools-list/SKILL.md": {
        (W, "allowed_tools_not_portable", "frontmatter.allowed-tools")
    },
    "skills/long-description/SKILL.md": {(W, "description_too_long", "frontmatter.description")},
    "skills/argument-hint/SKILL.md": {(W, "frontmatter_repaired", "frontmatter.argument-hint")},
    "skills/plain-skill/SKILL.md": set(),
}

REFUSED: dict[str, set[Finding]] = {
    "agents/no-frontmatter.md": {(E, "frontmatter_missing", "frontmatter")},
    "agents/unterminated.md": {(E, "frontmatter_unterminated", "frontmatter")},
    "agents/no-name.md": {(E, "required_field_missing", "frontmatter.name")},
    "agents/no-description.md": {(E, "required_field_missing", "frontmatter.description")},
    "agents/name-colon.md": {(E, "invalid_name", "frontmatter.name")},
    "agents/name-leading-dash.md": {(E, "invalid_name", "frontmatter.name")},
    "agents/alias-bomb.md": {(E, "yaml_alias_bomb", "frontmatter")},
    "agents/latin1.md": {(E, "invalid_encoding", "file")},
    "agents/nul.md": {(E, "nul_character", "file")},
    "agents/python-tag.md": {(E, "yaml_unsupported_tag", "frontmatter")},
    "agents/list-frontmatter.md": {(E, "frontmatter_not_mapping", "frontmatter")},
    "agents/bool-max-turns.md": {(E, "invalid_max_turns", "frontmatter.maxTurns")},
    "agents/bad-tools.md": {
        (E, "invalid_tool_rule", "frontmatter.tools[1]"),
        (E, "invalid_tool_rule", "frontmatter.tools[2]"),
        (E, "invalid_tool_rule", "frontmatter.tools[3]"),
        (E, "invalid_tool_rule", "frontmatter.tools[5]"),
    },
    "agents/bad-fields.md": {
        (E, "invalid_tool_rule", "frontmatter.tools[1]"),
        (E, "invalid_model", "frontmatter.model"),
        (E, "invalid_permission_mode", "frontmatter.permissionMode"),
        (E, "invalid_max_turns", "frontmatter.maxTurns"),
        (E, "invalid_memory", "frontmatter.memory"),
        (E, "invalid_type", "frontmatter.background"),
        (E, "invalid_skill_ref", "frontmatter.skills[0]"),
        (E, "invalid_skill_ref", "frontmatter.skills[1]"),
    },
}


def _kind_and_name(relative: str) -> tuple[DocumentKind, str]:
    path = Path(relative)
    if path.parts[0] == "skills":
        return "skill", path.parent.name
    return "agent", path.stem


def _validate(relative: str, *, dry_run: bool = False) -> ValidatedFile:
    kind, name = _kind_and_name(relative)
    data = (CORPUS / relative).read_bytes()
    if dry_run:
        return validate_file(kind, data)
    return validate_file(kind, data, path_name=name)


def _findings(result: ValidatedFile) -> set[Finding]:
    return {(p.severity.value, p.code, p.loc) for p in result.problems}


def test_every_corpus_file_has_an_expectation() -> None:
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.md")}
    assert files == set(ACCEPTED) | set(REFUSED)


@pytest.mark.parametrize("relative", sorted(ACCEPTED))
def test_quirky_file_is_accepted_with_expected_warnings(relative: str) -> None:
    result = _validate(relative)
    assert _findings(result) == ACCEPTED[relative]
    assert not result.errors, result.errors
    assert result.frontmatter is not None
    json.dumps(result.frontmatter, allow_nan=False)


@pytest.mark.parametrize("relative", sorted(REFUSED))
def test_broken_file_is_refused_with_exact_codes_and_locs(relative: str) -> None:
    result = _validate(relative)
    assert _findings(result) == REFUSED[relative]
    assert result.errors
    assert all(problem.message for problem in result.problems)


def test_several_problems_in_one_file_are_all_reported() -> None:
    result = _validate("agents/bad-fields.md")
    assert len(result.errors) == 8
    messages = {p.loc: p.message for p in result.errors}
    assert "gpt-4" in messages["frontmatter.model"]
    assert "yolo" in messages["frontmatter.permissionMode"]
    assert "Bad_Name" in messages["frontmatter.skills[1]"]


def test_unquoted_colon_description_is_read_whole() -> None:
    result = _validate("agents/unquoted-colon.md")
    assert result.frontmatter == {
        "name": "unquoted-colon",
        "description": 'Use this agent for reviews. Triggers: "review", "audit" and "check".',
        "tools": "Read, Grep",
    }
    assert [rule.rule for rule in result.tool_rules] == ["Read", "Grep"]
    (warning,) = result.warnings
    assert "line 3" in warning.message


def test_plugin_agent_with_unindented_example_blocks_keeps_later_fields() -> None:
    result = _validate("agents/plugin-examples.md")
    frontmatter = result.frontmatter
    assert frontmatter is not None
    assert set(frontmatter) == {"name", "description", "model", "color", "tools"}
    assert frontmatter["model"] == "sonnet"
    assert frontmatter["color"] == "magenta"
    assert frontmatter["tools"] == ["Write", "Read"]
    description = frontmatter["description"]
    assert description.startswith('Use this agent when the user asks to "create an agent"')
    assert 'user: "Create an agent that reviews code for quality issues"' in description
    assert description.count("<example>") == 2
    assert description.endswith("</example>")
    (warning,) = result.warnings
    assert "lines 3-18" in warning.message


def test_escaped_newlines_stay_literal_backslash_n() -> None:
    result = _validate("agents/escaped-newlines.md")
    assert result.frontmatter is not None
    description = result.frontmatter["description"]
    assert "\\n\\n<example>\\nContext: Daisy finished a feature." in description
    assert "\n" not in description
    assert result.frontmatter["model"] == "inherit"


def test_legacy_and_mcp_tool_names_are_known() -> None:
    legacy = _validate("agents/legacy-tools.md")
    assert [rule.tool for rule in legacy.tool_rules] == [
        "Read",
        "MultiEdit",
        "LS",
        "Task",
        "NotebookRead",
        "TodoWrite",
        "KillBash",
    ]
    mcp = _validate("agents/mcp-tools.md")
    assert [(rule.kind, rule.mcp_server) for rule in mcp.tool_rules[1:]] == [
        (RuleKind.MCP, "context7"),
        (RuleKind.MCP, "context7"),
        (RuleKind.MCP, "github"),
        (RuleKind.MCP, "plugin_docs.v2"),
    ]


def test_dots_and_digits_in_a_name() -> None:
    result = _validate("agents/powershell-5.1-expert.md")
    assert result.name == "powershell-5.1-expert"
    assert result.frontmatter is not None
    assert result.frontmatter["model"] == "claude-sonnet-4-5-20250929"


def test_tools_as_yaml_list_and_disallowed_tools() -> None:
    result = _validate("agents/tools-yaml-list.md")
    assert [(rule.tool, rule.specifier) for rule in result.tool_rules] == [
        ("Read", None),
        ("Grep", None),
        ("Bash", "git diff:*"),
    ]
    assert [rule.tool for rule in result.disallowed_rules] == ["Write", "Edit"]


def test_empty_tools_list_warns_that_the_agent_cannot_launch() -> None:
    result = _validate("agents/tools-empty.md")
    assert result.tool_rules == []
    assert result.frontmatter is not None
    assert result.frontmatter["tools"] == []
    assert "cannot launch" in result.warnings[0].message


def test_prettier_style_indented_description_is_plain_yaml() -> None:
    result = _validate("agents/prettier-description.md")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == (
        "Reviews interface designs and design systems. Use proactively for user flows"
        " and interface optimisation."
    )


def test_every_documented_agent_field() -> None:
    result = _validate("agents/all-fields.md")
    kinds = [rule.kind for rule in result.tool_rules]
    assert kinds.count(RuleKind.TOOLSET) == 1
    assert result.tool_rules[-1].tool == "readonly"
    assert result.tool_rules[6].rule == "Agent(worker, researcher)"
    assert [(ref.name, ref.constraint) for ref in result.skill_refs] == [
        ("python-flask", "^1.2"),
        ("team/git-workflow", "stable"),
        ("code-review-practices", None),
    ]
    assert result.version == "1.2.0"
    assert result.frontmatter is not None
    assert result.frontmatter["mcpServers"][1]["docs"]["type"] == "http"


def test_crlf_file_parses_and_body_stays_verbatim() -> None:
    result = _validate("agents/crlf.md")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == "Saved on Windows with CRLF line endings."
    assert result.body == "\r\nBody line one.\r\nBody line two.\r\n"


def test_bom_is_tolerated() -> None:
    result = _validate("agents/bom.md")
    assert result.name == "bom"
    assert result.frontmatter is not None
    assert "—" in result.frontmatter["description"]


def test_display_name_skill_takes_identity_from_path() -> None:
    result = _validate("skills/agent-development/SKILL.md")
    assert result.name == "agent-development"
    assert result.frontmatter is not None
    assert result.frontmatter["name"] == "Agent Development"
    assert result.version == "0.1.0"


def test_display_name_skill_without_path_cannot_be_named() -> None:
    result = _validate("skills/agent-development/SKILL.md", dry_run=True)
    assert result.name is None
    assert _findings(result) == {
        (W, "skill_display_name", "frontmatter.name"),
        (E, "name_required_from_path", "frontmatter.name"),
    }


def test_skill_requirements_from_metadata_requires() -> None:
    result = _validate("skills/python-requires/SKILL.md")
    assert [(ref.name, ref.constraint, ref.loc) for ref in result.skill_refs] == [
        ("python-testing", "^1.0", "frontmatter.metadata.requires[0]"),
        ("team/git-workflow", None, "frontmatter.metadata.requires[1]"),
        ("code-review-practices", "stable", "frontmatter.metadata.requires[2]"),
    ]
    assert result.version == "2.1.0"
    assert [rule.rule for rule in result.tool_rules] == ["Read", "Grep", "Bash(python -m pytest:*)"]


def test_top_level_skills_field_in_a_skill_is_a_requirement() -> None:
    result = _validate("skills/legacy-skills-field/SKILL.md")
    assert [(ref.name, ref.constraint) for ref in result.skill_refs] == [
        ("python-testing", None),
        ("git-workflow", "~1.2.3"),
    ]


def test_argument_hint_with_brackets_is_repaired_to_its_text() -> None:
    result = _validate("skills/argument-hint/SKILL.md")
    assert result.frontmatter is not None
    assert result.frontmatter["argument-hint"] == "[list|save|load] [name]"


def test_alias_bomb_is_refused_fast() -> None:
    data = (CORPUS / "agents/alias-bomb.md").read_bytes()
    with within(GENEROUS_SECONDS):
        result = validate_file("agent", data)
    assert [p.code for p in result.problems] == ["yaml_alias_bomb"]
    assert result.frontmatter is None


def test_python_tag_is_never_constructed() -> None:
    result = _validate("agents/python-tag.md")
    assert result.frontmatter is None
    assert "python/object/apply:os.system" in result.errors[0].message


def test_encoding_errors_say_the_byte_offset() -> None:
    latin1 = _validate("agents/latin1.md")
    offset = (CORPUS / "agents/latin1.md").read_bytes().index("é".encode("latin-1"))
    assert f"offset {offset}" in latin1.errors[0].message
    nul = _validate("agents/nul.md")
    offset = (CORPUS / "agents/nul.md").read_bytes().index(b"\0")
    assert f"offset {offset}" in nul.errors[0].message
    assert nul.frontmatter is None
