"""Schemas every feature shares: the API model base, text PostgreSQL can store, and the RFC 9457
Problem body that service/errors.py's exceptions become (service/problems.py maps them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)

from service.formats.yamlsafe import unstorable_text


def _storable(text: str) -> str:
    if reason := unstorable_text(text):
        raise ValueError(f"the text {reason}")
    return text


# Request text that reaches PostgreSQL: no NUL, no lone surrogates (JSON `\\ud800` escapes).
StorableText = Annotated[str, AfterValidator(_storable)]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ProblemItem(ApiModel):
    loc: str = Field(description="Where in the file: `frontmatter.tools[3]`, `body`, `path.name`.")
    code: str = Field(description="Stable machine code, snake_case.")
    message: str
    severity: Literal["error", "warning"]


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` and `warnings` list every finding for invalid files."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[ProblemItem] | None = None
    warnings: list[ProblemItem] | None = None
