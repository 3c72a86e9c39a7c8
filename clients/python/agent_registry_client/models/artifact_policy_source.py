from enum import StrEnum


class ArtifactPolicySource(StrEnum):
    ARTIFACT = "artifact"
    DEFAULT = "default"
    NAMESPACE = "namespace"

    def __str__(self) -> str:
        return str(self.value)
