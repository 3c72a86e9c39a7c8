"""The real example files publish exactly as they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.formats.tools import RuleKind
from service.formats.validate import ValidatedFile, validate_file
from tests.helpers import EXAMPLES, FLASK_SPECIALIST_TOOLS

AGENT_FILES = sorted((EXAMPLES / "agents").glob("*.md"))
SKILL_FILES = sorted((EXAMPLES / "skills").glob("*/SKILL.md"))


def _agent(stem: str) -> ValidatedFile:
    data = (EXAMPLES / "agents" / f"{stem}.md").read_bytes()
    return validate_file("agent", data, path_name=stem, path_version="1.0.0")


def _skill(name: str) -> ValidatedFile:
    data = (EXAMPLES / "skills" / name / "SKILL.md").read_bytes()
    return validate_file("skill", data, path_name=name, path_version="1.0.0")


def test_examples_are_present() -> None:
    assert len(AGENT_FILES) == 2
    assert len(SKILL_FILES) == 6


@pytest.mark.parametrize("path", AGENT_FILES, ids=lambda p: p.stem)
def test_example_agent_validates_without_problems(path: Path) -> None:
    result = validate_file("agent", path.read_bytes(), path_name=path.stem, path_version="1.0.0")
    assert result.problems == []
    assert not result.errors, result.errors
    assert result.name == path.stem
    json.dumps(result.frontmatter, allow_nan=False)


@pytest.mark.parametrize("path", SKILL_FILES, ids=lambda p: p.parent.name)
def test_example_skill_validates_without_problems(path: Path) -> None:
    name = path.parent.name
    result = validate_file("skill", path.read_bytes(), path_name=name, path_version="1.0.0")
    assert result.problems == []
    assert result.name == name
    json.dumps(result.frontmatter, allow_nan=False)


def test_example_files_validate_in_a_dry_run_too() -> None:
    for path in AGENT_FILES:
        assert validate_file("agent", path.read_bytes()).problems == []
    for path in SKILL_FILES:
        assert validate_file("skill", path.read_bytes()).problems == []


def test_dev_python_preloads_six_skills_by_bare_name() -> None:
    result = _agent("dev-python")
    assert [(ref.name, ref.constraint) for ref in result.skill_refs] == [
        ("python-flask", None),
        ("python-data-processing", None),
        ("python-aws", None),
        ("python-testing", None),
        ("git-workflow", None),
        ("code-review-practices", None),
    ]
    assert [ref.loc for ref in result.skill_refs] == [f"frontmatter.skills[{i}]" for i in range(6)]


def test_dev_python_fields_and_non_ascii_text() -> None:
    result = _agent("dev-python")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == (
        "Python developer — Flask, FastAPI, SQLAlchemy, pytest, boto3"
    )
    assert result.frontmatter["model"] == "sonnet"
    assert result.frontmatter["maxTurns"] == 100
    assert [rule.rule for rule in result.tool_rules] == [
        "Read",
        "Write",
        "Edit",
        "Bash",
        "Grep",
        "Glob",
    ]
    assert result.disallowed_rules == []
    assert result.version is None
    assert result.body is not None
    assert result.body.startswith("\n# Python Developer\n")
    assert "never write to fixed paths" in result.body


def test_flask_specialist_comma_string_tools_include_multiedit() -> None:
    result = _agent("flask-specialist")
    assert result.frontmatter is not None
    assert result.frontmatter["tools"] == "Read, Write, Edit, MultiEdit, Grep, Glob, Bash"
    assert [rule.tool for rule in result.tool_rules] == FLASK_SPECIALIST_TOOLS
    assert all(rule.kind is RuleKind.BUILTIN for rule in result.tool_rules)
    assert result.skill_refs == []


def test_flask_specialist_body_is_verbatim() -> None:
    data = (EXAMPLES / "agents" / "flask-specialist.md").read_bytes()
    result = _agent("flask-specialist")
    assert result.body is not None
    assert data.decode().endswith(result.body)
    assert result.body.startswith("Principle 0: Radical Candor")


def test_skill_allowed_tools_space_separated_with_specifiers() -> None:
    result = _skill("git-workflow")
    assert [(rule.tool, rule.specifier) for rule in result.tool_rules] == [
        ("Bash", "git status:*"),
        ("Bash", "git diff:*"),
        ("Bash", "git log:*"),
        ("Bash", "git add:*"),
        ("Bash", "git commit:*"),
        ("Bash", "git switch:*"),
        ("Bash", "git rebase:*"),
    ]


def test_skill_specifier_with_spaces_stays_one_rule() -> None:
    result = _skill("python-testing")
    assert [rule.rule for rule in result.tool_rules] == [
        "Read",
        "Grep",
        "Glob",
        "Bash(pytest:*)",
        "Bash(python -m pytest:*)",
        "Bash(coverage:*)",
    ]


def test_skill_metadata_kept_as_string_map() -> None:
    result = _skill("python-flask")
    assert result.frontmatter is not None
    assert result.frontmatter["metadata"] == {"category": "web", "framework-version": "3.x"}
    assert result.frontmatter["license"] == "Apache-2.0"
    assert result.skill_refs == []


def test_skill_without_allowed_tools_has_no_rules() -> None:
    result = _skill("python-data-processing")
    assert result.tool_rules == []
    assert result.frontmatter is not None
    assert "allowed-tools" not in result.frontmatter
