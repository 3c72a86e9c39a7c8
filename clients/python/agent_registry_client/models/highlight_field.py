from enum import StrEnum


class HighlightField(StrEnum):
    DESCRIPTION = "description"
    INSTRUCTIONS = "instructions"

    def __str__(self) -> str:
        return str(self.value)
