"""HTTP caching helpers shared by the routers: ETag matching and Cache-Control values."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from starlette.requests import Request

from service.settings import Settings

# The exact published bytes of a version never change (DESIGN §4).
IMMUTABLE = "public, max-age=31536000, immutable"


def etag_matches(request: Request, etag: str) -> bool:
    """`If-None-Match` against a strong ETag, with the weak comparison RFC 9110 §13.1.2 asks for;
    several field lines are one list (RFC 9110 §5.3)."""
    lines = request.headers.getlist("if-none-match")
    return bool(lines) and etag_matches_header(", ".join(lines), etag)


def etag_matches_header(header: str, etag: str) -> bool:
    """An `If-None-Match` value against a strong ETag (weak comparison)."""
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


def strong_etag(body: bytes, *variant: str) -> str:
    """A strong validator that changes whenever the body or anything the answer varies on
    (format, version, lifecycle state, `?resolve`) does: a 304 is never given for other bytes."""
    digest = hashlib.sha256()
    for part in variant:
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(body)
    return f'"{digest.hexdigest()[:40]}"'


def revalidated(settings: Settings, *, moving: bool) -> str:
    """Cache-Control for answers that carry lifecycle state: cacheable, revalidated cheaply."""
    max_age = settings.profile_moving_max_age if moving else settings.profile_max_age
    return (
        f"public, max-age={max_age},"
        f" stale-while-revalidate={settings.profile_stale_while_revalidate},"
        f" stale-if-error={settings.profile_stale_if_error}"
    )


def deprecation_header(deprecated_at: dt.datetime) -> str:
    """RFC 9745 `Deprecation`: a structured-field Date, `@` and Unix seconds."""
    return f"@{int(deprecated_at.timestamp())}"


def warning(code: int, text: str) -> str:
    """One RFC 7234 `Warning` value; the text ASCII-escaped as a quoted string."""
    return f"{code} - {json.dumps(text)}"


STALE = warning(110, "Response is Stale")
