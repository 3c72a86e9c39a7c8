"""The hot path of `GET /v1/profiles/{spec}`: a warm answer straight from the profile cache.

Orchestrators fetch the same few profiles at a high rate. A request this process answered
before (same namespace, name, ref text and format) is served here, in front of routing:
no ORM session, no dependency injection, no serialisation, no signing — the bytes, headers and
signature were prepared once, and `If-None-Match` is compared before anything else. Everything
else (a miss, `?resolve=latest`, any other query, a database outage, a caller the token memo
does not know) goes on to the route, which does the full work and fills the cache.

Entries stay coherent through `LISTEN/NOTIFY` (service.profiles.invalidation), and an entry
older than `REGISTRY_PROFILE_CACHE_TTL` seconds is never served from here (the backstop should
a notice be lost). With `REGISTRY_ANONYMOUS_READ=false` a hit is served only to a bearer token
the route authenticated within `REGISTRY_READ_TOKEN_CACHE_SECONDS` and that may read the
namespace; anyone else goes through the route's full check.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.tokens import Principal
from service.db.faults import OutageMemory, database_unavailable
from service.formats import names
from service.http_caching import etag_matches_header
from service.logs import log_request, request_id
from service.profiles.cache import CachedProfile, Format, ProfileCache, ProfileKey, RawHeaders
from service.profiles.headers import MEDIA, negotiate_accept, profile_headers
from service.profiles.repository import profile_etag, stored_exact
from service.resolution.refs import (
    MAX_REF_LENGTH,
    ExactRef,
    InvalidRef,
    parse_ref,
    split_name_ref,
)
from service.settings import Settings
from service.signing.signer import SIGNATURE_HEADER

PREFIX = "/v1/profiles/"
SIGNATURE = "/signature"  # `/v1/profiles/{spec}/signature` (service.profiles.signature)
log = logging.getLogger("service.profiles.fastpath")
# How long the others are served an expired entry while one request reads it again.
REFRESH_SECONDS = 1.0
# How long a miss waits for another request already reading the same answer (see `_Flights`).
FLIGHT_WAIT_SECONDS = 5.0
# What logs and metrics read from `scope["route"]` (service.logs): the route's template.
ROUTE = SimpleNamespace(path=PREFIX + "{spec:path}")
_FORMATS: dict[bytes, Format] = {
    b"": "json",
    b"format=json": "json",
    b"format=markdown": "markdown",
}


def profile_key(spec: str, output: Format, default_namespace: str) -> ProfileKey | None:
    """The cache key of a request, or None when the spec does not parse (the route says why)."""
    try:
        qualified, ref = split_name_ref(spec)
        namespace, name = names.split_qualified(qualified, default_namespace)
    except (InvalidRef, names.InvalidName):
        return None
    if (ref is not None and "/" in ref) or spec.endswith(SIGNATURE):
        # A sub-resource (`…@1.0.0/signature`, `tester/signature`): the routes' business.
        return None
    return ProfileKey(namespace, name, ref or "latest", output)


def is_exact(ref_text: str) -> bool:
    # Only refs that can be one are remembered: the URL may hold any length of text.
    return len(ref_text) <= MAX_REF_LENGTH and _is_exact(ref_text)


@functools.lru_cache(maxsize=4096)
def _is_exact(ref_text: str) -> bool:
    try:
        return isinstance(parse_ref(ref_text), ExactRef)
    except InvalidRef:
        return False


def _field(scope: Scope, name: bytes) -> str:
    """A header's field lines as one list (RFC 9110 §5.3), as the route reads it."""
    return ", ".join(value.decode("latin-1") for key, value in scope["headers"] if key == name)


@dataclass(slots=True)
class _Remembered:
    principal: Principal
    until: float


class ReadTokens:
    """Bearer tokens the route authenticated for a read, remembered for a few seconds (never past
    the token's expiry) so that a cache hit can be served without a database lookup. Only a
    digest of the header is kept."""

    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._known: dict[bytes, _Remembered] = {}

    @staticmethod
    def _digest(header: str | bytes) -> bytes:
        raw = header.encode("latin-1") if isinstance(header, str) else header
        return hashlib.sha256(raw).digest()

    def remember(self, header: str, principal: Principal) -> None:
        if self.seconds <= 0:
            return
        if len(self._known) >= self.max_entries:
            self._known.clear()
        now = time.monotonic()
        until = now + self.seconds
        if principal.expires_at is not None:
            left = (principal.expires_at - dt.datetime.now(dt.UTC)).total_seconds()
            until = min(until, now + left)
        self._known[self._digest(header)] = _Remembered(principal, until)

    def principal(self, header: bytes) -> Principal | None:
        known = self._known.get(self._digest(header))
        if known is None:
            return None
        if known.until < time.monotonic():
            del self._known[self._digest(header)]
            return None
        return known.principal

    def clear(self) -> None:
        self._known.clear()


