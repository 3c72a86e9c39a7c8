from enum import StrEnum


class WebhookCreateEventsItem(StrEnum):
    DEPRECATED = "deprecated"
    PUBLISHED = "published"
    TAG_DELETED = "tag.deleted"
    TAG_MOVED = "tag.moved"
    UNDEPRECATED = "undeprecated"
    UNYANKED = "unyanked"
    YANKED = "yanked"

    def __str__(self) -> str:
        return str(self.value)
