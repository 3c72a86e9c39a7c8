from enum import StrEnum


class NamespacePolicyCompatibility(StrEnum):
    ENFORCE = "enforce"
    NONE = "none"
    WARN = "warn"

    def __str__(self) -> str:
        return str(self.value)
