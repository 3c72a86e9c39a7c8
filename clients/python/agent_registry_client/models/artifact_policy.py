from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.artifact_policy_compatibility import ArtifactPolicyCompatibility
from ..models.artifact_policy_kind import ArtifactPolicyKind
from ..models.artifact_policy_override_type_0 import ArtifactPolicyOverrideType0
from ..models.artifact_policy_source import ArtifactPolicySource

T = TypeVar("T", bound="ArtifactPolicy")


@_attrs_define
class ArtifactPolicy:
    """
    Attributes:
        kind (ArtifactPolicyKind):
        namespace (str):
        name (str):
        compatibility (ArtifactPolicyCompatibility): The policy publishing applies.
        source (ArtifactPolicySource):
        override (ArtifactPolicyOverrideType0 | None): The artifact's own policy, if set.
    """

    kind: ArtifactPolicyKind
    namespace: str
    name: str
    compatibility: ArtifactPolicyCompatibility
    source: ArtifactPolicySource
    override: ArtifactPolicyOverrideType0 | None

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        compatibility = self.compatibility.value

        source = self.source.value

        override: None | str
        if isinstance(self.override, ArtifactPolicyOverrideType0):
            override = self.override.value
        else:
            override = self.override

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "compatibility": compatibility,
                "source": source,
                "override": override,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = ArtifactPolicyKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        compatibility = ArtifactPolicyCompatibility(d.pop("compatibility"))

        source = ArtifactPolicySource(d.pop("source"))

        def _parse_override(data: object) -> ArtifactPolicyOverrideType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                override_type_0 = ArtifactPolicyOverrideType0(data)

                return override_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ArtifactPolicyOverrideType0 | None, data)

        override = _parse_override(d.pop("override"))

        artifact_policy = cls(
            kind=kind,
            namespace=namespace,
            name=name,
            compatibility=compatibility,
            source=source,
            override=override,
        )

        return artifact_policy
