"""Response bodies of the skill folder endpoints (JSON names are the public contract)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.resolution.document import SkillFile


class FileManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    namespace: str
    name: str
    version: str
    digest: str = Field(description="The version's digest, over the canonical manifest.")
    archive: str = Field(description="Where the folder is served as a deterministic tar.gz.")
    files: list[SkillFile] = Field(description="Every file, in path order; `SKILL.md` included.")
