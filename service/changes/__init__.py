"""The changes feed: every write as an ordered, resumable event (mirrors, caches, webhooks)."""
