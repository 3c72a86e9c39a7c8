"""Bodies of `GET /v1/search` (JSON names are the public contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.formats.kinds import Kind

Sort = Literal["relevance", "name", "published"]


class Highlight(BaseModel):
    field: Literal["description", "instructions"]
    text: str = Field(description="A fragment of the field around the matched words.")
    matches: list[tuple[int, int]] = Field(
        description="[start, end) character offsets of each matched word in `text`."
    )


class SearchResult(BaseModel):
    kind: Kind
    namespace: str
    name: str
    version: str = Field(description="The latest non-yanked version (stable first).")
    description: str
    publishedAt: datetime
    deprecated: str | None = Field(description="Deprecation message of that version, if any.")
    score: float = Field(description="Relevance (word rank plus name similarity); 0 without `q`.")
    highlights: list[Highlight]


class SearchPage(BaseModel):
    results: list[SearchResult]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")
    approximate: bool = Field(
        default=False,
        description="True when the words matched a quarter or more of all artifacts and more"
        " than the ranking window (REGISTRY_SEARCH_RANK_WINDOW, 1000): relevance then ranks"
        " and pages through only the window's most recently published matches, plus names"
        " matched by similarity.",
    )
