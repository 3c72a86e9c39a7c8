"""Read a skill folder from a tar.gz or zip held in memory, treating the archive as hostile.

Nothing is unpacked to disk. Every entry is checked (paths, types, names, duplicates) and
every problem found is reported at once; the bounds (entries, uncompressed total, compression
ratio) are enforced while decompressing, so reading stops as soon as one is crossed. Nested
archives are ordinary files: they are stored, never opened. Pure: bytes in, `Bundle` out.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, cast

from service.bundles.manifest import SKILL_FILE, Bundle, BundleFile

CHUNK = 64 * 1024
# Below this many uncompressed bytes the ratio is not checked: a tiny file of zeros
# legitimately compresses a thousandfold.
RATIO_FLOOR = 1024 * 1024
# Room for tar headers and padding on top of the content bound (per entry, and the end blocks).
TAR_OVERHEAD_PER_ENTRY = 3 * 512
TAR_OVERHEAD = 64 * 1024
MAX_PATH_BYTES = 1024
# Finder adds these to every zip it makes; they are never part of a skill.
_FINDER_DIR = "__MACOSX"
_FINDER_FILE = ".DS_Store"
_DRIVE = re.compile(r"^[A-Za-z]:")
_ZIP_END = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_ZIP_CENTRAL = b"PK\x01\x02"


@dataclass(frozen=True)
class Limits:
    max_files: int = 1000
    max_total_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 100


@dataclass(frozen=True)
class EntryProblem:
    entry: str
    code: str
    message: str


class ArchiveError(Exception):
    """The archive is refused; nothing from it may be stored."""

    def __init__(self, problems: list[EntryProblem]) -> None:
        super().__init__("; ".join(f"{p.entry}: {p.message}" for p in problems))
        self.problems = problems


class ArchiveRefused(ArchiveError):
    """Unsafe or malformed entries, or not a readable archive at all."""


class ArchiveTooLarge(ArchiveError):
    """A bound was crossed; reading stopped there."""

    def __init__(self, problem: EntryProblem, *, limit: int, read_bytes: int) -> None:
        super().__init__([problem])
        self.limit = limit
        self.read_bytes = read_bytes


@dataclass
class _Budget:
    """Counts uncompressed bytes as they are produced and stops at the first bound crossed."""

    limits: Limits
    archive_size: int
    content: int = 0
    entries: int = 0

    @property
    def ratio_bound(self) -> int:
        return max(RATIO_FLOOR, self.limits.max_ratio * self.archive_size)

    def entry(self, name: str) -> None:
        self.entries += 1
        if self.entries > self.limits.max_files:
            limit = self.limits.max_files
            raise ArchiveTooLarge(
                EntryProblem(name, "too_many_files", f"the archive has more than {limit} entries"),
                limit=limit,
                read_bytes=self.content,
            )

    def take(self, size: int, name: str) -> None:
        self.content += size
        self.check(self.content, name, 0)

    def check(self, produced: int, name: str, slack: int) -> None:
        total = self.limits.max_total_bytes
        if produced > total + slack:
            raise ArchiveTooLarge(
                EntryProblem(
                    name,
                    "archive_too_large",
                    f"the archive unpacks to more than {total} bytes (stopped at {name})",
                ),
                limit=total,
                read_bytes=produced,
            )
        if produced > self.ratio_bound + slack:
            ratio = self.limits.max_ratio
            raise ArchiveTooLarge(
                EntryProblem(
                    name,
                    "compression_ratio",
                    f"the archive unpacks to more than {ratio} times its {self.archive_size}"
                    f" bytes (stopped at {name})",
                ),
                limit=self.ratio_bound,
                read_bytes=produced,
            )


@dataclass
class _Collector:
    """Entries accepted so far and every problem found, keyed to detect duplicates."""

    files: list[BundleFile] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)

    def refuse(self, entry: str, code: str, message: str) -> None:
        self.problems.append(EntryProblem(entry, code, message))

    def claim(self, entry: str, path: str) -> bool:
        """Record a path; a second entry with the same path, ignoring case and Unicode
        normalisation, is refused."""
        key = _folded(path)
        if key in self.seen:
            first = self.seen[key]
            same = (
                "the same path"
                if first == path
                else "a path that differs only in case or Unicode normalisation"
            )
            self.refuse(entry, "duplicate_path", f"{path!r} has {same} as {first!r}")
            return False
        self.seen[key] = path
        return True


def read_archive(data: bytes, limits: Limits) -> Bundle:
    """The skill folder in a tar.gz or zip (told apart by their first bytes)."""
    budget = _Budget(limits, len(data))
    collector = _Collector()
    try:
        if data[:2] == b"\x1f\x8b":
            _read_tar_gz(data, budget, collector)
        elif data[:2] == b"PK":
            _read_zip(data, budget, collector)
        else:
            raise _unreadable("(archive)", "the body is neither a gzip-compressed tar nor a zip")
    except ArchiveError:
        raise
    except (tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _unreadable(_current(collector), f"the archive cannot be read: {exc}") from exc
    except (ValueError, OverflowError, struct.error, LookupError) as exc:
        raise _unreadable(_current(collector), f"the archive is malformed: {exc}") from exc
    if collector.problems:
        raise ArchiveRefused(collector.problems)
    return _as_bundle(collector.files)


def _current(collector: _Collector) -> str:
    return collector.files[-1].path if collector.files else "(archive)"


def _unreadable(entry: str, message: str) -> ArchiveRefused:
    return ArchiveRefused([EntryProblem(entry, "unreadable_archive", message)])


# Paths ----------------------------------------------------------------------------------


def _check_path(raw: bytes, collector: _Collector) -> tuple[str, str | None]:
    """(printable entry name, normalised relative path or None when refused)."""
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = raw.decode("utf-8", "backslashreplace")
        collector.refuse(shown, "non_utf8_name", f"the name {shown!r} is not UTF-8")
        return shown, None
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        collector.refuse(name, "invalid_name", f"the name {name!r} holds a control character")
        return name, None
    if "\\" in name:
        collector.refuse(name, "invalid_name", f"{name!r} holds a backslash; use `/` in paths")
        return name, None
    if name.startswith("/") or _DRIVE.match(name):
        collector.refuse(name, "absolute_path", f"{name!r} is an absolute path")
        return name, None
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        collector.refuse(name, "path_traversal", f"{name!r} leads outside the folder (`..`)")
        return name, None
    path = "/".join(parts)
    if len(path.encode()) > MAX_PATH_BYTES:
        collector.refuse(name, "invalid_name", f"the path is longer than {MAX_PATH_BYTES} bytes")
        return name, None
    return name, path


def _folded(path: str) -> str:
    """A path as a case-insensitive, normalisation-insensitive file system (macOS, Windows)
    sees it: `Notes.md` and `notes.md`, or `café` composed and decomposed, are one file there."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", path).casefold())


