"""Map every error to application/problem+json (RFC 9457), once, for the whole app."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from asyncpg import InterfaceError, PostgresError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from service.db.faults import database_unavailable, read_only_mirror
from service.errors import (
    PROBLEM_MEDIA_TYPE,
    BadRequest,
    DatabaseUnavailable,
    InvalidCharacter,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ReadOnlyMirror,
    RegistryError,
    RequestInvalid,
    UnsupportedMediaType,
)
from service.formats.problems import error as error_item
from service.schemas import Problem

log = logging.getLogger("service.errors")

_STATUS_DESCRIPTIONS = {
    400: "Malformed request",
    401: "No usable bearer token (missing, malformed, unknown, expired or revoked)",
    403: "The token lacks the namespace or the permission",
    404: "Not found",
    409: "Conflict with what is already stored",
    413: "Body larger than the configured maximum",
    415: "Body is not in an accepted media type",
    422: "Invalid file or request; every problem is listed",
    429: "Too many failed authentication attempts from this address; see Retry-After",
    503: "Not ready: database unreachable or migrations pending",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Declare problem+json error responses so the OpenAPI document and SDKs know them."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": _STATUS_DESCRIPTIONS[status],
        }
        for status in statuses
    }


def problem_response(
    error: RegistryError, request: Request, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one way an error becomes a response: `error.to_problem()` as problem+json."""
    merged = dict(headers or {}) | error.headers
    if error.status == 503:
        # Every 503 here passes by itself (database back, migrations applied): say when to retry.
        merged["Retry-After"] = str(request.app.state.settings.retry_after_seconds)
    instance = request.url.path if error.echo_instance else None
    return JSONResponse(
        error.to_problem(instance=instance),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=merged or None,
    )


def database_unavailable_response(request: Request, exc: BaseException) -> JSONResponse:
    """503 for an outage: one structured log line, no traceback (it says nothing new)."""
    error = DatabaseUnavailable("the database is not reachable; retry shortly")
    route = request.scope.get("route")
    log.warning(
        "database unavailable",
        extra={
            "fields": {
                "code": error.code,
                "route": getattr(route, "path", request.url.path),
                "method": request.method,
                "request_id": request.scope.get("state", {}).get("request_id"),
                "error": type(exc).__name__,
            }
        },
    )
    return problem_response(error, request)


async def _registry_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryError)
    return problem_response(exc, request)


async def _request_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        error_item(
            ".".join(str(part) for part in item.get("loc", ())),
            str(item.get("type", "invalid")),
            str(item.get("msg", "invalid")),
        ).as_dict()
        for item in exc.errors()
    ]
    return problem_response(
        RequestInvalid(f"{len(errors)} problem(s) in the request", errors=errors), request
    )


@functools.cache
def http_error_class(status: int) -> type[RegistryError]:
    """The RegistryError for a status the router raises itself (404, 405) or any other."""
    known: dict[int, type[RegistryError]] = {
        400: BadRequest,
        404: NotFound,
        405: MethodNotAllowed,
        413: PayloadTooLarge,
        415: UnsupportedMediaType,
        422: RequestInvalid,
    }
    if status in known:
        return known[status]
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "HTTP error"
    return type(
        f"HttpError{status}",
        (RegistryError,),
        {"status": status, "code": "http_error", "title": title},
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    error_class = http_error_class(exc.status_code)
    return problem_response(error_class(str(exc.detail)), request, exc.headers)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if read_only_mirror(exc):
        return problem_response(
            ReadOnlyMirror("this registry follows another one; publish to the source instead"),
            request,
        )
    if database_unavailable(exc):
        return database_unavailable_response(request, exc)
    return await _unexpected(request, exc)


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client went away (or was cut off as too slow) mid-body: nobody reads an answer."""
    log.info(
        "client disconnected",
        extra={"fields": {"route": request.url.path, "method": request.method}},
    )
    return Response(status_code=400)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The driver's message can carry SQL and values: log it with its trace, never send it.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        RegistryError("an unexpected error occurred; it has been logged"), request
    )


class NulGuardMiddleware:
    """Refuse a NUL in the path or query before any handler: no name, version or search holds one,
    and PostgreSQL text cannot store it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
                error = InvalidCharacter("the path or query contains a NUL character")
                await problem_response(error, Request(scope))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RegistryError, _registry_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Handled here (not by the catch-all, which re-raises into the server's own traceback log).
    for database_error in (DBAPIError, SQLAlchemyError, OSError, PostgresError, InterfaceError):
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(Exception, _unexpected)
