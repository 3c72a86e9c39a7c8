"""Headers of a profile answer, shared by the route and the fast path (service.profiles.fastpath),
so a cache hit answers exactly what the route would."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from urllib.parse import urlencode

from service.http_caching import STALE, deprecation_header, revalidated, warning
from service.profiles.cache import Format
from service.settings import Settings

MEDIA: dict[Format, str] = {"json": "application/json", "markdown": "text/markdown; charset=utf-8"}


def negotiate_accept(accept: str) -> Format:
    """`Accept` to a format: markdown only when asked for and JSON is not."""
    if "text/markdown" in accept and "application/json" not in accept:
        return "markdown"
    return "json"


class ProfileState(Protocol):
    """What the headers of an answer depend on (a `ServedProfile` or a `CachedProfile`)."""

    @property
    def version(self) -> str: ...
    @property
    def etag(self) -> str: ...
    @property
    def moving(self) -> bool: ...
    @property
    def yanked(self) -> bool: ...
    @property
    def yank_reason(self) -> str | None: ...
    @property
    def deprecated(self) -> str | None: ...
    @property
    def deprecated_at(self) -> dt.datetime | None: ...


def profile_headers(
    namespace: str,
    name: str,
    state: ProfileState,
    output: Format,
    *,
    exact: bool,
    settings: Settings,
    resolve: str | None,
    stale: bool,
) -> dict[str, str]:
    """Headers of a profile answer, 200 and 304 alike (the route and the fast path share them)."""
    headers = {
        "ETag": state.etag,
        "Vary": "Accept",
        "Cache-Control": revalidated(settings, moving=state.moving),
    }
    warnings = [STALE] if stale else []
    if state.yanked:
        reason = f": {state.yank_reason}" if state.yank_reason else ""
        warnings.append(warning(299, f"yanked{reason}"))
    if state.deprecated is not None:
        warnings.append(warning(299, f"deprecated: {state.deprecated}"))
        if state.deprecated_at is not None:
            headers["Deprecation"] = deprecation_header(state.deprecated_at)
    if warnings:
        headers["Warning"] = ", ".join(warnings)
    if not exact:
        query: dict[str, str] = {"format": output} if output != "json" else {}
        if resolve is not None:
            query["resolve"] = resolve
        location = f"/v1/profiles/{namespace}/{name}@{state.version}"
        headers["Content-Location"] = location + (f"?{urlencode(query)}" if query else "")
    return headers
