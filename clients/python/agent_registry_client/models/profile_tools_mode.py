from enum import StrEnum


class ProfileToolsMode(StrEnum):
    ALLOWLIST = "allowlist"
    INHERIT = "inherit"

    def __str__(self) -> str:
        return str(self.value)
