from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.version_detail_kind import VersionDetailKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.problem_item import ProblemItem
    from ..models.provenance import Provenance
    from ..models.version_detail_frontmatter import VersionDetailFrontmatter
    from ..models.version_detail_lock import VersionDetailLock


T = TypeVar("T", bound="VersionDetail")


@_attrs_define
class VersionDetail:
    """
    Attributes:
        version (str):
        digest (str):
        size (int):
        description (str):
        published_at (datetime.datetime):
        yanked (bool):
        kind (VersionDetailKind):
        namespace (str):
        name (str):
        frontmatter (VersionDetailFrontmatter):
        body (str):
        lock (VersionDetailLock):
        warnings (list[ProblemItem]):
        yank_reason (None | str | Unset):
        deprecated (None | str | Unset): Deprecation message, when deprecated.
        publisher (None | str | Unset):
        provenance (None | Provenance | Unset): How it was published: the token, or the OIDC trusted-publishing CI run
            (issuer, repository, workflow, ref, commit). Null for versions published before provenance was recorded.
    """

    version: str
    digest: str
    size: int
    description: str
    published_at: datetime.datetime
    yanked: bool
    kind: VersionDetailKind
    namespace: str
    name: str
    frontmatter: VersionDetailFrontmatter
    body: str
    lock: VersionDetailLock
    warnings: list[ProblemItem]
    yank_reason: None | str | Unset = UNSET
    deprecated: None | str | Unset = UNSET
    publisher: None | str | Unset = UNSET
    provenance: None | Provenance | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.provenance import Provenance  # noqa: PLC0415

        version = self.version

        digest = self.digest

        size = self.size

        description = self.description

        published_at = self.published_at.isoformat()

        yanked = self.yanked

        kind = self.kind.value

        namespace = self.namespace

        name = self.name

        frontmatter = self.frontmatter.to_dict()

        body = self.body

        lock = self.lock.to_dict()

        warnings = []
        for warnings_item_data in self.warnings:
            warnings_item = warnings_item_data.to_dict()
            warnings.append(warnings_item)

        yank_reason: None | str | Unset
        if isinstance(self.yank_reason, Unset):
            yank_reason = UNSET
        else:
            yank_reason = self.yank_reason

        deprecated: None | str | Unset
        if isinstance(self.deprecated, Unset):
            deprecated = UNSET
        else:
            deprecated = self.deprecated

        publisher: None | str | Unset
        if isinstance(self.publisher, Unset):
            publisher = UNSET
        else:
            publisher = self.publisher

        provenance: dict[str, Any] | None | Unset
        if isinstance(self.provenance, Unset):
            provenance = UNSET
        elif isinstance(self.provenance, Provenance):
            provenance = self.provenance.to_dict()
        else:
            provenance = self.provenance

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "version": version,
                "digest": digest,
                "size": size,
                "description": description,
                "publishedAt": published_at,
                "yanked": yanked,
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "frontmatter": frontmatter,
                "body": body,
                "lock": lock,
                "warnings": warnings,
            }
        )
        if yank_reason is not UNSET:
            field_dict["yankReason"] = yank_reason
        if deprecated is not UNSET:
            field_dict["deprecated"] = deprecated
        if publisher is not UNSET:
            field_dict["publisher"] = publisher
        if provenance is not UNSET:
            field_dict["provenance"] = provenance

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.problem_item import ProblemItem  # noqa: PLC0415
        from ..models.provenance import Provenance  # noqa: PLC0415
        from ..models.version_detail_frontmatter import VersionDetailFrontmatter  # noqa: PLC0415
        from ..models.version_detail_lock import VersionDetailLock  # noqa: PLC0415

        d = dict(src_dict)
        version = d.pop("version")

        digest = d.pop("digest")

        size = d.pop("size")

        description = d.pop("description")

        published_at = datetime.datetime.fromisoformat(d.pop("publishedAt"))

        yanked = d.pop("yanked")

        kind = VersionDetailKind(d.pop("kind"))

        namespace = d.pop("namespace")

        name = d.pop("name")

        frontmatter = VersionDetailFrontmatter.from_dict(d.pop("frontmatter"))

        body = d.pop("body")

        lock = VersionDetailLock.from_dict(d.pop("lock"))

        warnings = []
        _warnings = d.pop("warnings")
        for warnings_item_data in _warnings:
            warnings_item = ProblemItem.from_dict(warnings_item_data)

            warnings.append(warnings_item)

        def _parse_yank_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        yank_reason = _parse_yank_reason(d.pop("yankReason", UNSET))

        def _parse_deprecated(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        deprecated = _parse_deprecated(d.pop("deprecated", UNSET))

        def _parse_publisher(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        publisher = _parse_publisher(d.pop("publisher", UNSET))

        def _parse_provenance(data: object) -> None | Provenance | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provenance_type_0 = Provenance.from_dict(data)

                return provenance_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Provenance | Unset, data)

        provenance = _parse_provenance(d.pop("provenance", UNSET))

        version_detail = cls(
            version=version,
            digest=digest,
            size=size,
            description=description,
            published_at=published_at,
            yanked=yanked,
            kind=kind,
            namespace=namespace,
            name=name,
            frontmatter=frontmatter,
            body=body,
            lock=lock,
            warnings=warnings,
            yank_reason=yank_reason,
            deprecated=deprecated,
            publisher=publisher,
            provenance=provenance,
        )

        return version_detail
