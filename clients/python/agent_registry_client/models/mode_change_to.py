from enum import StrEnum


class ModeChangeTo(StrEnum):
    ALLOWLIST = "allowlist"
    INHERIT = "inherit"

    def __str__(self) -> str:
        return str(self.value)
