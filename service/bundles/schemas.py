"""Response bodies of the skill folder endpoints (JSON names are the public contract)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SkillFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Relative to the skill folder, `/`-separated.")
    size: int
    sha256: str = Field(description="Hex SHA-256 of the file's bytes.")
    executable: bool


class FileManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    namespace: str
    name: str
    version: str
    digest: str = Field(description="The version's digest, over the canonical manifest.")
    archive: str = Field(description="Where the folder is served as a deterministic tar.gz.")
    files: list[SkillFile] = Field(description="Every file, in path order; `SKILL.md` included.")
