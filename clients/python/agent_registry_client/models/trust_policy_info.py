from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.trust_policy_info_claims import TrustPolicyInfoClaims


T = TypeVar("T", bound="TrustPolicyInfo")


@_attrs_define
class TrustPolicyInfo:
    """
    Attributes:
        id (str):
        issuer (str):
        audience (str):
        claims (TrustPolicyInfoClaims):
        namespaces (list[str]):
        permissions (list[str]):
        created_at (datetime.datetime):
        created_by (None | str):
    """

    id: str
    issuer: str
    audience: str
    claims: TrustPolicyInfoClaims
    namespaces: list[str]
    permissions: list[str]
    created_at: datetime.datetime
    created_by: None | str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        issuer = self.issuer

        audience = self.audience

        claims = self.claims.to_dict()

        namespaces = self.namespaces

        permissions = self.permissions

        created_at = self.created_at.isoformat()

        created_by: None | str
        created_by = self.created_by

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "issuer": issuer,
                "audience": audience,
                "claims": claims,
                "namespaces": namespaces,
                "permissions": permissions,
                "createdAt": created_at,
                "createdBy": created_by,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trust_policy_info_claims import TrustPolicyInfoClaims  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        issuer = d.pop("issuer")

        audience = d.pop("audience")

        claims = TrustPolicyInfoClaims.from_dict(d.pop("claims"))

        namespaces = cast(list[str], d.pop("namespaces"))

        permissions = cast(list[str], d.pop("permissions"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_created_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_by = _parse_created_by(d.pop("createdBy"))

        trust_policy_info = cls(
            id=id,
            issuer=issuer,
            audience=audience,
            claims=claims,
            namespaces=namespaces,
            permissions=permissions,
            created_at=created_at,
            created_by=created_by,
        )

        return trust_policy_info
