"""HEAD on every GET resource (RFC 9110 §9.3.2): the GET's status and headers, no body.

FastAPI routes declare GET only, so a HEAD was a `405 Method Not Allowed` everywhere: an
orchestrator or proxy asking whether a profile exists, how large it is or what its ETag is had
to fetch it. The app answers a HEAD as the GET it stands for — the same route, cache, ETag and
`If-None-Match` handling, `Content-Length` included — and sends none of the body. The OpenAPI
document lists GET only, as HEAD is implied by it.
"""

from __future__ import annotations

from starlette.types import Message, Scope, Send

# Marks a scope that came in as HEAD, for what reports the method (the request log, /metrics).
HEAD = "registry.head"


def as_get(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """The GET this HEAD stands for, and a `send` that passes the start and drops the body."""

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return {**scope, "method": "GET", HEAD: True}, headers_only


def request_method(scope: Scope) -> str:
    """The method the client sent."""
    return "HEAD" if scope.get(HEAD) else str(scope["method"])
