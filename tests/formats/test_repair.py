"""Repair of frontmatter that strict YAML refuses but Claude Code loads."""

from __future__ import annotations

import pytest

from service.formats.repair import repair_frontmatter

from .helpers import findings, validate_yaml

REPAIRED = "frontmatter_repaired"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*Important* reviewer", "*Important* reviewer"),
        ("@security team reviewer", "@security team reviewer"),
        ("`code` reviewer", "`code` reviewer"),
        ("%TEMP% cleaner", "%TEMP% cleaner"),
        ("> senior reviewer", "> senior reviewer"),
        ("Use when: reviewing", "Use when: reviewing"),
        ("Ends with a colon:", "Ends with a colon:"),
        ('He said "hi": C:\\path\\n\tdone', 'He said "hi": C:\\path\\n\tdone'),
        ("Unicode: café — ü \u2028 sep \x85 nel", "Unicode: café — ü \u2028 sep \x85 nel"),
    ],
)
def test_single_line_value_is_read_exactly_as_written(value: str, expected: str) -> None:
    result = validate_yaml(f"name: x\ndescription: {value}")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == expected
    assert findings(result) == {(REPAIRED, "frontmatter.description")}


def test_only_the_broken_entry_is_rewritten() -> None:
    result = validate_yaml(
        "name: x\ndescription: Triggers: a, b\ntools: [Read, Grep]\nmaxTurns: 3\nmetadata:\n  k: v"
    )
    assert result.frontmatter == {
        "name": "x",
        "description": "Triggers: a, b",
        "tools": ["Read", "Grep"],
        "maxTurns": 3,
        "metadata": {"k": "v"},
    }
    assert [rule.tool for rule in result.tool_rules] == ["Read", "Grep"]


def test_continuation_lines_fold_like_yaml() -> None:
    result = validate_yaml(
        "name: x\ndescription: First line: one\nsecond line\n\nnew paragraph\n  indented\ncolor: red"
    )
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == (
        "First line: one second line\nnew paragraph indented"
    )
    assert result.frontmatter["color"] == "red"
    assert "lines 3-7" in result.warnings[0].message


def test_unknown_key_lines_inside_an_example_stay_in_the_description() -> None:
    result = validate_yaml(
        "name: x\ndescription: Use it. Examples:\n<example>\nContext: setup\n"
        'user: "go"\nassistant: "going"\n</example>\nuser-facing: true'
    )
    frontmatter = result.frontmatter
    assert frontmatter is not None
    assert frontmatter["description"] == (
        'Use it. Examples: <example> Context: setup user: "go" assistant: "going" </example>'
    )
    assert frontmatter["user-facing"] is True
    assert findings(result) == {
        (REPAIRED, "frontmatter.description"),
        ("unknown_field", "frontmatter.user-facing"),
    }


def test_documented_field_inside_an_unclosed_example_ends_the_description() -> None:
    result = validate_yaml("name: x\ndescription: Use it: <example>\nuser: hi\nmodel: haiku")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == "Use it: <example> user: hi"
    assert result.frontmatter["model"] == "haiku"


def test_literal_block_with_unindented_lines_keeps_line_breaks() -> None:
    result = validate_yaml("name: x\ndescription: |\nline one: a\nline two\ntools: Read")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == "line one: a\nline two\n"
    assert result.frontmatter["tools"] == "Read"


def test_broken_nested_collection_is_not_repaired() -> None:
    result = validate_yaml("name: x\ndescription: d\nhooks:\n  Stop: [unclosed")
    assert [(p.code, p.loc) for p in result.problems] == [
        ("frontmatter_invalid_yaml", "frontmatter")
    ]
    # The list is still open when the frontmatter ends, at the closing `---` on line 6.
    assert "line 6, column 1" in result.errors[0].message
    assert result.frontmatter is None


def test_tab_indented_mapping_is_not_repaired() -> None:
    result = validate_yaml("name: x\ndescription: d\nmetadata:\n\tkey: v")
    assert [p.code for p in result.problems] == ["frontmatter_invalid_yaml"]
    assert "'\\t'" in result.errors[0].message
    assert "line 5, column 1" in result.errors[0].message


def test_text_before_the_first_key_is_not_repaired() -> None:
    result = validate_yaml(": nothing\nname: x\ndescription: d")
    assert [p.code for p in result.problems] == ["frontmatter_invalid_yaml"]
    assert "line 2, column 1" in result.errors[0].message


def test_unindented_list_lines_fold_into_a_broken_description() -> None:
    result = validate_yaml("name: x\ndescription: Use for: reviews\n- bugs\n- style")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == "Use for: reviews - bugs - style"


def test_valid_yaml_is_never_repaired() -> None:
    assert repair_frontmatter("name: x\ndescription: fine", frozenset({"name"})) is None
    result = validate_yaml("name: x\ndescription: 'quoted: fine'\ntools: Read, Grep")
    assert result.problems == []


def test_repaired_text_is_not_what_gets_stored() -> None:
    data = b"---\nname: x\ndescription: a: b\n---\nbody\n"
    from service.formats.validate import validate_file

    result = validate_file("agent", data)
    assert result.body == "body\n"
    assert data == b"---\nname: x\ndescription: a: b\n---\nbody\n"


def test_refusal_hidden_behind_a_syntax_error_is_reported_at_its_file_line() -> None:
    result = validate_yaml(
        "name: x\ndescription: a: b\nfolded\nlines\nevil: !!python/object/apply:os.system ['true']"
    )
    assert [p.code for p in result.problems] == ["yaml_unsupported_tag"]
    assert "line 6, column 7" in result.errors[0].message


def test_line_numbers_after_a_repair_still_match_the_file() -> None:
    result = validate_yaml("name: x\ndescription: a: b\nmore text\ncolor: red\ncolor: blue")
    (duplicate,) = [p for p in result.problems if p.code == "duplicate_key"]
    assert "lines 5, 6" in duplicate.message
