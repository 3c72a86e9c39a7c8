"""A bounded in-process cache of prepared profile answers, sized in bytes, that serves through
a database outage.

Keys are what a client asked for (namespace, name, ref, format); each entry remembers the exact
version it holds, so a lifecycle change of that version drops every answer that showed it, and a
change to what a tag or range chooses (a tag move, a new version, a yank) drops the artifact's
moving answers. Changes made by this process invalidate at once; other replicas' changes reach
the cache through `invalidate_*` too, once something (LISTEN/NOTIFY) calls them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Format = Literal["json", "markdown"]
# Bookkeeping per entry (key, dataclass, index slots), so many tiny entries still count.
ENTRY_OVERHEAD = 512


@dataclass(frozen=True, slots=True)
class ProfileKey:
    namespace: str
    name: str
    ref: str  # as the client wrote it: `1.0.0`, `^1`, `latest`, `sha256:…`
    format: Format


RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Prepared:
    """The ASGI response of a cache hit, built once: headers of the 200 (signature included)
    and of the 304."""

    ok: RawHeaders
    not_modified: RawHeaders


@dataclass(slots=True)
class CachedProfile:
    version: str
    moving: bool  # chosen through a tag or range: changes when the choice changes
    body: bytes
    etag: str
    yanked: bool
    yank_reason: str | None
    deprecated: str | None
    deprecated_at: dt.datetime | None
    stored_at: float = field(default_factory=time.monotonic, compare=False)
    prepared: Prepared | None = field(default=None, compare=False)  # set by the fast path

    @property
    def size(self) -> int:
        return len(self.body) + len(self.etag) + ENTRY_OVERHEAD


_Predicate = Callable[[CachedProfile], bool]


class ProfileCache:
    """Least recently used entries go first once `max_bytes` is reached; 0 disables the cache."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes_used = 0
        # Read by /metrics (service.metrics): hits and misses of the fast path, LRU evictions.
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        # Bumped by every invalidation: an answer read before one is not cached after it.
        self.generation = 0
        # False while the invalidation listener is not connected (service.profiles.invalidation):
        # notices could be missed, so nothing new is kept and the fast path serves nothing.
        self.listening = True
        self._entries: OrderedDict[ProfileKey, CachedProfile] = OrderedDict()
        self._by_artifact: dict[tuple[str, str], set[ProfileKey]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: ProfileKey) -> CachedProfile | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: ProfileKey, entry: CachedProfile, generation: int | None = None) -> None:
        """`generation`: the value read before the answer was fetched; if an invalidation came
        in since, the answer may already be stale and is not kept."""
        if not self.listening or (generation is not None and generation != self.generation):
            return
        self._drop(key)
        if entry.size > self.max_bytes:
            return
        self._entries[key] = entry
        self._by_artifact.setdefault((key.namespace, key.name), set()).add(key)
        self.bytes_used += entry.size
        while self.bytes_used > self.max_bytes:
            self._drop(next(iter(self._entries)))
            self.evictions += 1

    def invalidate_version(self, namespace: str, name: str, version: str) -> int:
        """A version's state changed (yank, deprecation): its answers, and every moving answer,
        since a yank also changes what ranges and tags choose."""
        return self._invalidate(namespace, name, lambda e: e.moving or e.version == version)

    def invalidate_moving(self, namespace: str, name: str) -> int:
        """What a tag or range chooses changed (tag moved or removed, new version published)."""
        return self._invalidate(namespace, name, lambda e: e.moving)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._by_artifact.clear()
        self.bytes_used = 0

    def _invalidate(self, namespace: str, name: str, stale: _Predicate) -> int:
        self.generation += 1
        keys = [
            key for key in self._by_artifact.get((namespace, name), ()) if stale(self._entries[key])
        ]
        for key in keys:
            self._drop(key)
        return len(keys)

    def _drop(self, key: ProfileKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.bytes_used -= entry.size
        keys = self._by_artifact[(key.namespace, key.name)]
        keys.discard(key)
        if not keys:
            del self._by_artifact[(key.namespace, key.name)]
