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
from typing import Literal, NamedTuple

from service.resolution.refs import DIGEST_PREFIX

Format = Literal["json", "markdown"]
# Bookkeeping per entry beyond its body, so many small entries still count: the key, the entry,
# the LRU and per-artifact index slots, and the prepared headers of the 200 and the 304
# (signature included). Measured with tracemalloc over 5,000 entries of 3 KB bodies: 1,481
# bytes each (512 had been assumed: a full cache held ~1.7x its configured size).
ENTRY_OVERHEAD = 1536
# Artifacts whose change counts are remembered (for `stamp`, ~230 bytes each):
# past this many they are forgotten at once and the epoch moves on instead, so an answer
# being read meanwhile is not kept (it is read again) and memory stays bounded.
MAX_CHANGED_ARTIFACTS = 4096


class ProfileKey(NamedTuple):
    namespace: str
    name: str
    ref: str  # as the client wrote it: `1.0.0`, `^1`, `latest`, `sha256:…`
    format: Format


RawHeaders = tuple[tuple[bytes, bytes], ...]


class CachedProfile(NamedTuple):
    version: str
    moving: bool  # chosen through a tag or range: changes when the choice changes
    body: bytes
    etag: str
    yanked: bool
    yank_reason: str | None
    deprecated: str | None
    deprecated_at: dt.datetime | None
    stored_at: float = 0.0  # set by `ProfileCache.put`
    # The ASGI headers of a cache hit, built once by the fast path (`ProfileCache.prepared`):
    # the 200's (signature included) and the 304's.
    ok_headers: RawHeaders | None = None
    not_modified_headers: RawHeaders | None = None
    # Past its TTL, one request refreshes it while the others keep being served it until then
    # (service.profiles.fastpath): a hot entry never expires for every connection at once.
    refreshing_until: float = 0.0

    @property
    def size(self) -> int:
        return len(self.body) + len(self.etag) + ENTRY_OVERHEAD


# How keys and entries are held: as plain tuples of strings, bytes, numbers and None, which the
# garbage collector stops tracking (CPython untracks such a tuple once it has seen its items
# untracked; a NamedTuple or a dataclass instance it tracks for life). As objects (key, entry,
# prepared headers, their lists) each answer was 6 tracked objects that every full collection
# walked, stopping the one worker: 5,000 answers of 3 KB, 8.4 ms per collection against 0.5 ms
# as tuples; the default 64 MiB holds ~14,000.
_Key = tuple[str, str, str, str]
_Entry = tuple[
    str, bool, bytes, str, bool, str | None, str | None, dt.datetime | None, float,
    RawHeaders | None, RawHeaders | None, float,
]  # fmt: skip
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
        self._entries: OrderedDict[_Key, _Entry] = OrderedDict()
        # Per artifact, its keys in `_entries` (a dict as an ordered set: a set is always tracked).
        self._by_artifact: dict[tuple[str, str], dict[_Key, None]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: ProfileKey) -> CachedProfile | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return CachedProfile._make(entry)

    def stamp(self, key: ProfileKey) -> Stamp:
        """Taken before an answer is read from the database, given back to `put`."""
        return (self._epoch, *self._changes.get((key.namespace, key.name), (0, 0)))

    def put(
        self, key: ProfileKey, entry: CachedProfile, stamp: Stamp | None = None
    ) -> CachedProfile | None:
        """The entry as kept (`stored_at` set), None when not kept. `stamp`: taken before the
        answer was read; if a change that concerns it came in since (a notice for its artifact:
        any for a tag or range, a version's state for an exact answer), the answer may already
        be stale and is not kept."""
        if not self.listening:
            return None
        if stamp is not None:
            now = self.stamp(key)
            if (
                now[0] != stamp[0]
                or now[2] != stamp[2]
                or (chosen(key, entry) and now[1] != stamp[1])
            ):
                return None
        self._drop(key)
        if entry.size > self.max_bytes:
            return None
        kept = entry._replace(stored_at=time.monotonic())
        stored: _Key = tuple(key)  # type: ignore[assignment]
        self._entries[stored] = tuple(kept)  # type: ignore[assignment]
        self._by_artifact.setdefault((key.namespace, key.name), {})[stored] = None
        self.bytes_used += entry.size
        while self.bytes_used > self.max_bytes:
            self._drop(next(iter(self._entries)))
            self.evictions += 1
        return kept if stored in self._entries else None

    def prepared(
        self, key: ProfileKey, entry: CachedProfile, ok: RawHeaders, not_modified: RawHeaders
    ) -> None:
        """Keep the headers of `entry`'s hits with it, if it is still cached."""
        self._update(key, entry, entry._replace(ok_headers=ok, not_modified_headers=not_modified))

    def refreshing(self, key: ProfileKey, entry: CachedProfile, until: float) -> None:
        """One request reads `entry` again: the others are served it until `until`."""
        self._update(key, entry, entry._replace(refreshing_until=until))

    def _update(self, key: ProfileKey, entry: CachedProfile, updated: CachedProfile) -> None:
        if self._entries.get(key) == entry:  # not replaced or dropped since it was read
            self._entries[key] = tuple(updated)  # type: ignore[assignment]

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
            if stale(ProfileKey._make(key), CachedProfile._make(self._entries[key]))
        ]
        for key in keys:
            self._drop(key)
        return len(keys)

    def _drop(self, key: _Key) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.bytes_used -= CachedProfile._make(entry).size
        keys = self._by_artifact[(key[0], key[1])]
        del keys[key]
        if not keys:
            del self._by_artifact[(key[0], key[1])]
