"""Walk the committed OpenAPI document: it is the app's, complete, and every error is problem+json.

The document is the contract the SDKs are generated from (DESIGN §8), so what it says must be
exactly what the service does: same routes, stable unique operationIds, and every declared error
response typed as RFC 9457 `application/problem+json` with the `Problem` schema — the only error
body the service sends (service/problems.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from service import openapi as openapi_module
from service.app import create_app
from service.settings import Settings
from tests.contract import document

# The framework's own pages: served, deliberately not operations of the API.
DOCUMENTATION_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
# The web catalogue's HTML pages and assets: for people, deliberately not API operations.
CATALOGUE_PAGES = re.compile(r"/$|/ui(/|$)")
FASTAPI_VALIDATION_SCHEMAS = {"HTTPValidationError", "ValidationError"}


def _app_routes() -> Iterator[tuple[str, set[str], bool]]:
    """(path template, methods, include_in_schema) of every route the app serves."""
    app = create_app(Settings(database_url=None))
    try:  # FastAPI ≥ 0.16x nests included routers; this walks them
        from fastapi.routing import iter_route_contexts

        routes: Any = iter_route_contexts(app.routes)
    except ImportError:  # older FastAPI: a flat list
        routes = app.routes
    for route in routes:
        path = getattr(route, "path", None)
        if path is None:
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", path)  # {name:path} is {name} in the document
        methods = {m.lower() for m in (getattr(route, "methods", None) or ())} - {"head"}
        yield path, methods, bool(getattr(route, "include_in_schema", True))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_committed_document_is_the_apps() -> None:
    committed = document.DOCUMENT.read_text(encoding="utf-8")
    assert committed == openapi_module.render(), (
        "openapi/openapi.json differs from the app: run `python -m service.openapi --write`, then "
        "`scripts/generate-clients`, and commit all three"
    )


def test_every_operation_has_a_unique_operation_id() -> None:
    ids = [op.get("operationId") for _, _, op in document.operations()]
    missing = [
        f"{m.upper()} {p}" for p, m, op in document.operations() if not op.get("operationId")
    ]
    assert not missing, f"operations without an operationId: {missing}"
    duplicated = sorted(i for i, count in Counter(ids).items() if count > 1)
    assert not duplicated, f"operationIds used more than once: {duplicated}"
    # The generated SDK function names come from them: keep them snake_case identifiers.
    odd = [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9_]*", str(i))]
    assert not odd, f"operationIds that are not snake_case identifiers: {odd}"


def test_every_route_of_the_app_is_in_the_document_and_back() -> None:
    declared = {(p, m) for p, m, _ in document.operations()}
    served: set[tuple[str, str]] = set()
    hidden: list[str] = []
    for path, methods, in_schema in _app_routes():
        if path in DOCUMENTATION_ROUTES or CATALOGUE_PAGES.match(path):
            continue
        if not in_schema:
            hidden.append(f"{sorted(methods)} {path}")
        served |= {(path, method) for method in methods}
    assert not hidden, f"routes left out of the OpenAPI document: {hidden}"
    undocumented = sorted(f"{m.upper()} {p}" for p, m in served - declared)
    assert not undocumented, f"served but not in openapi.json: {undocumented}"
    unserved = sorted(f"{m.upper()} {p}" for p, m in declared - served)
    assert not unserved, f"in openapi.json but not served: {unserved}"


def test_every_path_parameter_is_declared() -> None:
    problems = []
    for path, method, op in document.operations():
        template = set(re.findall(r"\{(\w+)\}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
        if template != declared:
            problems.append(f"{method.upper()} {path}: template {template}, declared {declared}")
    assert not problems, problems


def test_every_reference_resolves() -> None:
    loaded = document.load()
    schemas = loaded.get("components", {}).get("schemas", {})
    broken = sorted(
        ref
        for ref in set(_refs(loaded))
        if not (ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas)
    )
    assert not broken, f"unresolvable $refs: {broken}"


def test_every_operation_declares_a_success_response() -> None:
    missing = [
        f"{m.upper()} {p}"
        for p, m, op in document.operations()
        if not any(status.startswith(("2", "3")) for status in op.get("responses", {}))
    ]
    assert not missing, f"operations with no 2xx/3xx response: {missing}"


def test_every_error_response_is_problem_json_with_the_problem_schema() -> None:
    """Generated SDKs parse errors only through the schema declared for the media type sent.

    (Caught once: errors declared as `application/problem+json: {}` with the Problem schema
    under application/json, which the service never sends — the Python client returned
    parsed=None, the TypeScript types said `unknown`.)
    """
    violations = [
        f"{m.upper()} {p} {status}: {why}"
        for p, m, status, response in document.error_responses()
        if (why := document.problem_violation(response))
    ]
    assert not violations, f"{len(violations)} error responses:\n" + "\n".join(violations)


def test_no_fastapi_validation_error_responses() -> None:
    """FastAPI adds `422: HTTPValidationError` to operations with parameters unless told otherwise;
    the service answers those requests with a `request_invalid` Problem instead."""
    offenders = [
        f"{m.upper()} {p} {status}"
        for p, m, status, response in document.error_responses()
        if set(_refs(response)) & {f"#/components/schemas/{s}" for s in FASTAPI_VALIDATION_SCHEMAS}
    ]
    assert not offenders, (
        f"{len(offenders)} responses use FastAPI's HTTPValidationError: {offenders}"
    )
    leftover = FASTAPI_VALIDATION_SCHEMAS & set(document.load()["components"]["schemas"])
    assert not leftover, f"unused FastAPI schemas in components: {sorted(leftover)}"
