"""A bounded in-process cache of prepared profile answers, sized in bytes, that serves through
a database outage.

Keys are what a client asked for (namespace, name, ref, format); each entry remembers the exact
version it holds, so a lifecycle change of that version drops every answer that showed it, and a
change to what a tag, range or digest chooses (a tag move, a new version, a yank) drops the
artifact's answers chosen so. Changes made by this process invalidate at once; other replicas'
changes reach the cache through `invalidate_*` too, once something (LISTEN/NOTIFY) calls them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from service.resolution.refs import DIGEST_PREFIX

Format = Literal["json", "markdown"]
# Bookkeeping per entry beyond its body, so many small entries still count: the key, the entry,
# the LRU and per-artifact index slots, and the prepared headers of the 200 and the 304
# (signature included). Measured with tracemalloc over 5,000 entries of 3 KB bodies: 1,481
# bytes each (512 had been assumed: a full cache held ~1.7x its configured size).
ENTRY_OVERHEAD = 1536
# Artifacts whose change counts are remembered (for `ProfileCache.stamp`, ~230 bytes each):
# past this many they are forgotten at once and the epoch moves on instead, so an answer
# being read meanwhile is not kept (it is read again) and memory stays bounded.
MAX_CHANGED_ARTIFACTS = 4096


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
    # Past its TTL, one request refreshes it while the others keep being served it until then
    # (service.profiles.fastpath): a hot entry never expires for every connection at once.
    refreshing_until: float = field(default=0.0, compare=False)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.etag) + ENTRY_OVERHEAD


_Predicate = Callable[[ProfileKey, CachedProfile], bool]
Stamp = tuple[int, int, int]


def chosen(key: ProfileKey, entry: CachedProfile) -> bool:
    """Whether the answer changes with the artifact's other versions and tags: a tag's or range's
    (`moving`), and a digest's too. Versions published from the same bytes share a digest, which
    names the highest non-yanked of them, so a publish or an unyank can change its answer."""
    return entry.moving or key.ref.startswith(DIGEST_PREFIX)


class ProfileCache:
    """Least recently used entries go first once `max_bytes` is reached; 0 disables the cache."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes_used = 0
        # Read by /metrics (service.metrics): hits and misses of the fast path, LRU evictions.
        self.hits = 0
        self.misses = 0
        self.evictions = 0
        # What has changed since an answer was read (see `stamp`): the cache's epoch (bumped by
        # `clear`), and per artifact the count of changes to what tags and ranges choose and
        # of changes to a version's state.
        self._epoch = 0
        self._changes: dict[tuple[str, str], tuple[int, int]] = {}
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

    def stamp(self, key: ProfileKey) -> Stamp:
        """Taken before an answer is read from the database, given back to `put`."""
        return (self._epoch, *self._changes.get((key.namespace, key.name), (0, 0)))

    def put(self, key: ProfileKey, entry: CachedProfile, stamp: Stamp | None = None) -> None:
        """`stamp`: taken before the answer was read; if a change that concerns it came in
        since (a notice for its artifact: any for a tag or range, a version's state for an
        exact answer), the answer may already be stale and is not kept."""
        if not self.listening:
            return
        if stamp is not None:
            now = self.stamp(key)
            if (
                now[0] != stamp[0]
                or now[2] != stamp[2]
                or (chosen(key, entry) and now[1] != stamp[1])
            ):
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
        self._count(namespace, name, states=1)
        return self._invalidate(namespace, name, lambda k, e: chosen(k, e) or e.version == version)

    def invalidate_moving(self, namespace: str, name: str) -> int:
        """What a tag, range or digest chooses changed (tag moved or removed, new version)."""
        self._count(namespace, name, states=0)
        return self._invalidate(namespace, name, chosen)

    def _count(self, namespace: str, name: str, *, states: int) -> None:
        if len(self._changes) >= MAX_CHANGED_ARTIFACTS and (namespace, name) not in self._changes:
            self._epoch += 1
            self._changes.clear()
        moving, changed = self._changes.get((namespace, name), (0, 0))
        self._changes[(namespace, name)] = (moving + 1, changed + states)

    def clear(self) -> None:
        self._epoch += 1
        self._changes.clear()
        self._entries.clear()
        self._by_artifact.clear()
        self.bytes_used = 0

    def _invalidate(self, namespace: str, name: str, stale: _Predicate) -> int:
        keys = [
            key
            for key in self._by_artifact.get((namespace, name), ())
            if stale(key, self._entries[key])
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
