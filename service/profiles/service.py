"""Serving profiles: pick the version a reference names, then send its stored bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from service.artifacts.views import Identity
from service.db.models import ArtifactVersion
from service.errors import InvalidReference, NotFound, ProfileUnresolvable
from service.formats import names
from service.profiles.repository import ProfileRepository, StoredProfile
from service.profiles.resolver import AgentSource, Resolver
from service.resolution.graph import Candidate, Requirement, ResolutionError, resolve
from service.resolution.profile import profile_json_bytes, render_markdown
from service.resolution.refs import DigestRef, ExactRef, InvalidRef, parse_ref, split_name_ref
from service.resolution.semver import Version

Format = Literal["json", "markdown"]


@dataclass(frozen=True)
class ServedProfile:
    body: bytes
    format: Format
    identity: Identity
    version: str
    etag: str
    immutable: bool  # an exact version or digest: the same bytes for as long as its state holds
    deprecated: str | None = None


class ProfileService:
    def __init__(self, repository: ProfileRepository, default_namespace: str) -> None:
        self.repository = repository
        self.default_namespace = default_namespace
        self.resolver = Resolver(repository, default_namespace)

    async def get(
        self, spec: str, output: Format, *, resolve_latest: bool = False
    ) -> ServedProfile:
        """`name@ref` (or a bare name, meaning latest) to the profile it names."""
        identity, ref_text = self._parse_spec(spec)
        try:
            ref = parse_ref(ref_text or "latest")
        except InvalidRef as exc:
            raise InvalidReference(str(exc), reference=ref_text) from exc
        immutable = isinstance(ref, ExactRef | DigestRef)
        stored_output = "json" if resolve_latest else output
        if isinstance(ref, ExactRef):
            row = await self.repository.stored_profile(
                identity.namespace, identity.name, stored_output, version=ref_text
            )
        elif isinstance(ref, DigestRef):
            row = await self.repository.stored_profile(
                identity.namespace, identity.name, stored_output, digest=ref.digest
            )
        else:
            version = await self._choose(identity, ref_text or "latest")
            row = await self.repository.stored_profile(
                identity.namespace, identity.name, stored_output, version=version
            )
        if row is None:
            raise await self._not_found(identity, ref_text)
        if resolve_latest or row.body is None:
            full = await self.repository.version_row(row.id)
            return await self._resolved_now(identity, full, output, pinned=not resolve_latest)
        return ServedProfile(
            row.body, output, identity, row.version, _etag(row, output), immutable, row.deprecated
        )

    async def _choose(self, identity: Identity, ref_text: str) -> str:
        """The version a range or tag picks, by the same rules the skill resolver uses."""
        key = f"{identity.namespace}/{identity.name}"
        pair = (identity.namespace, identity.name)
        rows = await self.repository.version_states("agent", pair)
        if not rows:
            raise NotFound(f"no agent named {identity}", name=str(identity))
        candidates = [
            Candidate(key, Version.parse(version), digest, yanked=yanked)
            for version, digest, yanked in rows
        ]
        tags = {
            key: {
                tag: Version.parse(version)
                for _, _, tag, version in await self.repository.tags_of("agent", [pair])
            }
        }
        try:
            chosen = resolve(
                [Requirement(key, ref_text)], {key: candidates}, root="request", tags=tags
            )
        except ResolutionError as exc:
            available = ", ".join(
                str(c.version) for c in sorted(candidates, key=lambda c: c.version, reverse=True)
            )
            raise NotFound(
                f"no version of agent {identity} matches {ref_text!r} (yanked versions are only"
                f" served by exact version or digest); available: {available}",
                name=str(identity),
                reference=ref_text,
            ) from exc
        return str(chosen.order[0].version)

    async def _resolved_now(
        self, identity: Identity, row: ArtifactVersion, output: Format, *, pinned: bool
    ) -> ServedProfile:
        """Resolve again: against the stored lock (`pinned`), or today's versions."""
        source = AgentSource.from_row(identity.namespace, identity.name, row)
        resolved = await self.resolver.resolve_agent(source, row.lock if pinned else None)
        if resolved.profile is None:
            raise ProfileUnresolvable(
                f"agent {identity}@{row.version} does not resolve against today's versions",
                errors=[p.as_dict() for p in resolved.problems],
            )
        body = (
            profile_json_bytes(resolved.profile)
            if output == "json"
            else render_markdown(resolved.profile).encode()
        )
        etag = '"' + hashlib.sha256(body).hexdigest() + '"'
        return ServedProfile(
            body, output, identity, row.version, etag, False, row.deprecation_message
        )

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


def _etag(row: StoredProfile, output: Format) -> str:
    """Strong, from the digest and format; a yank or deprecation changes the bytes, and so the tag."""
    state = ""
    if row.yanked or row.deprecated is not None:
        marker = f"{row.yanked}:{row.deprecated}".encode()
        state = "." + hashlib.sha256(marker).hexdigest()[:12]
    return f'"{row.digest}.{output}{state}"'
