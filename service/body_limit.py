"""Every request body is bounded before a route reads it: REGISTRY_MAX_BODY_BYTES, or
REGISTRY_ARCHIVE_MAX_BYTES for a skill folder sent as an archive.

Routes that take JSON (batches, tokens, the OIDC exchange, webhooks) have their body read whole
by the framework before any check of theirs runs; without this bound, as large as a client cared
to send, anonymous clients included. A declared `Content-Length` over the limit is refused before
a byte is read; a body of no declared length is taken up to the limit, then refused or handed
on.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import PayloadTooLarge
from service.problems import problem_response
from service.settings import Settings

ARCHIVE_TYPES = frozenset(
    {"application/gzip", "application/x-gzip", "application/zip", "application/x-zip-compressed"}
)


def media_type(content_type: str) -> str:
    """`text/markdown; charset=utf-8` → `text/markdown`."""
    return content_type.split(";", 1)[0].strip().lower()


def body_limit(settings: Settings, content_type: str) -> int:
    if media_type(content_type) in ARCHIVE_TYPES:
        return settings.archive_max_bytes
    return settings.max_body_bytes


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type, declared = "", None
        for key, value in scope["headers"]:
            if key == b"content-type":
                content_type = value.decode("latin-1")
            elif key == b"content-length":
                declared = value.decode("latin-1")
        limit = body_limit(self.settings, content_type)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            error = PayloadTooLarge(
                f"the body is {declared} bytes; the limit is {limit}", limit=limit
            )
            await problem_response(error, Request(scope))(scope, receive, send)
            return
        if declared is not None:
            # The server delivers no more than the declared length.
            await self.app(scope, receive, send)
            return
        # Chunked (or HTTP/2 without a length): taken here, up to the limit, then handed on.
        taken: list[Message] = []
        received = 0
        while True:
            message = await receive()
            taken.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > limit:
                error = PayloadTooLarge(f"the body is over the limit of {limit} bytes", limit=limit)
                await problem_response(error, Request(scope))(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return taken.pop(0) if taken else await receive()

        await self.app(scope, replay, send)
