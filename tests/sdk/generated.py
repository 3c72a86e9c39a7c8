"""Finding the generated client's operations by operationId."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def client_operation(operation_id: str) -> ModuleType | None:
    """The generated module of an operation (`api/<tag>/<operationId>.py`), whatever its tag."""
    api = importlib.import_module("agent_registry_client.api")
    for info in pkgutil.walk_packages(api.__path__, api.__name__ + "."):
        if info.name.rsplit(".", 1)[-1] == operation_id:
            return importlib.import_module(info.name)
    return None
