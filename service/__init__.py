"""Agent Registry: versioned agent definitions, validated on publish, served as resolved profiles."""
