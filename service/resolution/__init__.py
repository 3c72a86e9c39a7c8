"""Pure resolution cores: versions and ranges, skill graphs, tool grants (no I/O)."""
