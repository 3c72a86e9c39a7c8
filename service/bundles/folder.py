"""A skill folder on disk as a `Bundle`, for publishing from a checkout."""

from __future__ import annotations

from pathlib import Path

from service.bundles.archive import ignored
from service.bundles.manifest import Bundle, BundleFile

# Version-control metadata is never part of a skill.
_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})


def read_folder(folder: Path) -> Bundle:
    """Every regular file under `folder` (symbolic links followed), with its executable bit."""
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if (
            not path.is_file()
            or ignored(relative)
            or _SKIPPED_DIRS.intersection(relative.split("/"))
        ):
            continue
        executable = bool(path.stat().st_mode & 0o111)
        files.append(BundleFile(relative, path.read_bytes(), executable))
    return Bundle.of(files)
