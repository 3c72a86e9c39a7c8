from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.validation_report_kind import ValidationReportKind

if TYPE_CHECKING:
    from ..models.problem_item import ProblemItem
    from ..models.validation_report_frontmatter_type_0 import ValidationReportFrontmatterType0


T = TypeVar("T", bound="ValidationReport")


@_attrs_define
class ValidationReport:
    """
    Attributes:
        valid (bool):
        kind (ValidationReportKind):
        name (None | str):
        version (None | str):
        digest (str):
        frontmatter (None | ValidationReportFrontmatterType0):
        errors (list[ProblemItem]):
        warnings (list[ProblemItem]):
    """

    valid: bool
    kind: ValidationReportKind
    name: None | str
    version: None | str
    digest: str
    frontmatter: None | ValidationReportFrontmatterType0
    errors: list[ProblemItem]
    warnings: list[ProblemItem]

    def to_dict(self) -> dict[str, Any]:
        from ..models.validation_report_frontmatter_type_0 import ValidationReportFrontmatterType0  # noqa: PLC0415

        valid = self.valid

        kind = self.kind.value

        name: None | str
        name = self.name

        version: None | str
        version = self.version

        digest = self.digest

        frontmatter: dict[str, Any] | None
        if isinstance(self.frontmatter, ValidationReportFrontmatterType0):
            frontmatter = self.frontmatter.to_dict()
        else:
            frontmatter = self.frontmatter

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        warnings = []
        for warnings_item_data in self.warnings:
            warnings_item = warnings_item_data.to_dict()
            warnings.append(warnings_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "valid": valid,
                "kind": kind,
                "name": name,
                "version": version,
                "digest": digest,
                "frontmatter": frontmatter,
                "errors": errors,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.problem_item import ProblemItem  # noqa: PLC0415
        from ..models.validation_report_frontmatter_type_0 import ValidationReportFrontmatterType0  # noqa: PLC0415

        d = dict(src_dict)
        valid = d.pop("valid")

        kind = ValidationReportKind(d.pop("kind"))

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

        digest = d.pop("digest")

        def _parse_frontmatter(data: object) -> None | ValidationReportFrontmatterType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                frontmatter_type_0 = ValidationReportFrontmatterType0.from_dict(data)

                return frontmatter_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ValidationReportFrontmatterType0, data)

        frontmatter = _parse_frontmatter(d.pop("frontmatter"))

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ProblemItem.from_dict(errors_item_data)

            errors.append(errors_item)

        warnings = []
        _warnings = d.pop("warnings")
        for warnings_item_data in _warnings:
            warnings_item = ProblemItem.from_dict(warnings_item_data)

            warnings.append(warnings_item)

        validation_report = cls(
            valid=valid,
            kind=kind,
            name=name,
            version=version,
            digest=digest,
            frontmatter=frontmatter,
            errors=errors,
            warnings=warnings,
        )

        return validation_report
