from enum import StrEnum


class ModeChangeFrom(StrEnum):
    ALLOWLIST = "allowlist"
    INHERIT = "inherit"

    def __str__(self) -> str:
        return str(self.value)
