"""Reading the committed OpenAPI document (openapi/openapi.json) in tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "openapi" / "openapi.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"


@cache
def load() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return document


def operations(document: dict[str, Any] | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation in the document."""
    for path, item in (document or load()).get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def operation(operation_id: str) -> tuple[str, str, dict[str, Any]] | None:
    for path, method, op in operations():
        if op.get("operationId") == operation_id:
            return path, method, op
    return None


def error_responses(
    document: dict[str, Any] | None = None,
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(path, method, status, response) for every declared 4xx/5xx (and 4XX/5XX) response."""
    for path, method, op in operations(document):
        for status, response in op.get("responses", {}).items():
            if status[:1] in {"4", "5"}:
                yield path, method, status, response


def problem_violation(response: dict[str, Any]) -> str | None:
    """Why a declared error response is not `application/problem+json` with the Problem schema."""
    content = response.get("content") or {}
    media = content.get(PROBLEM_MEDIA_TYPE)
    if media is None:
        return f"no {PROBLEM_MEDIA_TYPE} (declares {sorted(content) or 'no content'})"
    if (media.get("schema") or {}).get("$ref") != PROBLEM_REF:
        return f"{PROBLEM_MEDIA_TYPE} has schema {media.get('schema')!r}, not {PROBLEM_REF}"
    others = sorted(set(content) - {PROBLEM_MEDIA_TYPE})
    if others:
        return f"also declares {others}: the service only sends {PROBLEM_MEDIA_TYPE}"
    return None
