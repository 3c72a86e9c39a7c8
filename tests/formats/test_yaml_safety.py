"""Hostile or unusual YAML: bounded, never constructed unsafely, always JSON-safe."""

from __future__ import annotations

import json

import pytest

from service.formats.yamlsafe import MAX_DEPTH, MAX_NODES, load_yaml
from tests.helpers import GENEROUS_SECONDS, within

from .helpers import codes, validate_yaml

BASE = "name: x\ndescription: y\n"


def test_recursive_alias_is_refused() -> None:
    result = validate_yaml(BASE + "loop: &a [*a]")
    assert codes(result) == ["yaml_recursive_alias"]
    assert result.frontmatter is None


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    deep = "[" * 5000 + "]" * 5000
    result = validate_yaml(BASE + f"deep: {deep}")
    assert codes(result) == ["yaml_too_deep"]


def test_nesting_just_inside_the_bound_is_accepted() -> None:
    nested = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    result = validate_yaml(BASE + f"nested: {nested}")
    assert "yaml_too_deep" not in codes(result)
    assert result.frontmatter is not None


def test_aliases_that_nest_deeply_are_refused() -> None:
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, MAX_DEPTH + 5)]
    result = validate_yaml(BASE + "\n".join(lines))
    assert codes(result) == ["yaml_too_deep"]


def test_merge_key_bomb_is_refused_fast() -> None:
    lines = ["l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}"]
    for level in range(1, 9):
        aliases = ", ".join(f"*l{level - 1}" for _ in range(10))
        lines.append(f"l{level}: &l{level} {{<<: [{aliases}]}}")
    # Expanded, this is 10**9 nodes: refused by counting, within a bound far above normal.
    with within(GENEROUS_SECONDS):
        result = validate_yaml(BASE + "\n".join(lines))
    assert codes(result) == ["yaml_alias_bomb"]


def test_many_plain_nodes_are_too_large_not_a_bomb() -> None:
    items = ", ".join(["x"] * (MAX_NODES + 1))
    result = validate_yaml(BASE + f"big: [{items}]")
    assert codes(result) == ["frontmatter_too_large"]


def test_modest_alias_use_is_fine() -> None:
    result = validate_yaml(BASE + "a: &a [Read, Grep]\nb: *a")
    assert result.frontmatter is not None
    assert result.frontmatter["b"] == ["Read", "Grep"]


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['true']",
        "!!python/name:os.system",
        "!!python/object:collections.OrderedDict {}",
        "!custom thing",
    ],
)
def test_unsafe_and_unknown_tags_are_refused(value: str) -> None:
    result = validate_yaml(BASE + f"evil: {value}")
    assert codes(result) == ["yaml_unsupported_tag"]
    assert result.errors[0].loc == "frontmatter"
    assert "line 4" in result.errors[0].message


def test_binary_values_are_refused() -> None:
    result = validate_yaml(BASE + "blob: !!binary aGVsbG8=")
    assert [(p.code, p.loc) for p in result.errors] == [("unsupported_value", "frontmatter.blob")]


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_non_finite_floats_are_refused(value: str) -> None:
    result = validate_yaml(BASE + f"ratio: {value}")
    assert [(p.code, p.loc) for p in result.errors] == [("unsupported_value", "frontmatter.ratio")]


def test_huge_integers_are_refused() -> None:
    result = validate_yaml(BASE + "big: 0x" + "f" * 40)
    assert [(p.code, p.loc) for p in result.errors] == [("unsupported_value", "frontmatter.big")]


def test_dates_sets_and_pairs_become_json() -> None:
    result = validate_yaml(
        BASE
        + "released: 2024-05-01\n"
        + "stamp: 2024-05-01T10:20:30Z\n"
        + "tags: !!set {b, a}\n"
        + "pairs: !!pairs [x: 1, y: 2]\n"
        + "odd_date: 2024-13-45"
    )
    frontmatter = result.frontmatter
    assert frontmatter is not None
    assert frontmatter["released"] == "2024-05-01"
    assert frontmatter["stamp"] == "2024-05-01T10:20:30+00:00"
    assert frontmatter["tags"] == ["a", "b"]
    assert frontmatter["pairs"] == [["x", 1], ["y", 2]]
    assert frontmatter["odd_date"] == "2024-13-45"
    json.dumps(frontmatter, allow_nan=False)


def test_non_string_keys_are_stringified_with_a_warning() -> None:
    result = validate_yaml(BASE + "7: seven\nfalse: no\n~: nothing\nnested: {2: two}")
    assert result.frontmatter is not None
    assert result.frontmatter["7"] == "seven"
    assert result.frontmatter["false"] is False
    assert result.frontmatter["null"] == "nothing"
    assert result.frontmatter["nested"] == {"2": "two"}
    locs = {p.loc for p in result.warnings if p.code == "non_string_key"}
    assert locs == {
        "frontmatter.7",
        "frontmatter.false",
        "frontmatter.null",
        "frontmatter.nested.2",
    }


def test_duplicate_top_level_keys_warn_and_last_wins() -> None:
    result = validate_yaml("name: x\ndescription: first\ndescription: second")
    assert result.frontmatter is not None
    assert result.frontmatter["description"] == "second"
    (duplicate,) = [p for p in result.problems if p.code == "duplicate_key"]
    assert duplicate.loc == "frontmatter.description"
    assert "lines 3, 4" in duplicate.message


def test_empty_frontmatter_reports_missing_fields() -> None:
    result = validate_yaml("")
    assert set(codes(result)) == {"required_field_missing"}
    assert result.frontmatter == {}


def test_scalar_frontmatter_is_not_a_mapping() -> None:
    result = validate_yaml("just a sentence")
    assert codes(result) == ["frontmatter_not_mapping"]


def test_non_printable_characters_are_invalid_yaml() -> None:
    result = validate_yaml("name: x\ndescription: bell\x07")
    assert codes(result) == ["frontmatter_invalid_yaml"]


def test_multiple_documents_are_invalid_yaml() -> None:
    result = validate_yaml("name: x\ndescription: y\n--- extra")
    assert codes(result) == ["frontmatter_invalid_yaml"]


def test_load_yaml_reports_positions_zero_based() -> None:
    loaded = load_yaml("a: 1\nb: [unclosed")
    assert loaded.failure is not None
    assert loaded.failure.code == "frontmatter_invalid_yaml"
    assert loaded.failure.line == 1
    assert loaded.failure.repairable
