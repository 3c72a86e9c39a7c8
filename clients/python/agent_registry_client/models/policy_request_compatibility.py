from enum import StrEnum


class PolicyRequestCompatibility(StrEnum):
    ENFORCE = "enforce"
    NONE = "none"
    WARN = "warn"

    def __str__(self) -> str:
        return str(self.value)
