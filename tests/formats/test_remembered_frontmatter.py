"""Frontmatter is remembered across files that share it: every caller still gets its own."""

from __future__ import annotations

from service.formats.document import read_document

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
