"""Parsing and validation of agent and skill files (pure: bytes in, data and problems out)."""
