from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_entry_actor_claims_type_0 import AuditEntryActorClaimsType0
    from ..models.audit_entry_details import AuditEntryDetails


T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """
    Attributes:
        id (int):
        at (datetime.datetime):
        actor (str): Token name, OIDC subject, `anonymous`, or the system.
        actor_kind (str): anonymous, token, oidc, bootstrap or system.
        action (str): publish, tag, untag, yank, unyank, deprecate, undeprecate, token.create, token.revoke,
            namespace.create, trust_policy.create, trust_policy.delete, denied, unauthenticated.
        kind (None | str):
        namespace (None | str):
        name (None | str):
        version (None | str):
        digest (None | str):
        request_id (None | str):
        client_address (None | str):
        details (AuditEntryDetails):
        actor_id (None | str | Unset): The token's id, when there is one.
        actor_claims (AuditEntryActorClaimsType0 | None | Unset): For OIDC: the claims the trust policy matched on.
    """

    id: int
    at: datetime.datetime
    actor: str
    actor_kind: str
    action: str
    kind: None | str
    namespace: None | str
    name: None | str
    version: None | str
    digest: None | str
    request_id: None | str
    client_address: None | str
    details: AuditEntryDetails
    actor_id: None | str | Unset = UNSET
    actor_claims: AuditEntryActorClaimsType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_entry_actor_claims_type_0 import AuditEntryActorClaimsType0  # noqa: PLC0415

        id = self.id

        at = self.at.isoformat()

        actor = self.actor

        actor_kind = self.actor_kind

        action = self.action

        kind: None | str
        kind = self.kind

        namespace: None | str
        namespace = self.namespace

        name: None | str
        name = self.name

        version: None | str
        version = self.version

        digest: None | str
        digest = self.digest

        request_id: None | str
        request_id = self.request_id

        client_address: None | str
        client_address = self.client_address

        details = self.details.to_dict()

        actor_id: None | str | Unset
        if isinstance(self.actor_id, Unset):
            actor_id = UNSET
        else:
            actor_id = self.actor_id

        actor_claims: dict[str, Any] | None | Unset
        if isinstance(self.actor_claims, Unset):
            actor_claims = UNSET
        elif isinstance(self.actor_claims, AuditEntryActorClaimsType0):
            actor_claims = self.actor_claims.to_dict()
        else:
            actor_claims = self.actor_claims

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "at": at,
                "actor": actor,
                "actorKind": actor_kind,
                "action": action,
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "version": version,
                "digest": digest,
                "requestId": request_id,
                "clientAddress": client_address,
                "details": details,
            }
        )
        if actor_id is not UNSET:
            field_dict["actorId"] = actor_id
        if actor_claims is not UNSET:
            field_dict["actorClaims"] = actor_claims

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_actor_claims_type_0 import AuditEntryActorClaimsType0  # noqa: PLC0415
        from ..models.audit_entry_details import AuditEntryDetails  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        actor = d.pop("actor")

        actor_kind = d.pop("actorKind")

        action = d.pop("action")

        def _parse_kind(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        kind = _parse_kind(d.pop("kind"))

        def _parse_namespace(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        namespace = _parse_namespace(d.pop("namespace"))

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        version = _parse_version(d.pop("version"))

        def _parse_digest(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        digest = _parse_digest(d.pop("digest"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("requestId"))

        def _parse_client_address(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        client_address = _parse_client_address(d.pop("clientAddress"))

        details = AuditEntryDetails.from_dict(d.pop("details"))

        def _parse_actor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor_id = _parse_actor_id(d.pop("actorId", UNSET))

        def _parse_actor_claims(data: object) -> AuditEntryActorClaimsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                actor_claims_type_0 = AuditEntryActorClaimsType0.from_dict(data)

                return actor_claims_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEntryActorClaimsType0 | None | Unset, data)

        actor_claims = _parse_actor_claims(d.pop("actorClaims", UNSET))

        audit_entry = cls(
            id=id,
            at=at,
            actor=actor,
            actor_kind=actor_kind,
            action=action,
            kind=kind,
            namespace=namespace,
            name=name,
            version=version,
            digest=digest,
            request_id=request_id,
            client_address=client_address,
            details=details,
            actor_id=actor_id,
            actor_claims=actor_claims,
        )

        return audit_entry
