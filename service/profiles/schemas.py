"""The batch profile endpoint's bodies; the profile itself is service.resolution.document.Profile."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.resolution.document import Profile
from service.schemas import Problem, StorableText


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refs: list[StorableText] = Field(
        min_length=1, max_length=100, examples=[["dev-python@1.0.0", "flask-specialist@^1"]]
    )


class BatchResult(BaseModel):
    ref: str
    status: int
    version: str | None = None
    profile: Profile | None = None
    problem: Problem | None = None


class BatchResponse(BaseModel):
    results: list[BatchResult]
