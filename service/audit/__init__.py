"""The audit log: every write and every refused one, append-only, readable by admins."""
