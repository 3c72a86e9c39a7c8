"""The export file: a tar.gz holding `format.json`, `events.jsonl` (the changes feed, in order,
each `published` event with its `publishedAt`, `provenance`, `lock` and `blob`) and `blobs/<sha256 of blob>`
(an agent's or toolset's exact bytes, a skill's deterministic folder archive)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMAT = "agent-registry-export"
VERSION = 1
ROOT = "registry-export"


class ExportFileError(Exception):
    """The file is not an export, or its content does not match what it says."""


@dataclass(frozen=True)
class Entry:
    event: dict[
        str, Any
    ]  # a ChangeEvent as JSON, plus publishedAt, provenance, lock, blob when published
    blob: bytes | None


class Writer:
    def __init__(self, path: Path, source: str) -> None:
        self.tar = tarfile.open(path, "w:gz")  # noqa: SIM115 (closed in close())
        self.source = source
        self.events = io.BytesIO()
        self.count = 0
        self.blobs: set[str] = set()

    def add(self, event: dict[str, Any], blob: bytes | None) -> None:
        if blob is not None:
            name = hashlib.sha256(blob).hexdigest()
            event = {**event, "blob": name}
            if name not in self.blobs:
                self.blobs.add(name)
                self._member(f"blobs/{name}", blob)
        self.events.write(json.dumps(event, sort_keys=True).encode() + b"\n")
        self.count += 1

    def close(self) -> None:
        header = {"format": FORMAT, "version": VERSION, "source": self.source, "events": self.count}
        self._member("format.json", json.dumps(header, sort_keys=True).encode())
        self._member("events.jsonl", self.events.getvalue())
        self.tar.close()

    def _member(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(f"{ROOT}/{name}")
        info.size = len(data)
        info.mode = 0o644
        self.tar.addfile(info, io.BytesIO(data))


def read(path: Path) -> Iterator[Entry]:
    """Every entry in order, each blob checked against its name (the importer then checks it
    against the event's digest). Only regular members under `registry-export/` are read."""
    with tarfile.open(path, "r:gz") as tar:
        header = json.loads(_read(tar, "format.json"))
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise ExportFileError(f"{path} is not a version {VERSION} registry export")
        for line in _read(tar, "events.jsonl").splitlines():
            event = json.loads(line)
            blob = None
            if "blob" in event:
                name = str(event["blob"])
                blob = _read(tar, f"blobs/{name}")
                if hashlib.sha256(blob).hexdigest() != name:
                    raise ExportFileError(f"blobs/{name} does not digest to its name")
            yield Entry(event, blob)


def _read(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.getmember(f"{ROOT}/{name}")
    except KeyError as exc:
        raise ExportFileError(f"the export has no {name}") from exc
    handle: IO[bytes] | None = tar.extractfile(member) if member.isfile() else None
    if handle is None:
        raise ExportFileError(f"{name} is not a regular file")
    return handle.read()
