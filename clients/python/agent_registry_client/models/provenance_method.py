from enum import StrEnum


class ProvenanceMethod(StrEnum):
    BOOTSTRAP = "bootstrap"
    OIDC = "oidc"
    SYSTEM = "system"
    TOKEN = "token"

    def __str__(self) -> str:
        return str(self.value)
