"""Artifact names: the `[namespace/]name` grammar shared by agents, skills and toolsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NAME_LENGTH = 64
# Anchored with `^…$` so the same text works as an OpenAPI/JSON Schema `pattern`;
# Python callers use `fullmatch`, which ignores the `$`-before-newline quirk.
NAME_REGEX = r"^[a-z0-9][a-z0-9.-]{0,63}$"
NAME_PATTERN: re.Pattern[str] = re.compile(NAME_REGEX)


@dataclass(frozen=True, slots=True)
class Identity:
    """An artifact's full name: its namespace and its name."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


class InvalidName(ValueError):
    """A name or `namespace/name` reference that does not follow the name grammar."""


def name_problem(name: str) -> str | None:
    """Say why `name` is not a valid name part (or namespace), or return None when it is."""
    if NAME_PATTERN.fullmatch(name):
        return None
    if not name:
        return "is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}"
    if not (name[0].isascii() and name[0].isalnum()):
        return f"starts with {name[0]!r}; a name starts with a lowercase letter or digit"
    if any(c.isupper() for c in name):
        return "contains uppercase letters; names are lowercase"
    bad = sorted({c for c in name if not (c in "-." or (c.isascii() and c.isalnum()))})
    shown = ", ".join(repr(c) for c in bad)
    return f"contains {shown}; use lowercase letters, digits, hyphens and dots"


def split_qualified(text: str, default_namespace: str) -> tuple[str, str]:
    """Split `namespace/name` (or a bare `name`, which lives in `default_namespace`)."""
    parts = text.split("/")
    if len(parts) > 2:
        raise InvalidName(f"{text!r} has more than one '/'; write `namespace/name` or `name`")
    if len(parts) == 1:
        namespace, name = default_namespace, parts[0]
    else:
        namespace, name = parts
        if reason := name_problem(namespace):
            raise InvalidName(f"namespace {namespace!r} in {text!r} {reason}")
    if reason := name_problem(name):
        raise InvalidName(f"name {name!r} {reason}")
    return namespace, name
