from enum import StrEnum


class SearchKindType0Item(StrEnum):
    AGENT = "agent"
    SKILL = "skill"
    TOOLSET = "toolset"

    def __str__(self) -> str:
        return str(self.value)
