from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.namespace_policy_compatibility import NamespacePolicyCompatibility
from ..models.namespace_policy_source import NamespacePolicySource

T = TypeVar("T", bound="NamespacePolicy")


@_attrs_define
class NamespacePolicy:
    """
    Attributes:
        namespace (str):
        compatibility (NamespacePolicyCompatibility):
        source (NamespacePolicySource): `default` when no admin has set one (then it is `warn`).
    """

    namespace: str
    compatibility: NamespacePolicyCompatibility
    source: NamespacePolicySource

    def to_dict(self) -> dict[str, Any]:
        namespace = self.namespace

        compatibility = self.compatibility.value

        source = self.source.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "namespace": namespace,
                "compatibility": compatibility,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        namespace = d.pop("namespace")

        compatibility = NamespacePolicyCompatibility(d.pop("compatibility"))

        source = NamespacePolicySource(d.pop("source"))

        namespace_policy = cls(
            namespace=namespace,
            compatibility=compatibility,
            source=source,
        )

        return namespace_policy
