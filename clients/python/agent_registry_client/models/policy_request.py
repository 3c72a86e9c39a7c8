from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.policy_request_compatibility import PolicyRequestCompatibility

T = TypeVar("T", bound="PolicyRequest")


@_attrs_define
class PolicyRequest:
    """
    Attributes:
        compatibility (PolicyRequestCompatibility): `none`: no check; `warn` (default): findings are warnings;
            `enforce`: a minor or patch release with findings is refused (422).
    """

    compatibility: PolicyRequestCompatibility

    def to_dict(self) -> dict[str, Any]:
        compatibility = self.compatibility.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "compatibility": compatibility,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        compatibility = PolicyRequestCompatibility(d.pop("compatibility"))

        policy_request = cls(
            compatibility=compatibility,
        )

        return policy_request
