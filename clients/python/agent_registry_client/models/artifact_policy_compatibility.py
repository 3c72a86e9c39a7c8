from enum import StrEnum


class ArtifactPolicyCompatibility(StrEnum):
    ENFORCE = "enforce"
    NONE = "none"
    WARN = "warn"

    def __str__(self) -> str:
        return str(self.value)
