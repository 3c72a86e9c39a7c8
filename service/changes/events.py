"""Which writes are feed events, and the change row recorded with each one's audit row."""

from __future__ import annotations

from typing import Any

from service.db.models import Change

# Audit action -> feed event. Writes not listed here (tokens, namespaces…) are not feed events.
FEED_EVENTS = {
    "publish": "published",
    "tag": "tag.moved",
    "untag": "tag.deleted",
    "yank": "yanked",
    "unyank": "unyanked",
    "deprecate": "deprecated",
    "undeprecate": "undeprecated",
}
# Audit detail key -> feed detail key: what a follower needs to replay the write.
_DETAILS = {"tag": "tag", "yank_reason": "reason", "deprecation_message": "message"}


def change_for(
    action: str,
    *,
    kind: str,
    namespace: str,
    name: str,
    version: str | None,
    digest: str | None,
    details: dict[str, Any] | None,
) -> Change | None:
    found = feed_event(action, details)
    if found is None:
        return None
    event, feed_details = found
    return Change(
        event=event,
        kind=kind,
        namespace=namespace,
        name=name,
        version=version,
        digest=digest,
        details=feed_details,
    )


def feed_event(action: str, details: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """The feed event of an audited action and its details; None when it is not a feed event."""
    event = FEED_EVENTS.get(action)
    if event is None:
        return None
    given = details or {}
    return event, {new: given[old] for old, new in _DETAILS.items() if given.get(old) is not None}
