"""What the sync and async clients share: cache decisions, verification, fallback. No I/O here."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import httpx
from agent_registry_client import Client

from agent_registry._verify import key_id, verify
from agent_registry.cache import Entry, ProfileCache
from agent_registry.errors import RegistryError, RegistryUnavailable, SignatureError
from agent_registry.profile import AgentProfile, Source

log = logging.getLogger("agent_registry")
JWKS_PATH = "/.well-known/jwks.json"
JWKS_FILE = "jwks.json"
State = Literal["missing", "fresh", "stale", "expired"]
# A key the fetched set lacked is asked for again only after this long, not on every call that
# meets it: a replica that lags a rotation catches up, a bogus `kid` costs one request a while.
KEYS_RETRY_AFTER = 30.0
MAX_MISSING_KEYS = 64


@dataclass(frozen=True)
class Lookup:
    entry: Entry | None
    state: State
    from_disk: bool


class Core:
    def __init__(
        self,
        base_url: str,
        *,
        ttl: float,
        stale_while_revalidate: float,
        verify: bool,
        jwks: Mapping[str, Any] | None,
        cache_dir: Path | str | None,
        max_profiles: int,
        clock: Callable[[], float] | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl
        self.swr = stale_while_revalidate
        self.verify = verify
        self.pinned = jwks is not None
        self.cache = ProfileCache(cache_dir, max_profiles)
        self.jwks: dict[str, Any] = (
            dict(jwks)
            if jwks is not None
            else (self.cache.load_document(JWKS_FILE) or {"keys": []})
        )
        self.clock = clock or time.time
        self._missing_keys: dict[str | None, float] = {}  # kid -> when a fetched set lacked it
        self._unreachable_logged = False

    # Cache ----------------------------------------------------------------------------------

    def key(self, ref: str) -> str:
        return f"{self.base_url}|{ref}"

    def path(self, ref: str) -> str:
        return "/v1/profiles/" + quote(ref, safe="/@^~=<>*.,:+-_ ")

    def lookup(self, ref: str) -> Lookup:
        key = self.key(ref)
        entry = self.cache.memory(key)
        from_disk = False
        if entry is None:
            entry = self.cache.disk(key)
            from_disk = entry is not None
        if entry is None:
            return Lookup(None, "missing", False)
        age = self.clock() - entry.fetched_at
        if age < self.ttl:
            state: State = "fresh"
        elif age < self.ttl + self.swr:
            state = "stale"
        else:
            state = "expired"
        return Lookup(entry, state, from_disk)

    def in_background(self, state: State) -> bool:
        """Whether a cached copy is returned at once while a background request revalidates it:
        within stale-while-revalidate, and at any age while the registry is unreachable (a call
        waiting for a partitioned registry paid the whole timeout, every call, all outage)."""
        return state == "stale" or (state == "expired" and self.unreachable)

    def conditional_headers(self, entry: Entry | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        return headers

    def profile(self, ref: str, entry: Entry, source: Source) -> AgentProfile:
        return AgentProfile(
            ref, entry.body, entry.etag, entry.signature, entry.key_id, source, entry.fetched_at
        )

    # Verification ---------------------------------------------------------------------------

    def needs_keys(self, signature: str | None) -> bool:
        """True when verifying needs the key set fetched (first use, or a rotated-in key), and
        the last set fetched for that key did not lack it a moment ago."""
        if not self.verify or self.pinned or signature is None:
            return False
        kid = key_id(signature)
        if any(k.get("kid") == kid for k in self.jwks.get("keys", [])):
            return False
        missed = self._missing_keys.get(kid)
        return missed is None or self.clock() - missed >= KEYS_RETRY_AFTER

    def set_keys(self, document: Any, signature: str | None) -> None:
        """The key set fetched to verify `signature`; if it lacks that key, say so for a while."""
        if isinstance(document, dict) and isinstance(document.get("keys"), list):
            self.jwks = document
            self.cache.save_document(JWKS_FILE, document)
        kid = key_id(signature) if signature is not None else None
        if not any(k.get("kid") == kid for k in self.jwks.get("keys", [])):
            if len(self._missing_keys) >= MAX_MISSING_KEYS:
                self._missing_keys.clear()
            self._missing_keys[kid] = self.clock()

    def take_keys(self, status: int, body: bytes, signature: str | None, *, quiet: bool) -> None:
        """The key-set answer: kept when it is one, else RegistryUnavailable (unless `quiet`).
        A 200 that is not JSON (a proxy's page) was a bare JSONDecodeError."""
        if status != 200:
            failure = f"the registry's key set answered {status}"
        else:
            try:
                document = json.loads(body)
            except ValueError:
                failure = "the registry's key set is not JSON"
            else:
                self.set_keys(document, signature)
                return
        if not quiet:
            raise RegistryUnavailable(failure)

    def check(self, signature: str | None, body: bytes) -> str | None:
        if not self.verify:
            return None
        if signature is None:
            raise SignatureError("the registry sent the profile without a Registry-Signature")
        return verify(signature, body, self.jwks)

    def verified_disk_entry(self, ref: str, entry: Entry) -> Entry | None:
        """A disk entry is trusted only if it still verifies; a tampered one is dropped."""
        try:
            self.check(entry.signature, entry.body)
        except SignatureError as exc:
            log.error("dropping the cached copy of %s: %s", ref, exc)
            self.cache.forget(self.key(ref))
            return None
        self.cache.remember(self.key(ref), entry)
        return entry

    # Responses ------------------------------------------------------------------------------

    def accept(
        self, ref: str, previous: Entry | None, status: int, headers: Mapping[str, str], body: bytes
    ) -> AgentProfile:
        """Turn a response into a profile (and a cache entry), or raise what it means."""
        now = self.clock()
        if status == 304 and previous is not None:
            entry = replace(previous, fetched_at=now)
            self.cache.put(self.key(ref), entry)
            self._recovered()
            return self.profile(ref, entry, "revalidated")
        if status == 200:
            signature = headers.get("registry-signature")
            kid = self.check(signature, body)
            entry = Entry(body, headers.get("etag"), signature, kid, now)
            self.cache.put(self.key(ref), entry)
            self._recovered()
            return self.profile(ref, entry, "network")
        problem = _problem(body)
        message = str(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        if status >= 500:
            raise RegistryUnavailable(f"the registry answered {status}: {message}", status, problem)
        raise RegistryError(message, status, problem)

    def refresh_failed(self, ref: str, error: RegistryError) -> None:
        """A background revalidation failed. A problem the registry answered (404: the tag was
        removed; 401/403: the token may no longer read it) drops the cached copy, so the next
        call raises it; an outage or a body that does not verify keeps the last good copy."""
        log.error("revalidating %s failed: %s", ref, error)
        if not isinstance(error, RegistryUnavailable | SignatureError):
            self.cache.forget(self.key(ref))

    def fall_back(self, ref: str, entry: Entry | None, error: RegistryUnavailable) -> AgentProfile:
        """The last good copy while the registry is unreachable, logged once per outage."""
        if entry is None:
            raise error
        if not self._unreachable_logged:
            log.warning("%s is unreachable (%s); serving last good profiles", self.base_url, error)
            self._unreachable_logged = True
        return self.profile(ref, entry, "fallback")

    @property
    def unreachable(self) -> bool:
        """The last request failed to reach the registry (and no request has succeeded since)."""
        return self._unreachable_logged

    def _recovered(self) -> None:
        if self._unreachable_logged:
            log.info("%s is reachable again", self.base_url)
            self._unreachable_logged = False


def unreachable(exc: Exception) -> RegistryUnavailable:
    return RegistryUnavailable(f"cannot reach the registry: {type(exc).__name__}: {exc}")


def _problem(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class Configured:
    """The options both clients take, and the core and generated client they build from them.

    - `ttl`: seconds a fetched profile is served from the cache without asking the registry.
    - `stale_while_revalidate`: for this many seconds after the TTL, the cached profile is
      returned at once (`source == "stale"`) while a background request revalidates it (a
      `304` costs no body). Later than that, the call waits for the registry.
    - When the registry cannot be reached (or answers 5xx), the last good copy is returned with
      `fallback == True` and one warning is logged until the registry answers again.
    - `verify`: every body is checked against its `Registry-Signature` with the registry's
      `/.well-known/jwks.json` (or the key set passed as `jwks`, pinned); a body that does not
      verify raises `SignatureError` and is never cached.
    - `token`: a registry token, sent as `Authorization: Bearer`, for a registry without
      anonymous reads (`REGISTRY_ANONYMOUS_READ=false`): one that may read the agents'
      namespaces is enough (the key set is public). Surrounding whitespace (a secret file's
      newline) is dropped; a token with another character no token has is a ValueError.
    - `cache_dir`: also keep profiles (and the key set) on disk, so a restarted orchestrator
      has its last good copies; they are verified again when read.
    - `max_profiles`: profiles (one per ref asked for) kept in memory; beyond it the least
      recently used is dropped (its disk copy stays; without one it is fetched again, and has
      no last good copy in an outage).
    - `transport`: an httpx transport (sync for `Registry`, async for `AsyncRegistry`);
      `clock`: seconds, for tests that move time.
    """

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 60.0,
        stale_while_revalidate: float = 86400.0,
        verify: bool = True,
        jwks: Mapping[str, Any] | None = None,
        cache_dir: Path | str | None = None,
        max_profiles: int = 1024,
        timeout: float = 10.0,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.core = Core(
            url,
            ttl=ttl,
            stale_while_revalidate=stale_while_revalidate,
            verify=verify,
            jwks=jwks,
            cache_dir=cache_dir,
            max_profiles=max_profiles,
            clock=clock,
        )
        # A token read from a secret file or mount ends in a newline: as a header it failed every
        # request as "cannot reach the registry". Surrounding whitespace is never part of one.
        token = token.strip() if token else token
        if token and not (token.isascii() and token.isprintable()):
            raise ValueError("the token has a character no registry token has")
        httpx_args: dict[str, Any] = {"transport": transport} if transport is not None else {}
        self.client = Client(
            base_url=self.core.base_url,
            timeout=httpx.Timeout(timeout),
            headers={**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})},
            httpx_args=httpx_args,
        )
        self._refreshing: dict[str, Any] = {}  # ref -> the thread or task revalidating it
        self._lock = threading.Lock()
        self._keys_lock = threading.Lock()  # Registry: one key-set request for concurrent calls
