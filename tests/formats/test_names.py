"""The `[namespace/]name` grammar."""

from __future__ import annotations

import pytest

from service.formats.names import NAME_PATTERN, InvalidName, name_problem, split_qualified


@pytest.mark.parametrize(
    "name",
    ["a", "dev-python", "powershell-5.1-expert", "0day", "x" * 64, "a.b.c", "trailing-"],
)
def test_valid_names(name: str) -> None:
    assert name_problem(name) is None
    assert NAME_PATTERN.fullmatch(name)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "is empty"),
        ("x" * 65, "65 characters"),
        ("-lead", "starts with '-'"),
        (".hidden", "starts with '.'"),
        ("Dev-Python", "uppercase"),
        ("snake_case", "'_'"),
        ("with space", "' '"),
        ("plugin:name", "':'"),
        ("café", "'é'"),
        ("name\n", "'\\n'"),
    ],
)
def test_invalid_names_say_why(name: str, fragment: str) -> None:
    reason = name_problem(name)
    assert reason is not None
    assert fragment in reason
    assert not NAME_PATTERN.fullmatch(name)


def test_split_bare_name_uses_default_namespace() -> None:
    assert split_qualified("dev-python", "default") == ("default", "dev-python")


def test_split_qualified_name() -> None:
    assert split_qualified("team/dev-python", "default") == ("team", "dev-python")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a/b/c", "more than one '/'"),
        ("/name", "namespace ''"),
        ("Team/name", "namespace 'Team'"),
        ("team/", "name ''"),
        ("team/Bad", "uppercase"),
    ],
)
def test_split_rejects_malformed_references(text: str, fragment: str) -> None:
    with pytest.raises(InvalidName) as raised:
        split_qualified(text, "default")
    assert fragment in str(raised.value)
    assert isinstance(raised.value, ValueError)
