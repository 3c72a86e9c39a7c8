"""`Registry(url).profile("dev-python@^1")`: the synchronous client."""

from __future__ import annotations

import threading

import httpx

from agent_registry._core import JWKS_PATH, Configured, Lookup, unreachable
from agent_registry.cache import Entry
from agent_registry.errors import RegistryError, RegistryUnavailable
from agent_registry.profile import AgentProfile


class Registry(Configured):
    """Fetch resolved profiles with an ETag cache, stale-while-revalidate and a last-good
    fallback; the options are `Configured`'s."""

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.wait()
        self.client.get_httpx_client().close()

    def profile(self, ref: str) -> AgentProfile:
        """The resolved profile of `name@ref` (exact version, range, tag or digest)."""
        look = self._lookup(ref)
        if look.entry is not None and look.state == "fresh":
            return self.core.profile(ref, look.entry, "cache")
        if look.entry is not None and self.core.in_background(look.state):
            # Judged before the refresh starts, which may fail (and flag an outage) at once.
            served = self.core.profile(
                ref, look.entry, "fallback" if self.core.unreachable else "stale"
            )
            self._refresh_in_background(ref)
            return served
        return self._fetch(ref, look.entry)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for background revalidations to finish."""
        with self._lock:
            threads = list(self._refreshing.values())
        for thread in threads:
            thread.join(timeout)

    def _lookup(self, ref: str) -> Lookup:
        look = self.core.lookup(ref)
        if look.entry is None or not look.from_disk:
            return look
        self._ensure_keys(look.entry.signature, quiet=True)
        if self.core.verified_disk_entry(ref, look.entry) is None:
            return Lookup(None, "missing", False)
        return self.core.lookup(ref)

    def _fetch(self, ref: str, entry: Entry | None) -> AgentProfile:
        http = self.client.get_httpx_client()
        try:
            response = http.get(self.core.path(ref), headers=self.core.conditional_headers(entry))
            if response.status_code == 200:
                self._ensure_keys(response.headers.get("registry-signature"))
            return self.core.accept(
                ref, entry, response.status_code, response.headers, response.content
            )
        except httpx.TransportError as exc:
            return self.core.fall_back(ref, entry, unreachable(exc))
        except RegistryUnavailable as exc:
            return self.core.fall_back(ref, entry, exc)

    def _ensure_keys(self, signature: str | None, *, quiet: bool = False) -> None:
        if not self.core.needs_keys(signature):
            return
        with self._keys_lock:  # calls meeting a new key together wait for one request
            if self.core.needs_keys(signature):
                self._fetch_keys(signature, quiet=quiet)

    def _fetch_keys(self, signature: str | None, *, quiet: bool) -> None:
        try:
            response = self.client.get_httpx_client().get(JWKS_PATH)
        except httpx.TransportError as exc:
            if quiet:
                return
            raise unreachable(exc) from exc
        self.core.take_keys(response.status_code, response.content, signature, quiet=quiet)

    def _refresh_in_background(self, ref: str) -> None:
        with self._lock:
            if ref in self._refreshing:
                return
            thread = threading.Thread(target=self._refresh, args=(ref,), daemon=True)
            self._refreshing[ref] = thread
            thread.start()  # under the lock: wait() never sees (and joins) a thread not started

    def _refresh(self, ref: str) -> None:
        try:
            self._fetch(ref, self.core.lookup(ref).entry)
        except RegistryError as exc:
            self.core.refresh_failed(ref, exc)
        finally:
            with self._lock:
                self._refreshing.pop(ref, None)
