"""Serving profiles: pick the version a reference names, then send its stored bytes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from service.db.faults import OutageMemory, database_unavailable
from service.db.models import ArtifactVersion
from service.errors import Forbidden, InvalidReference, NotFound, ProfileUnresolvable
from service.formats import names
from service.formats.names import Identity
from service.profiles.cache import CachedProfile, Format, ProfileCache, ProfileKey
from service.profiles.repository import ProfileRepository, profile_etag
from service.profiles.resolver import AgentSource, Resolver
from service.resolution.profile import profile_json_bytes, render_markdown
from service.resolution.refs import (
    LATEST,
    DigestRef,
    ExactRef,
    InvalidRef,
    RangeRef,
    Ref,
    TagRef,
    parse_ref,
    split_name_ref,
)
from service.semver import Version


@dataclass(frozen=True)
class ServedProfile:
    body: bytes
    format: Format
    identity: Identity
    version: str
    etag: str
    exact: bool  # the ref named this version: no `Content-Location` needed
    moving: bool  # a tag, a range or `?resolve=latest` chose it: the answer may change
    yanked: bool = False
    yank_reason: str | None = None
    deprecated: str | None = None
    deprecated_at: dt.datetime | None = None
    stale: bool = False  # from memory: the database could not be asked


class ProfileService:
    def __init__(
        self,
        repository: ProfileRepository,
        default_namespace: str,
        cache: ProfileCache,
        outage: OutageMemory,
    ) -> None:
        self.outage = outage
        self.repository = repository
        self.default_namespace = default_namespace
        self.resolver = Resolver(repository, default_namespace)
        self.cache = cache

    async def get(
        self,
        spec: str,
        output: Format,
        *,
        resolve_latest: bool = False,
        readable: frozenset[str] | None = None,
    ) -> ServedProfile:
        """`name@ref` (or a bare name, meaning latest) to the profile it names; `readable`:
        the namespaces the caller may read (None: every one), where a route's guard has not
        already checked the namespace (a batch names several).

        When the database cannot be reached, an answer this process served before comes from
        memory, marked stale; anything else fails as the outage it is (never a 404)."""
        identity, ref_text = self._parse_spec(spec)
        if readable is not None and identity.namespace not in readable:
            raise Forbidden(
                f"the token may not read namespace {identity.namespace}", permission="read"
            )
        try:
            ref = parse_ref(ref_text or "latest")
        except InvalidRef as exc:
            raise InvalidReference(str(exc), reference=ref_text) from exc
        key = ProfileKey(identity.namespace, identity.name, ref_text or "latest", output)
        cached = None if resolve_latest else self.cache.get(key)
        exact = isinstance(ref, ExactRef)
        if cached is not None and self.outage.recent:
            return _from_cache(cached, identity, output, exact=exact)
        stamp = self.cache.stamp(key)
        try:
            served = await self._fetch(identity, ref, ref_text, output, resolve_latest)
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            self.outage.failed()
            if cached is None:
                raise
            return _from_cache(cached, identity, output, exact=exact)
        self.outage.succeeded()
        if not resolve_latest:
            self.cache.put(key, _to_cache(served), stamp)
        return served

    async def _fetch(
        self,
        identity: Identity,
        ref: Ref,
        ref_text: str | None,
        output: Format,
        resolve_latest: bool,
    ) -> ServedProfile:
        if isinstance(ref, ExactRef):
            version = ref_text or ""
        elif isinstance(ref, DigestRef):
            version = await self._by_digest(identity, ref.digest)
        else:
            version = await self._choose(identity, ref, ref_text or LATEST)
        exact = isinstance(ref, ExactRef)
        moving = resolve_latest or not isinstance(ref, ExactRef | DigestRef)
        stored_output = "json" if resolve_latest else output
        row = await self.repository.stored_profile(
            identity.namespace, identity.name, stored_output, version=version
        )
        if row is None:
            raise await self._not_found(identity, ref_text)
        if resolve_latest or row.body is None:
            full = await self.repository.version_row(row.id)
            body = await self._resolved_now(identity, full, output, pinned=not resolve_latest)
            row = replace(row, body=body, body_sha256=None)  # not the stored body: hashed
        else:
            body = row.body
        return ServedProfile(
            body,
            output,
            identity,
            row.version,
            profile_etag(row, output, resolve_latest=resolve_latest),
            exact,
            moving,
            row.yanked,
            row.yank_reason,
            row.deprecated,
            row.deprecated_at,
        )

    async def _by_digest(self, identity: Identity, digest: str) -> str:
        """Several versions may share a digest (published from the same bytes): the highest
        non-yanked one, else the highest."""
        pair = (identity.namespace, identity.name)
        version = await self.repository.highest_with_digest("agent", pair, digest)
        if version is None:
            raise await self._not_found(identity, digest)
        return version

    async def _choose(self, identity: Identity, ref: RangeRef | TagRef, ref_text: str) -> str:
        """The version a range or tag picks, by the skill resolver's rules
        (service.resolution.graph): a range, its highest allowed version; a tag, the version it
        points at unless yanked; `latest` untagged (or tagged on a yanked version), the highest
        release not yanked. Only the versions that can be the answer are read."""
        pair = (identity.namespace, identity.name)
        version: str | None
        if isinstance(ref, RangeRef):
            version = await self.repository.highest_in_range("agent", pair, ref)
        else:
            tagged = await self.repository.tagged("agent", pair, ref.tag)
            version = tagged[0] if tagged is not None and not tagged[1] else None
            if version is None and ref.tag == LATEST:
                version = await self.repository.highest_stable("agent", pair)
        if version is not None:
            return version
        rows = await self.repository.version_states("agent", pair)
        if not rows:
            raise NotFound(f"no agent named {identity}", name=str(identity))
        available = ", ".join(
            str(v) for v in sorted((Version.parse(v) for v, _, _ in rows), reverse=True)
        )
        raise NotFound(
            f"no version of agent {identity} matches {ref_text!r} (yanked versions are only"
            f" served by exact version or digest); available: {available}",
            name=str(identity),
            reference=ref_text,
        )

    async def _resolved_now(
        self, identity: Identity, row: ArtifactVersion, output: Format, *, pinned: bool
    ) -> bytes:
        """Resolve again: against the stored lock (`pinned`), or today's versions."""
        source = AgentSource.from_row(identity.namespace, identity.name, row)
        resolved = await self.resolver.resolve_agent(source, row.lock if pinned else None)
        if resolved.profile is None:
            raise ProfileUnresolvable(
                f"agent {identity}@{row.version} does not resolve against today's versions",
                errors=[p.as_dict() for p in resolved.problems],
            )
        return (
            profile_json_bytes(resolved.profile)
            if output == "json"
            else render_markdown(resolved.profile).encode()
        )

    def identity(self, spec: str) -> Identity:
        """The agent a `name@ref` names (InvalidReference when it names none)."""
        return self._parse_spec(spec)[0]

    def _parse_spec(self, spec: str) -> tuple[Identity, str | None]:
        try:
            qualified, ref = split_name_ref(spec)
            namespace, name = names.split_qualified(qualified, self.default_namespace)
        except (InvalidRef, names.InvalidName) as exc:
            raise InvalidReference(str(exc), reference=spec) from exc
        return Identity(namespace, name), ref

    async def _not_found(self, identity: Identity, ref_text: str | None) -> NotFound:
        if not await self.repository.version_states("agent", (identity.namespace, identity.name)):
            return NotFound(f"no agent named {identity}", name=str(identity))
        return NotFound(
            f"agent {identity} has no version {ref_text}", name=str(identity), reference=ref_text
        )


def _to_cache(served: ServedProfile) -> CachedProfile:
    return CachedProfile(
        version=served.version,
        moving=served.moving,
        body=served.body,
        etag=served.etag,
        yanked=served.yanked,
        yank_reason=served.yank_reason,
        deprecated=served.deprecated,
        deprecated_at=served.deprecated_at,
    )


def _from_cache(
    cached: CachedProfile, identity: Identity, output: Format, *, exact: bool
) -> ServedProfile:
    return ServedProfile(
        cached.body,
        output,
        identity,
        cached.version,
        cached.etag,
        exact,
        cached.moving,
        cached.yanked,
        cached.yank_reason,
        cached.deprecated,
        cached.deprecated_at,
        stale=True,
    )