def ignored(path: str) -> bool:
    """Finder litter (`__MACOSX/`, `.DS_Store`): skipped in archives and folders alike."""
    parts = path.split("/")
    return parts[0] == _FINDER_DIR or parts[-1] == _FINDER_FILE


def _as_bundle(files: list[BundleFile]) -> Bundle:
    """Find `SKILL.md` at the root or inside one top-level folder, and strip that folder."""
    paths = {f.path for f in files}
    if SKILL_FILE not in paths:
        tops = {p.split("/", 1)[0] for p in paths}
        top = next(iter(tops)) if len(tops) == 1 else None
        if top is None or f"{top}/{SKILL_FILE}" not in paths:
            raise ArchiveRefused(
                [
                    EntryProblem(
                        SKILL_FILE,
                        "missing_skill_file",
                        f"no {SKILL_FILE} at the root of the archive or inside one top-level"
                        " folder",
                    )
                ]
            )
        files = [BundleFile(f.path.removeprefix(top + "/"), f.content, f.executable) for f in files]
    folders = {
        _folded("/".join(f.path.split("/")[:depth]))
        for f in files
        for depth in range(1, f.path.count("/") + 1)
    }
    clashes = [f.path for f in files if _folded(f.path) in folders]
    if clashes:
        raise ArchiveRefused(
            [
                EntryProblem(p, "duplicate_path", f"{p!r} is both a file and a folder")
                for p in clashes
            ]
        )
    return Bundle.of(files)


def _read_content(read: Callable[[int], bytes], name: str, budget: _Budget) -> bytes:
    chunks: list[bytes] = []
    while chunk := read(CHUNK):
        budget.take(len(chunk), name)
        chunks.append(chunk)
    return b"".join(chunks)


# tar.gz ---------------------------------------------------------------------------------


