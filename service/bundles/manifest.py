"""A skill folder as data: its files, the canonical manifest and digest, and a deterministic tar.gz.

Pure: bytes in, bytes out, no I/O.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, TypeVar

SKILL_FILE = "SKILL.md"


class _HasPath(Protocol):
    @property
    def path(self) -> str: ...


_P = TypeVar("_P", bound=_HasPath)


def by_path(items: Iterable[_P]) -> list[_P]:
    """In path order, bytewise (UTF-8): the order of every manifest and archive."""
    return sorted(items, key=lambda item: item.path.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One file as a manifest lists it: no content."""

    path: str
    size: int
    sha256: str
    executable: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "executable": self.executable,
        }


@dataclass(frozen=True)
class BundleFile:
    path: str  # relative, `/`-separated, already checked (see archive.py)
    content: bytes
    executable: bool = False

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    def entry(self) -> ManifestEntry:
        """The manifest entry a client sees."""
        return ManifestEntry(self.path, self.size, self.sha256, self.executable)


@dataclass(frozen=True)
class Bundle:
    """The files of one skill version, sorted by path; `SKILL.md` is always one of them."""

    files: tuple[BundleFile, ...]

    @classmethod
    def of(cls, files: Iterable[BundleFile]) -> Bundle:
        return cls(tuple(by_path(files)))

    @classmethod
    def single(cls, skill_md: bytes) -> Bundle:
        return cls((BundleFile(SKILL_FILE, skill_md),))

    @property
    def skill_md(self) -> bytes:
        return next(f.content for f in self.files if f.path == SKILL_FILE)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def has_extra_files(self) -> bool:
        return len(self.files) > 1

    @property
    def digest(self) -> str:
        return bundle_digest(self.files)


def canonical_manifest(files: Iterable[BundleFile]) -> bytes:
    """One line per file, sorted by path bytes: `<sha256 hex> <755|644> <path>\\n`.

    Only the path, the executable bit and the content digest take part, so the same folder
    archived twice (any order, any mtimes, owners, tar or zip) has the same manifest.
    """
    lines = sorted(
        (f.path.encode("utf-8"), f"{f.sha256} {'755' if f.executable else '644'} ".encode())
        for f in files
    )
    return b"".join(prefix + path + b"\n" for path, prefix in lines)


def bundle_digest(files: Sequence[BundleFile]) -> str:
    """A folder that is only a non-executable `SKILL.md` keeps the digest of its bytes, so it
    is the same version whether it was sent as Markdown or as an archive; any other folder is
    digested over its canonical manifest."""
    if len(files) == 1 and files[0].path == SKILL_FILE and not files[0].executable:
        return "sha256:" + files[0].sha256
    return "sha256:" + hashlib.sha256(canonical_manifest(files)).hexdigest()


def deterministic_tar_gz(files: Iterable[BundleFile], prefix: str) -> bytes:
    """A tar.gz of the files under `prefix/`: the same files give the same bytes, every time.

    No directory entries, mtime 0, owner 0:0 with no names, mode 0755 or 0644, PAX format (so
    long and non-ASCII paths are exact), gzip header without a name or a time.
    """
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for file in by_path(files):
            info = tarfile.TarInfo(f"{prefix}/{file.path}" if prefix else file.path)
            info.size = file.size
            info.mode = 0o755 if file.executable else 0o644
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(file.content))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
