"""Parses remembered across files that share them (frontmatter, tool rules): every caller
still gets its own frontmatter, and only parses of usual size are remembered."""

from __future__ import annotations

import pytest

from service.formats import tools
from service.formats.document import read_document
from service.formats.tools import RuleSyntaxError, parse_tool_rule

KEYS = frozenset({"name", "description", "tools"})


def _file(body: str, description: str = "Writes: code") -> bytes:
    # An unquoted `: ` in a value is a YAML syntax error the parser repairs, with a warning.
    return f"---\nname: dev\ndescription: {description}\ntools: [Read, Grep]\n---\n{body}".encode()


def test_a_shared_frontmatter_parses_alike_and_each_caller_owns_its_copy() -> None:
    first = read_document(_file("# One\n"), known_keys=KEYS)
    assert first.frontmatter == {
        "name": "dev",
        "description": "Writes: code",
        "tools": ["Read", "Grep"],
    }
    assert [p.code for p in first.problems] == ["frontmatter_repaired"]
    first.frontmatter["tools"].append("Bash")
    first.problems.clear()

    second = read_document(_file("# Two\n"), known_keys=KEYS)
    assert second.body == "# Two\n"
    assert second.frontmatter == {
        "name": "dev",
        "description": "Writes: code",
        "tools": ["Read", "Grep"],
    }
    assert [p.code for p in second.problems] == ["frontmatter_repaired"]

    other = read_document(_file("# Three\n", "Reads code"), known_keys=KEYS)
    assert other.frontmatter is not None and other.frontmatter["description"] == "Reads code"
    assert other.problems == []


def test_tool_rules_parse_alike_remembered_or_not_and_long_ones_are_not_kept() -> None:
    short, long = "Bash(git diff:*)", "Bash(" + "x" * 2000 + ")"
    assert parse_tool_rule(short) == parse_tool_rule(short)
    assert parse_tool_rule(short).specifier == "git diff:*"
    kept = tools._remembered_rule.cache_info().currsize
    assert parse_tool_rule(long).specifier == "x" * 2000
    assert tools._remembered_rule.cache_info().currsize == kept
    for text in ("Bash(", "Bash(" + "(" * 1500):
        with pytest.raises(RuleSyntaxError, match="unbalanced"):
            parse_tool_rule(text)
