from enum import StrEnum


class TrustPolicyCreatePermissionsItem(StrEnum):
    PUBLISH = "publish"
    READ = "read"
    TAG = "tag"
    YANK = "yank"

    def __str__(self) -> str:
        return str(self.value)
