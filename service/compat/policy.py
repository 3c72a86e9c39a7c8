"""Compatibility policies (namespace, overridden per artifact) and the check run on publish."""

from __future__ import annotations

from typing import Any, cast

from service.audit.actor import Actor
from service.audit.repository import AuditRepository
from service.compat.classify import check_release
from service.compat.repository import PolicyRepository
from service.compat.schemas import ArtifactPolicy, Compatibility, NamespacePolicy
from service.compat.snapshot import Snapshot
from service.errors import NotFound
from service.formats import names
from service.formats.kinds import DOCUMENT_KINDS, DocumentKind
from service.formats.names import Identity
from service.formats.problems import Problem, error, warning

DEFAULT_POLICY: Compatibility = "warn"


class PolicyService:
    def __init__(self, repository: PolicyRepository, default_namespace: str) -> None:
        self.repository = repository
        self.default_namespace = default_namespace

    async def namespace(self, namespace: str) -> NamespacePolicy:
        _check_namespace(namespace)
        return _namespace_policy(namespace, await self.repository.namespace_policy(namespace))

    async def set_namespace(
        self, namespace: str, compatibility: Compatibility, *, actor: Actor
    ) -> NamespacePolicy:
        _check_namespace(namespace)
        stored = await self.repository.set_namespace_policy(namespace, compatibility, actor.name)
        self._audit(actor, "namespace", namespace, "", {"compatibility": compatibility})
        return _namespace_policy(namespace, stored)

    async def artifact(self, kind: DocumentKind, qualified_name: str) -> ArtifactPolicy:
        identity = self._identity(qualified_name)
        found = await self.repository.policies(kind, identity.namespace, identity.name)
        return _artifact_policy(kind, identity, found)

    async def set_artifact(
        self,
        kind: DocumentKind,
        qualified_name: str,
        compatibility: Compatibility | None,
        *,
        actor: Actor,
    ) -> ArtifactPolicy:
        identity = self._identity(qualified_name)
        found = await self.repository.set_artifact_policy(
            kind, identity.namespace, identity.name, compatibility
        )
        policy = _artifact_policy(kind, identity, found)
        self._audit(
            actor, kind, identity.namespace, identity.name, {"compatibility": compatibility}
        )
        return policy

    def _identity(self, qualified_name: str) -> Identity:
        try:
            return Identity(*names.split_qualified(qualified_name, self.default_namespace))
        except names.InvalidName as exc:
            raise NotFound(str(exc)) from exc

    def _audit(
        self, actor: Actor, kind: str, namespace: str, name: str, details: dict[str, Any]
    ) -> None:
        # Not a feed event (service.changes.events): the audit record alone.
        AuditRepository(self.repository.session).add(
            actor, "set_policy", kind=kind, namespace=namespace, name=name, details=details
        )


def _namespace_policy(namespace: str, stored: str | None) -> NamespacePolicy:
    return NamespacePolicy(
        namespace=namespace,
        compatibility=cast(Compatibility, stored or DEFAULT_POLICY),
        source="namespace" if stored else "default",
    )


def _artifact_policy(
    kind: DocumentKind, identity: Identity, found: tuple[str | None, str | None] | None
) -> ArtifactPolicy:
    """From (the artifact's own policy, its namespace's); NotFound when there is no artifact."""
    if found is None:
        raise NotFound(f"no {kind} named {identity}", kind=kind, name=str(identity))
    own, stored = found
    inherited = _namespace_policy(identity.namespace, stored)
    return ArtifactPolicy(
        kind=kind,
        namespace=identity.namespace,
        name=identity.name,
        compatibility=cast(Compatibility, own) if own else inherited.compatibility,
        source="artifact" if own else inherited.source,
        override=cast(Compatibility | None, own),
    )


def _check_namespace(namespace: str) -> None:
    if reason := names.name_problem(namespace):
        raise NotFound(f"namespace {namespace!r} {reason}", namespace=namespace)


def release_problems(policy: str | None, old: Snapshot | None, new: Snapshot) -> list[Problem]:
    """`new` compared with the release below it (`old`, None when there is none) under the
    artifact's policy (None: the default): errors under `enforce`, warnings under `warn`."""
    chosen = policy or DEFAULT_POLICY
    if old is None or new.kind not in DOCUMENT_KINDS or chosen == "none":
        return []
    make = error if chosen == "enforce" else warning
    return [make(f.loc, f.code, f.message) for f in check_release(old, new)]
