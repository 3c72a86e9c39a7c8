"""Strict SemVer 2.0.0 versions: parsing, ordering, and a sort key PostgreSQL can order by."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from functools import total_ordering

# The regular expression published at semver.org: `1.0` and `01.2.3` are not versions.
# `[0-9]`, not `\d`: Python's `\d` also matches non-ASCII digits such as `١`.
_SEMVER = re.compile(
    r"(?P<major>0|[1-9][0-9]*)\.(?P<minor>0|[1-9][0-9]*)\.(?P<patch>0|[1-9][0-9]*)"
    r"(?:-(?P<pre>(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
MAX_VERSION_LENGTH = 128
# Numeric identifiers are stored zero-padded so that text ordering is numeric ordering.
_NUMERIC_WIDTH = 20


class InvalidVersion(ValueError):
    pass


@total_ordering
@dataclass(frozen=True, slots=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()
    # The order key, computed once: choosing among many versions compares them often.
    _sort: tuple[int, int, int, int, tuple[str, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        release = 0 if self.prerelease else 1
        key = (self.major, self.minor, self.patch, release, tuple(self.prerelease_key()))
        object.__setattr__(self, "_sort", key)

    @classmethod
    def parse(cls, text: str) -> Version:
        """Versions are immutable, and the same texts come back (each choice of a range reads
        the top of an artifact's versions again), so recent parses are memoised."""
        if cls is Version:
            return _parse(text)
        return cls._parse_text(text)

    @classmethod
    def _parse_text(cls, text: str) -> Version:
        if len(text) > MAX_VERSION_LENGTH:
            raise InvalidVersion(f"version is longer than {MAX_VERSION_LENGTH} characters")
        match = _SEMVER.fullmatch(text)
        if match is None:
            raise InvalidVersion(
                f"{text!r} is not a SemVer 2.0.0 version (like 1.4.0 or 2.0.0-rc.1)"
            )
        major, minor, patch = (int(match.group(k)) for k in ("major", "minor", "patch"))
        if max(major, minor, patch) >= 2**63:
            raise InvalidVersion(f"{text!r} has a component too large to store")
        pre = tuple(match.group("pre").split(".")) if match.group("pre") else ()
        if any(ident.isdigit() and len(ident) > _NUMERIC_WIDTH for ident in pre):
            raise InvalidVersion(
                f"{text!r} has a numeric prerelease identifier over {_NUMERIC_WIDTH} digits"
            )
        build = tuple(match.group("build").split(".")) if match.group("build") else ()
        return cls(major, minor, patch, pre, build)

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def prerelease_key(self) -> list[str]:
        """Prerelease identifiers encoded so PostgreSQL's `text[] COLLATE "C"` order is SemVer's.

        Numeric identifiers sort before alphanumeric ones and numerically among themselves;
        a shorter list sorts before a longer one with the same prefix, as SemVer requires.
        """
        return [
            "0" + ident.zfill(_NUMERIC_WIDTH) if ident.isdigit() else "1" + ident
            for ident in self.prerelease
        ]

    def order_columns(self) -> tuple[int, int, int, bool, list[str]]:
        """How a version is stored for ordering (`artifact_versions`: major, minor, patch,
        is_release, prerelease; `ix_artifact_versions_order`): SemVer precedence is the
        columns' order, so queries can compare and sort by them."""
        return (self.major, self.minor, self.patch, not self.prerelease, self.prerelease_key())

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._sort < other._sort

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._sort == other._sort

    def __hash__(self) -> int:
        return hash((self.major, self.minor, self.patch, self.prerelease))

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text


# Small: choosing reads a page of versions at a time (service.profiles.repository), and every
# cached Version is an object each full garbage collection walks (README, "The garbage
# collector"): 16,384 of them would have added a few ms to each.
@functools.lru_cache(maxsize=1024)
def _parse(text: str) -> Version:
    return Version._parse_text(text)
