from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.version_diff_kind import VersionDiffKind

if TYPE_CHECKING:
    from ..models.field_change import FieldChange
    from ..models.grant_changes import GrantChanges
    from ..models.skill_changes import SkillChanges


T = TypeVar("T", bound="VersionDiff")


@_attrs_define
class VersionDiff:
    """Two versions side by side; every list is in a stable order (key, rule, name).

    Attributes:
        kind (VersionDiffKind):
        name (str): `namespace/name`.
        from_ (str):
        to (str):
        from_digest (str):
        to_digest (str):
        fields (list[FieldChange]): Frontmatter keys added, removed or changed.
        grants (GrantChanges):
        skills (SkillChanges):
        instructions (str): Unified diff of the Markdown body; empty if unchanged.
    """

    kind: VersionDiffKind
    name: str
    from_: str
    to: str
    from_digest: str
    to_digest: str
    fields: list[FieldChange]
    grants: GrantChanges
    skills: SkillChanges
    instructions: str

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        name = self.name

        from_ = self.from_

        to = self.to

        from_digest = self.from_digest

        to_digest = self.to_digest

        fields = []
        for fields_item_data in self.fields:
            fields_item = fields_item_data.to_dict()
            fields.append(fields_item)

        grants = self.grants.to_dict()

        skills = self.skills.to_dict()

        instructions = self.instructions

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "name": name,
                "from": from_,
                "to": to,
                "fromDigest": from_digest,
                "toDigest": to_digest,
                "fields": fields,
                "grants": grants,
                "skills": skills,
                "instructions": instructions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_change import FieldChange  # noqa: PLC0415
        from ..models.grant_changes import GrantChanges  # noqa: PLC0415
        from ..models.skill_changes import SkillChanges  # noqa: PLC0415

        d = dict(src_dict)
        kind = VersionDiffKind(d.pop("kind"))

        name = d.pop("name")

        from_ = d.pop("from")

        to = d.pop("to")

        from_digest = d.pop("fromDigest")

        to_digest = d.pop("toDigest")

        fields = []
        _fields = d.pop("fields")
        for fields_item_data in _fields:
            fields_item = FieldChange.from_dict(fields_item_data)

            fields.append(fields_item)

        grants = GrantChanges.from_dict(d.pop("grants"))

        skills = SkillChanges.from_dict(d.pop("skills"))

        instructions = d.pop("instructions")

        version_diff = cls(
            kind=kind,
            name=name,
            from_=from_,
            to=to,
            from_digest=from_digest,
            to_digest=to_digest,
            fields=fields,
            grants=grants,
            skills=skills,
            instructions=instructions,
        )

        return version_diff
