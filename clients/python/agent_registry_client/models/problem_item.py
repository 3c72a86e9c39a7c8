from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.problem_item_severity import ProblemItemSeverity

T = TypeVar("T", bound="ProblemItem")


@_attrs_define
class ProblemItem:
    """
    Attributes:
        loc (str): Where in the file: `frontmatter.tools[3]`, `body`, `path.name`.
        code (str): Stable machine code, snake_case.
        message (str):
        severity (ProblemItemSeverity):
    """

    loc: str
    code: str
    message: str
    severity: ProblemItemSeverity

    def to_dict(self) -> dict[str, Any]:
        loc = self.loc

        code = self.code

        message = self.message

        severity = self.severity.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "loc": loc,
                "code": code,
                "message": message,
                "severity": severity,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        loc = d.pop("loc")

        code = d.pop("code")

        message = d.pop("message")

        severity = ProblemItemSeverity(d.pop("severity"))

        problem_item = cls(
            loc=loc,
            code=code,
            message=message,
            severity=severity,
        )

        return problem_item
