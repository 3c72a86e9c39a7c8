"""The ETag cache: entries in memory, optionally mirrored to a directory that survives restarts."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("agent_registry")


@dataclass(frozen=True)
class Entry:
    body: bytes
    etag: str | None
    signature: str | None
    key_id: str | None
    fetched_at: float  # wall-clock seconds, so a disk entry's age survives a restart


class ProfileCache:
    """At most `max_entries` in memory, the least recently used dropped first (a disk copy
    stays): a long-running orchestrator asked for ever new refs does not grow without bound."""

    def __init__(self, directory: Path | str | None = None, max_entries: int = 1024) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.directory = Path(directory) if directory is not None else None
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def memory(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def disk(self, key: str) -> Entry | None:
        return self._read(key) if self.directory is not None else None

    def put(self, key: str, entry: Entry) -> None:
        self.remember(key, entry)
        if self.directory is not None:
            self._write(key, entry)

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)
        if self.directory is not None:
            for path in self._paths(key):
                path.unlink(missing_ok=True)

    def remember(self, key: str, entry: Entry) -> None:
        """Keep an entry in memory (one read from disk after it verified)."""
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def load_document(self, name: str) -> dict[str, Any] | None:
        if self.directory is None:
            return None
        try:
            data: dict[str, Any] = json.loads((self.directory / name).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data

    def save_document(self, name: str, document: dict[str, Any]) -> None:
        if self.directory is not None:
            _atomic_write(self.directory / name, json.dumps(document).encode())

    def _paths(self, key: str) -> tuple[Path, Path]:
        assert self.directory is not None
        stem = hashlib.sha256(key.encode()).hexdigest()[:32]
        return self.directory / f"{stem}.json", self.directory / f"{stem}.body"

    def _read(self, key: str) -> Entry | None:
        meta_path, body_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            body = body_path.read_bytes()
            if meta.get("key") != key:
                return None
            return Entry(
                body, meta["etag"], meta["signature"], meta["keyId"], float(meta["fetchedAt"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, key: str, entry: Entry) -> None:
        meta_path, body_path = self._paths(key)
        meta = {
            "key": key,
            "etag": entry.etag,
            "signature": entry.signature,
            "keyId": entry.key_id,
            "fetchedAt": entry.fetched_at,
        }
        try:
            _atomic_write(body_path, entry.body)
            _atomic_write(meta_path, json.dumps(meta).encode())
        except OSError as exc:
            log.warning("cannot write the disk cache in %s: %s", self.directory, exc)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
