"""The generated Python client against a live server.

Importing this package makes `agent_registry_client` importable: the installed one
(`pip install -e clients/python`), or else the committed, pure-Python package in place.
"""

from __future__ import annotations

import sys
from pathlib import Path

CLIENT_PROJECT = Path(__file__).resolve().parents[2] / "clients" / "python"

try:
    import agent_registry_client  # noqa: F401
except ImportError:
    sys.path.insert(0, str(CLIENT_PROJECT))
