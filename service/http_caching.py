"""HTTP caching helpers shared by the routers: ETag matching and Cache-Control values."""

from __future__ import annotations

from starlette.requests import Request

# The exact published bytes of a version never change (DESIGN §4).
IMMUTABLE = "public, max-age=31536000, immutable"


def etag_matches(request: Request, etag: str) -> bool:
    """`If-None-Match` against a strong ETag, with the weak comparison RFC 9110 §13.1.2 asks for."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates
