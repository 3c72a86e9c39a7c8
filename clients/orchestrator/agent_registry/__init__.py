"""Orchestrator client for the Agent Registry: cached, verified, resilient profile fetches.

from agent_registry import Registry

with Registry("http://127.0.0.1:8000") as registry:
    profile = registry.profile("dev-python@^1")
    agents = {profile.name: profile.agent_definition()}
"""

from agent_registry.aio import AsyncRegistry
from agent_registry.client import Registry
from agent_registry.errors import RegistryError, RegistryUnavailable, SignatureError
from agent_registry.profile import AgentProfile

__all__ = [
    "AgentProfile",
    "AsyncRegistry",
    "Registry",
    "RegistryError",
    "RegistryUnavailable",
    "SignatureError",
]
