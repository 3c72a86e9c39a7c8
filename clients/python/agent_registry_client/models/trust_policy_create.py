from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.trust_policy_create_permissions_item import TrustPolicyCreatePermissionsItem

if TYPE_CHECKING:
    from ..models.trust_policy_create_claims import TrustPolicyCreateClaims


T = TypeVar("T", bound="TrustPolicyCreate")


@_attrs_define
class TrustPolicyCreate:
    """
    Attributes:
        issuer (str): The OIDC issuer, e.g. https://token.actions.githubusercontent.com
        audience (str):
        claims (TrustPolicyCreateClaims): Conditions on the token's claims: exact values or globs (`refs/heads/*`); at
            least one, since an issuer like GitHub signs tokens for every repository.
        namespaces (list[str]):
        permissions (list[TrustPolicyCreatePermissionsItem]):
    """

    issuer: str
    audience: str
    claims: TrustPolicyCreateClaims
    namespaces: list[str]
    permissions: list[TrustPolicyCreatePermissionsItem]

    def to_dict(self) -> dict[str, Any]:
        issuer = self.issuer

        audience = self.audience

        claims = self.claims.to_dict()

        namespaces = self.namespaces

        permissions = []
        for permissions_item_data in self.permissions:
            permissions_item = permissions_item_data.value
            permissions.append(permissions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "issuer": issuer,
                "audience": audience,
                "claims": claims,
                "namespaces": namespaces,
                "permissions": permissions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trust_policy_create_claims import TrustPolicyCreateClaims  # noqa: PLC0415

        d = dict(src_dict)
        issuer = d.pop("issuer")

        audience = d.pop("audience")

        claims = TrustPolicyCreateClaims.from_dict(d.pop("claims"))

        namespaces = cast(list[str], d.pop("namespaces"))

        permissions = []
        _permissions = d.pop("permissions")
        for permissions_item_data in _permissions:
            permissions_item = TrustPolicyCreatePermissionsItem(permissions_item_data)

            permissions.append(permissions_item)

        trust_policy_create = cls(
            issuer=issuer,
            audience=audience,
            claims=claims,
            namespaces=namespaces,
            permissions=permissions,
        )

        return trust_policy_create
