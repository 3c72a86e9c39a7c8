from enum import StrEnum


class TokenCreatePermissionsItem(StrEnum):
    ADMIN = "admin"
    PUBLISH = "publish"
    READ = "read"
    TAG = "tag"
    YANK = "yank"

    def __str__(self) -> str:
        return str(self.value)
