"""References to an artifact version: exact versions, npm-style ranges, tags and digests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nodesemver

from service.semver import InvalidVersion, Version

MAX_REF_LENGTH = 256
DIGEST_PREFIX = "sha256:"
LATEST = "latest"

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TAG = re.compile(r"[a-z][a-z0-9._-]{0,63}")
# Everything npm's range grammar can use; anything else (Unicode digits, control characters,
# newlines that `$` would forgive) is refused before nodesemver's regular expressions see it.
_RANGE_CHARS = re.compile(r"[0-9A-Za-z.+\-*^~<>=| ]*")
_WHITESPACE = re.compile(r"\s+")
_BUILD = re.compile(r"\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*")
# Numeric prerelease identifiers longer than this do not fit Version's sort key.
_MAX_NUMERIC_IDENT = 20


class InvalidRef(ValueError):
    """A reference that is none of: exact version, range, tag, digest."""


class InvalidRange(InvalidRef):
    """Text that is not an npm version range."""


@dataclass(frozen=True, slots=True)
class _Comparator:
    operator: str  # one of "", "=", "<", "<=", ">", ">="
    version: Version | None  # None: matches any version

    def test(self, version: Version) -> bool:
        if self.version is None:
            return True
        op, bound = self.operator, self.version
        if op in ("", "="):
            return version == bound
        if op == "<":
            return version < bound
        if op == "<=":
            return version <= bound
        if op == ">":
            return version > bound
        return version >= bound


@dataclass(frozen=True, slots=True)
class VersionRange:
    """An npm version range (node-semver 7 semantics, strict parsing, prereleases opt-in).

    Parsing and desugaring (`^`, `~`, x-ranges, hyphen ranges, `||`) is nodesemver's; testing
    is done here against our own `Version` ordering. Where the nodesemver 0.9 port differs from
    npm's node-semver 7.8 we follow npm (tests/resolution/npm_ranges.json holds npm's answers
    for 700 ranges over 320 versions, and the tests require identical results):

    - npm gives every upper bound it *derives* (`^1.2.3` -> `<2.0.0-0`, `1.x` -> `<2.0.0-0`,
      `<1.2` -> `<1.2.0-0`, `1.2.3 - 2.3` -> `<2.4.0-0`) a `-0` prerelease so that no prerelease
      of the excluded version slips in; the port writes `<2.0.0`, so `^1.2.3 >=2.0.0-alpha`
      matched `2.0.0-rc.1` there and matches nothing in npm. We add the `-0`.
    - npm refuses a wildcard followed by a number in an x-range (`1.x.1`, `*.2`); the port
      reads `1.x.1` as `1.x`. We refuse it.
    - npm strips build metadata (`+build`) from the whole range text before parsing; the port
      only tolerates it after a full version. We strip it first.
    - The port's regular expressions use `\\d` and `$`, which accept Unicode digits and a
      trailing newline; we refuse any text outside npm's ASCII range alphabet up front.

    An npm quirk kept for parity: when one `||` alternative is `*`, the whole range is `*`, so
    `1.2.3-beta || *` rejects `1.2.3-beta` (the `*` does not name a prerelease).
    """

    text: str
    _sets: tuple[tuple[_Comparator, ...], ...] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, text: str) -> VersionRange:
        if len(text) > MAX_REF_LENGTH:
            raise InvalidRange(f"range is longer than {MAX_REF_LENGTH} characters")
        normalised = _WHITESPACE.sub(" ", text).strip()
        if _RANGE_CHARS.fullmatch(normalised) is None:
            raise InvalidRange(f"{text!r} is not a version range: unexpected character")
        # npm strips build metadata from the whole range before parsing it.
        unbuilt = _BUILD.sub("", normalised)
        try:
            sets = tuple(_parse_set(part.strip()) for part in _OR.split(unbuilt))
        except (ValueError, TypeError, IndexError) as exc:
            raise InvalidRange(
                f"{text!r} is not a version range (like ^1.2, ~1.2.3, >=1.0 <2, 1.x)"
            ) from exc
        if len(sets) > 1:
            # npm: an alternative that accepts everything makes the whole range `*`.
            for comparators in sets:
                if all(c.version is None for c in comparators):
                    sets = (comparators,)
                    break
        return cls(normalised, sets)

    def satisfies(self, version: Version) -> bool:
        return any(_test_set(comparators, version) for comparators in self._sets)

    def bounds(self) -> tuple[Version | None, Version | None]:
        """The lowest and highest version this range could accept (None: unbounded), both
        inclusive: every version it accepts lies between them. A database can then read only
        the versions between the two, highest first (service.profiles.repository)."""
        lows: list[Version | None] = []
        highs: list[Version | None] = []
        for comparators in self._sets:
            low = [c.version for c in comparators if c.version and c.operator in _LOWER]
            high = [c.version for c in comparators if c.version and c.operator in _UPPER]
            lows.append(max(low) if low else None)
            highs.append(min(high) if high else None)
        lowest = None if None in lows else min(v for v in lows if v is not None)
        highest = None if None in highs else max(v for v in highs if v is not None)
        return lowest, highest

    def __str__(self) -> str:
        return self.text


_OR = re.compile(r"\s*\|\|\s*")
# Operators whose version bounds what a comparator accepts from below, and from above.
_LOWER = frozenset({"", "=", ">", ">="})
_UPPER = frozenset({"", "=", "<", "<="})
# A token that is already a complete comparator (`<2.0.0`, `1.2.3`, `>=1.0.0-rc.1`): written by
# the user, so its bound is kept exactly as written. Anything else is desugared by nodesemver.
_PLAIN = nodesemver.regexp[nodesemver.COMPARATOR]


def _hyphen_replace(match: re.Match[str]) -> str:
    expanded: str = nodesemver.hyphen_replace(match)
    return " ".join(_lower_derived_bound(c) for c in expanded.split())


def _lower_derived_bound(comparator: str) -> str:
    # `<X.Y.Z` derived from a partial version excludes X.Y.Z's prereleases too (npm's `-0`).
    if comparator.startswith("<") and not comparator.startswith("<=") and "-" not in comparator:
        return comparator + "-0"
    return comparator


def _parse_set(part: str) -> tuple[_Comparator, ...]:
    # The same steps, in the same order, as nodesemver.Range.parse_range (strict mode).
    part = nodesemver.regexp[nodesemver.HYPHENRANGE].sub(_hyphen_replace, part)
    part = nodesemver.regexp[nodesemver.COMPARATORTRIM].sub(nodesemver.comparatorTrimReplace, part)
    part = nodesemver.regexp[nodesemver.TILDETRIM].sub(nodesemver.tildeTrimReplace, part)
    part = nodesemver.regexp[nodesemver.CARETTRIM].sub(nodesemver.caretTrimReplace, part)
    comparators: list[_Comparator] = []
    for token in part.split() or [""]:
        if token and _PLAIN.search(token):
            expanded = [token]
        else:
            expanded = [_lower_derived_bound(c) for c in _desugar(token).split()] or [""]
        comparators.extend(_comparator(c) for c in expanded)
    return tuple(comparators)


def _desugar(token: str) -> str:
    # nodesemver.parse_comparator, with npm 7's x-range order check inserted before x-ranges.
    token = nodesemver.replace_carets(token, False)
    token = nodesemver.replace_tildes(token, False)
    for piece in token.split():
        match = _XRANGE.search(piece)
        if match is not None and _invalid_xrange_order(*match.group(2, 3, 4)):
            raise ValueError(f"{piece!r} has a wildcard before a number")
    token = nodesemver.replace_xranges(token, False)
    result: str = nodesemver.replace_stars(token, False)
    return result


_XRANGE = nodesemver.regexp[nodesemver.XRANGE]


def _is_x(ident: str | None) -> bool:
    return not ident or ident.lower() == "x" or ident == "*"


def _invalid_xrange_order(major: str | None, minor: str | None, patch: str | None) -> bool:
    return (_is_x(major) and not _is_x(minor)) or (
        _is_x(minor) and bool(patch) and not _is_x(patch)
    )


def _comparator(text: str) -> _Comparator:
    parsed = nodesemver.Comparator(text, False)
    if parsed.semver is nodesemver.ANY:
        return _Comparator("", None)
    sv = parsed.semver
    prerelease = tuple(str(ident) for ident in sv.prerelease)
    if any(ident.isdigit() and len(ident) > _MAX_NUMERIC_IDENT for ident in prerelease):
        raise ValueError(f"prerelease identifier in {text!r} is too long")
    return _Comparator(parsed.operator, Version(sv.major, sv.minor, sv.patch, prerelease))


def _test_set(comparators: tuple[_Comparator, ...], version: Version) -> bool:
    if not all(c.test(version) for c in comparators):
        return False
    if not version.is_prerelease:
        return True
    # npm: a prerelease only matches when some comparator names a prerelease of the same
    # [major, minor, patch], so `^1.2.3-beta.2` takes `1.2.3-beta.3` but not `1.2.4-alpha`.
    return any(
        c.version is not None
        and c.version.is_prerelease
        and (c.version.major, c.version.minor, c.version.patch)
        == (version.major, version.minor, version.patch)
        for c in comparators
    )


@dataclass(frozen=True, slots=True)
class ExactRef:
    version: Version

    def __str__(self) -> str:
        return str(self.version)


@dataclass(frozen=True, slots=True)
class RangeRef:
    range: VersionRange

    def allows(self, version: Version, *, yanked: bool) -> bool:
        """A range never chooses a yanked version (an exact version or a digest may)."""
        return not yanked and self.range.satisfies(version)

    def __str__(self) -> str:
        return self.range.text


@dataclass(frozen=True, slots=True)
class TagRef:
    tag: str

    def __str__(self) -> str:
        return self.tag


@dataclass(frozen=True, slots=True)
class DigestRef:
    digest: str

    def __str__(self) -> str:
        return self.digest


Ref = ExactRef | RangeRef | TagRef | DigestRef


def parse_ref(text: str) -> Ref:
    """Classify a reference. Precedence: digest, exact version, range, tag.

    Empty text and `latest` are the `latest` tag. A tag is `[a-z][a-z0-9._-]{0,63}` that is not
    also a range, so `x` and `v1` are ranges. `=1.2.3` and `v1.2.3` are ranges that match one
    version, and like every range they never pick a yanked version; `1.2.3` is exact and may.
    """
    stripped = text.strip()
    if len(stripped) > MAX_REF_LENGTH:
        raise InvalidRef(f"reference is longer than {MAX_REF_LENGTH} characters")
    if not stripped or stripped == LATEST:
        return TagRef(LATEST)
    if stripped.startswith(DIGEST_PREFIX):
        if _DIGEST.fullmatch(stripped) is None:
            raise InvalidRef(
                f"{stripped!r} is not a digest: expected sha256: and 64 lowercase hex digits"
            )
        return DigestRef(stripped)
    try:
        return ExactRef(Version.parse(stripped))
    except InvalidVersion:
        pass
    try:
        return RangeRef(VersionRange.parse(stripped))
    except InvalidRange:
        pass
    if _TAG.fullmatch(stripped):
        return TagRef(stripped)
    raise InvalidRef(
        f"{stripped!r} is not a version (1.4.0), range (^1.2, >=1.0 <2), tag (latest, stable) "
        "or digest (sha256:...)"
    )


def split_name_ref(text: str) -> tuple[str, str | None]:
    """Split `name@ref` (`ns/name@>=1.0 <2`) at the first `@`; no `@` gives `(name, None)`.

    The name is not validated here beyond being non-empty; the ref is returned stripped and
    unparsed. `name@` with nothing after the `@` is refused rather than read as `latest`.
    """
    name, sep, ref = text.partition("@")
    name = name.strip()
    if not name:
        raise InvalidRef(f"{text.strip()!r} names no artifact before '@'")
    if not sep:
        return name, None
    ref = ref.strip()
    if not ref:
        raise InvalidRef(f"{text.strip()!r} has nothing after '@'")
    return name, ref
