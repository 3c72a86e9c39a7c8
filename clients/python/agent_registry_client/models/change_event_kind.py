from enum import StrEnum


class ChangeEventKind(StrEnum):
    AGENT = "agent"
    SKILL = "skill"
    TOOLSET = "toolset"

    def __str__(self) -> str:
        return str(self.value)
