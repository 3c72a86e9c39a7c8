"""Comparing versions: the version diff and the compatibility classifier (pure), their routes."""
