from enum import StrEnum


class GetProfileSignatureFormatType0(StrEnum):
    JSON = "json"
    MARKDOWN = "markdown"

    def __str__(self) -> str:
        return str(self.value)
