from enum import StrEnum


class ArtifactSummaryKind(StrEnum):
    AGENT = "agent"
    SKILL = "skill"
    TOOLSET = "toolset"

    def __str__(self) -> str:
        return str(self.value)
