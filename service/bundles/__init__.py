"""Skill folders: archives read safely, stored content-addressed, served as files and archives."""
