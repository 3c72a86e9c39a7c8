"""Validation problems: one shape for every check, reported all at once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about a published file.

    `loc` points into the file (`frontmatter.tools[3]`, `body`, `version`), `code` is a stable
    machine code in snake_case, `message` is for humans.
    """

    loc: str
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def as_dict(self) -> dict[str, str]:
        return {
            "loc": self.loc,
            "code": self.code,
            "message": self.message,
            "severity": self.severity.value,
        }


class Findings:
    """`errors` and `warnings` of a result that holds its `problems`."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def error(loc: str, code: str, message: str) -> Problem:
    return Problem(loc, code, message, Severity.ERROR)


def warning(loc: str, code: str, message: str) -> Problem:
    return Problem(loc, code, message, Severity.WARNING)
