"""The OpenAPI document as SDKs should see it: every error is problem+json, nothing FastAPI-internal."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.errors import PROBLEM_MEDIA_TYPE
from service.openapi_examples import EXAMPLES

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` with a builder that maps FastAPI's own 422 to our problem schema."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = problem_errors(document)
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


# Answers any operation can give before its handler runs, declared so SDKs expect them.
_MALFORMED = {"description": "Malformed request: a NUL character, or a body that is not UTF-8 JSON"}
_TOO_LARGE = {
    "description": "The body is over REGISTRY_MAX_BODY_BYTES (a skill folder's archive: over"
    " REGISTRY_ARCHIVE_MAX_BYTES); refused before it is read in full"
}
_NO_ROUTE = {"description": "No such route: a path parameter holds a character no route matches"}
_UNAVAILABLE = {
    "description": "Database unavailable (or migrations pending); retry after the header's seconds"
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0},
    }
}
# Only the liveness probe answers without the database.
_NO_DATABASE = frozenset({"healthz"})


def problem_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Every 4xx/5xx response is `application/problem+json` with the Problem schema."""
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", dict(_MALFORMED))
            if operation.get("requestBody"):
                responses.setdefault("413", dict(_TOO_LARGE))
            if "{" in path:
                responses.setdefault("404", dict(_NO_ROUTE))
            if operation.get("operationId") not in _NO_DATABASE:
                responses.setdefault("503", dict(_UNAVAILABLE))["headers"] = _RETRY_AFTER
            for status, response in responses.items():
                if not str(status).startswith(("4", "5")):
                    continue
                response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
                if response.get("description") == "Validation Error":
                    response["description"] = "Invalid request parameters; every problem is listed"
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _add_examples(operation)
    schemas = document.get("components", {}).get("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    return document


def _add_examples(operation: dict[str, Any]) -> None:
    for operation_id, status, media_type, example in EXAMPLES:
        if operation.get("operationId") != operation_id:
            continue
        content = operation.get("responses", {}).get(status, {}).get("content", {})
        if media_type in content:
            content[media_type]["example"] = example
