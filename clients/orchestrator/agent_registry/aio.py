"""`await AsyncRegistry(url).profile("dev-python@^1")`: the asyncio client."""

from __future__ import annotations

import asyncio
from functools import cached_property

import httpx

from agent_registry._core import JWKS_PATH, Configured, Lookup, unreachable
from agent_registry.cache import Entry
from agent_registry.errors import RegistryError, RegistryUnavailable
from agent_registry.profile import AgentProfile


class AsyncRegistry(Configured):
    """The same behaviour as `Registry`, for asyncio; background revalidation runs as tasks."""

    async def __aenter__(self) -> AsyncRegistry:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.wait()
        await self.client.get_async_httpx_client().aclose()

    async def profile(self, ref: str) -> AgentProfile:
        """The resolved profile of `name@ref` (exact version, range, tag or digest)."""
        look = await self._lookup(ref)
        if look.entry is not None and look.state == "fresh":
            return self.core.profile(ref, look.entry, "cache")
        if look.entry is not None and self.core.in_background(look.state):
            if ref not in self._refreshing:
                self._refreshing[ref] = asyncio.create_task(self._refresh(ref))
            return self.core.profile(
                ref, look.entry, "fallback" if self.core.unreachable else "stale"
            )
        return await self._fetch(ref, look.entry)

    async def wait(self) -> None:
        """Wait for background revalidations to finish."""
        await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    async def _lookup(self, ref: str) -> Lookup:
        look = self.core.lookup(ref)
        if look.entry is None or not look.from_disk:
            return look
        await self._ensure_keys(look.entry.signature, quiet=True)
        if self.core.verified_disk_entry(ref, look.entry) is None:
            return Lookup(None, "missing", False)
        return self.core.lookup(ref)

    async def _fetch(self, ref: str, entry: Entry | None) -> AgentProfile:
        http = self.client.get_async_httpx_client()
        try:
            response = await http.get(
                self.core.path(ref), headers=self.core.conditional_headers(entry)
            )
            if response.status_code == 200:
                await self._ensure_keys(response.headers.get("registry-signature"))
            return self.core.accept(
                ref, entry, response.status_code, response.headers, response.content
            )
        except httpx.TransportError as exc:
            return self.core.fall_back(ref, entry, unreachable(exc))
        except RegistryUnavailable as exc:
            return self.core.fall_back(ref, entry, exc)

    async def _ensure_keys(self, signature: str | None, *, quiet: bool = False) -> None:
        if not self.core.needs_keys(signature):
            return
        async with self._async_keys_lock:  # calls meeting a new key together wait for one request
            if self.core.needs_keys(signature):
                await self._fetch_keys(signature, quiet=quiet)

    @cached_property
    def _async_keys_lock(self) -> asyncio.Lock:
        return asyncio.Lock()

    async def _fetch_keys(self, signature: str | None, *, quiet: bool) -> None:
        try:
            response = await self.client.get_async_httpx_client().get(JWKS_PATH)
        except httpx.TransportError as exc:
            if quiet:
                return
            raise unreachable(exc) from exc
        self.core.take_keys(response.status_code, response.content, signature, quiet=quiet)

    async def _refresh(self, ref: str) -> None:
        try:
            await self._fetch(ref, self.core.lookup(ref).entry)
        except RegistryError as exc:
            self.core.refresh_failed(ref, exc)
        finally:
            self._refreshing.pop(ref, None)
