from enum import StrEnum


class NamespacePolicySource(StrEnum):
    DEFAULT = "default"
    NAMESPACE = "namespace"

    def __str__(self) -> str:
        return str(self.value)
