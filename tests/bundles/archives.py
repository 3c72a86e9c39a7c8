"""Archives built in the tests: ordinary and hostile tar.gz and zip files, and 1 GiB bombs."""

from __future__ import annotations

import functools
import gzip
import io
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

SKILL_MD = b"---\nname: helper\ndescription: Helps with things.\n---\n\n# helper\n\nRun `scripts/run.sh`.\n"
MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Entry:
    name: str | bytes
    content: bytes = b""
    kind: str = "file"  # file, dir, symlink, hardlink, chr, blk, fifo
    mode: int = 0o644
    link: str = ""
    mtime: int = 1_700_000_000


SCRIPT = b'#!/bin/sh\nexec pytest -q "$@"\n'
NOTES = b"# Fixtures\n\nUse tmp_path.\n"


def skill_folder() -> list[Entry]:
    """A skill with a script (executable) and a reference beside its SKILL.md."""
    return [
        Entry("SKILL.md", SKILL_MD),
        Entry("scripts/run.sh", SCRIPT, mode=0o755),
        Entry("references/fixtures.md", NOTES),
    ]


def folder(**extra: bytes) -> list[Entry]:
    """A valid skill folder: SKILL.md plus the given files (name → content)."""
    return [Entry("SKILL.md", SKILL_MD), *(Entry(name, data) for name, data in extra.items())]


_TAR_TYPES = {
    "file": tarfile.REGTYPE,
    "dir": tarfile.DIRTYPE,
    "symlink": tarfile.SYMTYPE,
    "hardlink": tarfile.LNKTYPE,
    "chr": tarfile.CHRTYPE,
    "blk": tarfile.BLKTYPE,
    "fifo": tarfile.FIFOTYPE,
}


def tar_gz(entries: list[Entry], *, fmt: int = tarfile.GNU_FORMAT) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(
        fileobj=raw, mode="w", format=fmt, encoding="utf-8", errors="surrogateescape"
    ) as tar:
        for entry in entries:
            name = (
                entry.name.decode("utf-8", "surrogateescape")
                if isinstance(entry.name, bytes)
                else entry.name
            )
            info = tarfile.TarInfo(name)
            info.type = _TAR_TYPES[entry.kind]
            info.mode = entry.mode
            info.mtime = entry.mtime
            info.linkname = entry.link
            data = entry.content if entry.kind == "file" else b""
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


Builder = Callable[[list[Entry]], bytes]


_ZIP_MODES = {
    "file": stat.S_IFREG,
    "dir": stat.S_IFDIR,
    "symlink": stat.S_IFLNK,
    "chr": stat.S_IFCHR,
    "blk": stat.S_IFBLK,
    "fifo": stat.S_IFIFO,
}


def zip_bytes(entries: list[Entry], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip; a `bytes` name is written raw (no UTF-8 flag), even when it is not UTF-8."""
    out = io.BytesIO()
    raw_names: list[tuple[bytes, bytes]] = []
    with zipfile.ZipFile(out, "w", method) as archive:
        for index, entry in enumerate(entries):
            name = entry.name
            if isinstance(name, bytes):
                placeholder = f"{index:0{len(name)}d}"[-len(name) :].encode()
                raw_names.append((placeholder, name))
                name = placeholder.decode()
            if entry.kind == "dir" and not name.endswith("/"):
                name += "/"
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
            info.create_system = 3
            info.external_attr = (_ZIP_MODES[entry.kind] | entry.mode) << 16
            info.compress_type = method
            content = entry.link.encode() if entry.kind == "symlink" else entry.content
            archive.writestr(info, content)
    data = out.getvalue()
    for placeholder, name in raw_names:
        data = data.replace(placeholder, name)
    return data


BUILDERS: dict[str, Builder] = {"tar.gz": tar_gz, "zip": zip_bytes}


def _zero_deflate(total: int, head: bytes = b"", tail: bytes = b"") -> tuple[bytes, int]:
    """Raw deflate of head + `total` zero bytes + tail, and its CRC-32, built without ever
    compressing a gigabyte: after a full flush every MiB of zeros compresses to the same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(MIB)
    parts = [compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)]
    segment = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert total % MIB == 0
    parts.append(segment * (total // MIB))
    parts.append(compressor.compress(tail) + compressor.flush())
    crc = zlib.crc32(head)
    for _ in range(total // MIB):
        crc = zlib.crc32(chunk, crc)
    return b"".join(parts), zlib.crc32(tail, crc)


@functools.cache
def tar_gz_bomb(size: int = GIB) -> bytes:
    """A tar.gz of about 1 MiB holding SKILL.md and one file of `size` zero bytes."""
    skill = tarfile.TarInfo("SKILL.md")
    skill.size = len(SKILL_MD)
    head = skill.tobuf(tarfile.GNU_FORMAT) + SKILL_MD + bytes(-len(SKILL_MD) % 512)
    zeros = tarfile.TarInfo("assets/zeros.bin")
    zeros.size = size
    head += zeros.tobuf(tarfile.GNU_FORMAT)
    tail = bytes(1024)  # the end-of-archive blocks
    deflated, crc = _zero_deflate(size, head, tail)
    length = len(head) + size + len(tail)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + deflated + struct.pack("<II", crc, length & 0xFFFFFFFF)


@functools.cache
def zip_bomb(size: int = GIB) -> bytes:
    """A zip of about 1 MiB holding SKILL.md and one deflated file of `size` zero bytes (zip64)."""
    small = zip_bytes(folder())
    # Reuse the small archive's SKILL.md entry: its local header and data come first.
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        skill_info = archive.infolist()[0]
    skill_end = skill_info.header_offset + 30 + len(b"SKILL.md") + skill_info.compress_size
    local_skill = small[:skill_end]
    central_skill = small[small.index(b"PK\x01\x02") : small.index(b"PK\x05\x06")]
    deflated, crc = _zero_deflate(size)
    name = b"assets/zeros.bin"
    offset = len(local_skill)
    zip64 = struct.pack("<HHQQ", 1, 16, size, len(deflated))
    local = (
        struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            45,
            0,
            8,
            0,
            0,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(zip64),
        )
        + name
        + zip64
    )
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            (3 << 8) | 45,
            45,
            0,
            8,
            0,
            0,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(zip64),
            0,
            0,
            0,
            0o100644 << 16,
            offset,
        )
        + name
        + zip64
    )
    body = local_skill + local + deflated
    directory = central_skill + central
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), len(body), 0)
    return body + directory + end
