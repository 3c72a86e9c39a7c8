"""Small builders shared by the format tests."""

from __future__ import annotations

from service.formats.kinds import DocumentKind
from service.formats.validate import ValidatedFile, validate_file


def frontmatter_file(yaml_text: str, body: str = "\nInstructions.\n") -> bytes:
    return f"---\n{yaml_text}\n---\n{body}".encode()


def validate_yaml(
    yaml_text: str,
    kind: DocumentKind = "agent",
    *,
    path_name: str | None = None,
    path_version: str | None = None,
) -> ValidatedFile:
    return validate_file(
        kind, frontmatter_file(yaml_text), path_name=path_name, path_version=path_version
    )


def codes(result: ValidatedFile) -> list[str]:
    return [problem.code for problem in result.problems]


def findings(result: ValidatedFile) -> set[tuple[str, str]]:
    return {(problem.code, problem.loc) for problem in result.problems}
