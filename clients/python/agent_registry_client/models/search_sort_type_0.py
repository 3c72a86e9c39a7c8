from enum import StrEnum


class SearchSortType0(StrEnum):
    NAME = "name"
    PUBLISHED = "published"
    RELEVANCE = "relevance"

    def __str__(self) -> str:
        return str(self.value)
