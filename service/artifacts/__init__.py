"""Agents and skills: publish, validate and read versioned artifacts."""
