"""Resolved profiles: skill graphs, toolsets and grants resolved at publish, served by ref."""