class _GunzipStream:
    """A gzip stream (members concatenated) decompressed on demand, in bounded steps.

    Every byte produced (tar headers and padding included) is checked against the bounds,
    with room for tar's own overhead, so a header that claims gigabytes stops early too.
    """

    def __init__(self, data: bytes, budget: _Budget, where: Callable[[], str]) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._decompressor = zlib.decompressobj(wbits=31)
        self._carry = b""
        self._produced = 0
        self._budget = budget
        self._where = where
        self._done = False

    def _slack(self) -> int:
        return TAR_OVERHEAD + TAR_OVERHEAD_PER_ENTRY * self._budget.limits.max_files

    def read(self, size: int = CHUNK) -> bytes:
        wanted = CHUNK if size < 0 else size
        out = bytearray()
        while len(out) < wanted and not self._done:
            if self._decompressor.eof:
                rest = self._decompressor.unused_data + self._carry
                self._carry = b""
                if rest[:2] != b"\x1f\x8b":
                    self._pos = len(self._data)  # trailing bytes after the last member
                    self._done = True
                    break
                self._decompressor = zlib.decompressobj(wbits=31)
                source = rest
            elif self._decompressor.unconsumed_tail:
                source = self._decompressor.unconsumed_tail
            elif self._carry:
                source, self._carry = self._carry, b""
            elif self._pos < len(self._data):
                source = bytes(self._data[self._pos : self._pos + CHUNK])
                self._pos += CHUNK
            else:
                self._done = True
                break
            piece = self._decompressor.decompress(source, min(CHUNK, wanted - len(out)))
            self._produced += len(piece)
            self._budget.check(self._produced, self._where(), self._slack())
            out += piece
        return bytes(out)


def _read_tar_gz(data: bytes, budget: _Budget, collector: _Collector) -> None:
    current = ["(archive)"]
    stream = _GunzipStream(data, budget, lambda: current[0])
    with tarfile.open(
        fileobj=cast(IO[bytes], stream),  # tarfile's stream mode only calls read()
        mode="r|",
        encoding="utf-8",
        errors="surrogateescape",
    ) as tar:
        for member in tar:
            raw = member.name.encode("utf-8", "surrogateescape")
            name, path = _check_path(raw, collector)
            current[0] = f"the entry after {name}"
            budget.entry(name)
            if path is None:
                continue
            if member.isdir() or ignored(path):
                continue
            if member.issym():
                collector.refuse(name, "symlink", f"{name!r} is a symbolic link")
            elif member.islnk():
                collector.refuse(name, "hard_link", f"{name!r} is a hard link")
            elif member.issparse():
                collector.refuse(name, "special_file", f"{name!r} is a sparse file")
            elif not member.isreg():
                collector.refuse(
                    name, "special_file", f"{name!r} is a device, FIFO or other special file"
                )
            elif collector.claim(name, path):
                handle = tar.extractfile(member)
                assert handle is not None  # a regular member always has data
                content = _read_content(handle.read, name, budget)
                collector.files.append(BundleFile(path, content, bool(member.mode & 0o111)))


# zip ------------------------------------------------------------------------------------


def _zip_entry_count(data: bytes, budget: _Budget) -> None:
    """Count central directory entries before zipfile parses them all into memory."""
    end = data.rfind(_ZIP_END, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return  # zipfile reports it
    (size_cd,) = struct.unpack_from("<I", data, end + 12)
    cd_end = end
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if data[record : record + 4] == _ZIP64_END:
            (size_cd,) = struct.unpack_from("<Q", data, record + 40)
            cd_end = record
    position = max(0, cd_end - size_cd)
    counter = _Budget(budget.limits, budget.archive_size)
    while position + 46 <= cd_end and data[position : position + 4] == _ZIP_CENTRAL:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        name = data[position + 46 : position + 46 + name_length].decode("utf-8", "replace")
        counter.entry(name)
        position += 46 + name_length + extra_length + comment_length


def _zip_name(info: zipfile.ZipInfo) -> bytes:
    if info.flag_bits & 0x800:
        return info.orig_filename.encode("utf-8", "surrogateescape")
    return info.orig_filename.encode("cp437")


def _read_zip(data: bytes, budget: _Budget, collector: _Collector) -> None:
    _zip_entry_count(data, budget)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name, path = _check_path(_zip_name(info), collector)
            budget.entry(name)
            if path is None:
                continue
            mode = info.external_attr >> 16 if info.create_system == 3 else 0
            is_dir = info.filename.endswith("/") or stat.S_ISDIR(mode)
            if is_dir or ignored(path):
                continue
            if stat.S_ISLNK(mode):
                collector.refuse(name, "symlink", f"{name!r} is a symbolic link")
            elif mode and not stat.S_ISREG(mode):
                collector.refuse(
                    name, "special_file", f"{name!r} is a device, FIFO or other special file"
                )
            elif info.flag_bits & 0x1:
                collector.refuse(name, "encrypted_entry", f"{name!r} is encrypted")
            elif collector.claim(name, path):
                with archive.open(info) as handle:
                    content = _read_content(handle.read, name, budget)
                collector.files.append(BundleFile(path, content, bool(mode & 0o111)))