class _Flights:
    """Misses being read right now, by key: one request reads an answer (here or through the
    route, which fills the cache), the others that miss the same key meanwhile wait for it and
    are then served from the cache. Without this, a hot tag or range dropped by a publish is
    built by every connection at once (32 concurrent route builds: p99 of 400–600 ms)."""

    def __init__(self) -> None:
        self._reading: dict[ProfileKey, asyncio.Event] = {}

    def lead(self, key: ProfileKey) -> asyncio.Event | None:
        """The event to set once read, when this request reads it; None when another does."""
        if key in self._reading:
            return None
        done = self._reading[key] = asyncio.Event()
        return done

    async def wait(self, key: ProfileKey) -> None:
        done = self._reading.get(key)
        if done is not None:
            # Bounded: a reader stuck on the database must not hold the others for longer.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), FLIGHT_WAIT_SECONDS)

    def finish(self, key: ProfileKey, done: asyncio.Event) -> None:
        if self._reading.get(key) is done:
            del self._reading[key]
        done.set()


Answer = tuple[int, RawHeaders, bytes]


@dataclass(slots=True)
class _Lead:
    """A miss this request reads for the others, through the route: `done` is set after."""

    key: ProfileKey
    done: asyncio.Event


class ProfileFastPath:
    """Pure ASGI: answers cache hits, passes everything else on to `app`.

    `front=True`: in front of the whole application (service.app.RegistryApp), so a hit skips
    every middleware layer, and this does for its own answers what the request-log middleware
    does for the others (`X-Request-ID`, the access-log line, metrics). `front=False`: the
    innermost middleware (with tracing on, so that hits still get their span), where that
    middleware does it."""

    def __init__(self, app: ASGIApp, *, front: bool = False) -> None:
        self.app = app
        self.front = front
        self.flights = _Flights()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        outcome = await self._serve(scope)
        if outcome is None:
            await self.app(scope, receive, send)
        elif isinstance(outcome, _Lead):
            try:
                await self.app(scope, receive, send)
            finally:
                self.flights.finish(outcome.key, outcome.done)
        elif self.front:
            status, headers, body = outcome
            rid = request_id(scope)
            start = [*headers, (b"x-request-id", rid.encode("latin-1"))]
            try:
                await send({"type": "http.response.start", "status": status, "headers": start})
                await send({"type": "http.response.body", "body": body})
            finally:
                log_request(scope, rid, status, time.perf_counter() - started)
        else:
            status, headers, body = outcome
            # A list of its own: the kept headers are a tuple, and middleware may append.
            await send({"type": "http.response.start", "status": status, "headers": list(headers)})
            await send({"type": "http.response.body", "body": body})

    async def _serve(self, scope: Scope) -> Answer | _Lead | None:
        """The answer from memory; None: the route's; a `_Lead`: the route's, and the others
        missing this key wait until it has answered (and filled the cache)."""
        state = scope["app"].state
        cache: ProfileCache | None = getattr(state, "profile_cache", None)
        settings: Settings = state.settings
        if cache is None:
            return None
        requested = _FORMATS.get(scope["query_string"])
        if requested is None:
            return None  # ?resolve=latest, or anything the route should judge
        headers = dict(scope["headers"])
        if not scope["query_string"]:
            requested = negotiate_accept(_field(scope, b"accept"))
        key = profile_key(scope["path"][len(PREFIX) :], requested, settings.default_namespace)
        if key is None:
            return None
        outage: OutageMemory = state.outage
        if outage.recent or not cache.listening:
            # The route marks answers from memory as stale; without the listener, notices
            # may be missed, so nothing is served or cached from here meanwhile.
            cache.misses += 1
            return None
        if not settings.anonymous_read:
            authorization = headers.get(b"authorization")
            tokens: ReadTokens = state.read_tokens
            principal = tokens.principal(authorization) if authorization else None
            client = scope.get("client")
            blocked = state.failed_logins.blocked_for(client[0] if client else "unknown")
            if principal is None or blocked is not None or not principal.can("read", key.namespace):
                return None  # the route authenticates, refuses (429 too) and audits as usual
            scope.setdefault("state", {})["actor"] = principal.name
        entry = cache.get(key)
        now = time.monotonic()
        if entry is not None and now - entry.stored_at > settings.profile_cache_ttl:
            if entry.refreshing_until > now:
                pass  # another request is reading it again: this one is served meanwhile
            else:
                cache.refreshing(key, entry, now + REFRESH_SECONDS)
                entry = None  # this request refreshes it (here or through the route)
        if entry is None:
            cache.misses += 1
            entry, done = await self._miss(state, cache, key)
            if entry is None:
                return _Lead(key, done) if done is not None else None
        else:
            cache.hits += 1
        ok, not_modified = entry.ok_headers, entry.not_modified_headers
        if ok is None or not_modified is None:
            ok, not_modified = self._prepare(scope, cache, key, entry, settings)
        scope["route"] = ROUTE  # logs and metrics group it with the route's answers
        if b"if-none-match" in headers and etag_matches_header(
            _field(scope, b"if-none-match"), entry.etag
        ):
            return 304, not_modified, b""
        return 200, ok, entry.body

    async def _miss(
        self, state: Any, cache: ProfileCache, key: ProfileKey
    ) -> tuple[CachedProfile | None, asyncio.Event | None]:
        """A miss: the entry read now, else (None, the event to set once the route has answered)
        when this request leads the read for others, else (None, None)."""
        if cache.max_bytes <= 0:
            # Cache off: every request reads the database, none waits for another.
            return await self._first_fetch(state, cache, key), None
        done = self.flights.lead(key)
        if done is None:
            await self.flights.wait(key)
            entry = cache.get(key)
            if entry is not None:
                return entry, None
            return await self._first_fetch(state, cache, key), None
        try:
            entry = await self._first_fetch(state, cache, key)
        except BaseException:
            self.flights.finish(key, done)
            raise
        if entry is None:
            return None, done  # the route reads it; `__call__` sets `done` after
        self.flights.finish(key, done)
        return entry, None

    @staticmethod
    async def _first_fetch(
        state: Any, cache: ProfileCache, key: ProfileKey
    ) -> CachedProfile | None:
        """An exact version not in memory: one statement on the driver pool's connection (no
        session, no SQLAlchemy; service.db.driver_pool), then cached. Anything else (a range, a
        tag, a digest, not found, an error) is the route's."""
        if state.traced or not is_exact(key.ref):
            return None
        stamp = cache.stamp(key)
        try:
            row = await stored_exact(
                state.driver_pool, key.namespace, key.name, key.ref, key.format
            )
        except Exception as exc:
            if database_unavailable(exc):
                state.outage.failed()
            else:
                log.exception("profile fast path: first fetch failed; the route answers")
            return None
        if row is None or row.body is None:
            return None
        state.outage.succeeded()
        entry = CachedProfile(
            version=row.version,
            moving=False,
            body=row.body,
            etag=profile_etag(row, key.format, resolve_latest=False),
            yanked=row.yanked,
            yank_reason=row.yank_reason,
            deprecated=row.deprecated,
            deprecated_at=row.deprecated_at,
        )
        return cache.put(key, entry, stamp) or entry

    @staticmethod
    def _prepare(
        scope: Scope, cache: ProfileCache, key: ProfileKey, entry: CachedProfile, settings: Settings
    ) -> tuple[RawHeaders, RawHeaders]:
        """The headers of `entry`'s hits, the 200's and the 304's (kept with it in the cache)."""
        fields = profile_headers(
            key.namespace,
            key.name,
            entry,
            key.format,
            exact=is_exact(key.ref),
            settings=settings,
            resolve=None,
            stale=False,
        )
        not_modified = tuple((k.lower().encode(), v.encode("latin-1")) for k, v in fields.items())
        signature = scope["app"].state.signer.signature_for(
            (key.namespace, key.name, entry.version, key.format), entry.body, entry.etag.encode()
        )
        ok = (
            *not_modified,
            (SIGNATURE_HEADER.lower().encode(), signature.encode()),
            (b"content-type", MEDIA[key.format].encode()),
            (b"content-length", str(len(entry.body)).encode()),
        )
        cache.prepared(key, entry, ok, not_modified)
        return ok, not_modified
