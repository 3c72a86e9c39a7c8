"""Logs: one line per request (request id, route, status, latency, actor), JSON for machines,
readable text on a terminal; the request id is echoed to the client."""

from __future__ import annotations

import itertools
import json
import logging
import os
import sys
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.head_requests import request_method

ACCESS_LOGGER = "service.access"
log = logging.getLogger(ACCESS_LOGGER)
REQUEST_ID_HEADER = "x-request-id"


class _RequestIds:
    """Generated request ids: 32 hex digits, a random per-process prefix and a counter (a
    fraction of what `uuid4()` costs on every request); the prefix is drawn again in a forked
    child so that workers never share one."""

    def __init__(self) -> None:
        self.reseed()
        os.register_at_fork(after_in_child=self.reseed)

    def reseed(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(int.from_bytes(os.urandom(4)))

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


_ids = _RequestIds()


def request_id(scope: Scope) -> str:
    """The client's `X-Request-ID` (printable, at most 128 characters), else a new one."""
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            incoming: str = value.decode("latin-1")
            if 0 < len(incoming) <= 128 and incoming.isprintable():
                return incoming
            break
    return _ids.next()


def log_request(scope: Scope, request_id: str, status: int, seconds: float) -> None:
    """The access-log line and the request metrics of one answer. The record is built directly
    (no `findCaller` stack walk per request: the formatters print no source location)."""
    route = _route(scope)
    if log.isEnabledFor(logging.INFO):
        state: dict[str, Any] = scope.get("state", {})
        fields = {
            "request_id": request_id,
            "method": request_method(scope),
            "path": scope["path"],
            "route": route,
            "status": status,
            "ms": round(seconds * 1000, 2),
            # Set by authentication when a token is used (DESIGN §6).
            "actor": state.get("actor", "anonymous"),
        }
        record = log.makeRecord(
            ACCESS_LOGGER, logging.INFO, __file__, 0, "request", (), None, extra={"fields": fields}
        )
        log.handle(record)
    app_state = getattr(scope.get("app", None), "state", None)
    if app_state is not None and hasattr(app_state, "metrics"):
        app_state.metrics.observe(request_method(scope), route, status, seconds)


class JsonFormatter(logging.Formatter):
    _second = -1
    _stamp = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # the stamp has a resolution of one second
            self._stamp = self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
            self._second = second
        entry: dict[str, object] = {
            "time": self._stamp,
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TerminalFormatter(logging.Formatter):
    """`12:00:01 info  GET /v1/search 200 12.3 ms request_id=… route=…` for people."""

    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", None) or {})
        message = record.getMessage()
        if record.name == ACCESS_LOGGER and {"method", "path", "status", "ms"} <= fields.keys():
            message = f"{fields.pop('method')} {fields.pop('path')} {fields.pop('status')}"
            message += f" {fields.pop('ms')} ms"
        extra = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname.lower():<5} {message}"
        line += f"  {extra}" if extra else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(level: str, *, terminal: bool | None = None) -> None:
    """JSON lines, or readable lines when stderr is a terminal (`terminal` forces either)."""
    handler = logging.StreamHandler()
    readable = sys.stderr.isatty() if terminal is None else terminal
    handler.setFormatter(TerminalFormatter() if readable else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pgserver narrates every initdb/pg_ctl call at INFO; its warnings still come through.
    logging.getLogger("pgserver").setLevel(max(logging.WARNING, root.level))


class RequestLogMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): adds X-Request-ID and logs status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log_request(scope, rid, status, time.perf_counter() - started)


def _route(scope: Scope) -> str:
    """The route template (`/v1/profiles/{spec}`), so logs and metrics group by endpoint; a
    request no route matched is `unmatched` (its path is still logged)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
