"""Token format, checksum and scope rules (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.auth.tokens import (
    TOKEN_LENGTH,
    TOKEN_PREFIX,
    Principal,
    generate_token,
    hash_token,
    well_formed,
)


def test_generated_tokens_are_prefixed_checksummed_and_distinct() -> None:
    tokens = {generate_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert token.startswith(TOKEN_PREFIX) and len(token) == TOKEN_LENGTH
        assert well_formed(token)
        assert len(hash_token(token)) == 64 and token not in hash_token(token)


SAMPLE = generate_token()


@given(
    st.integers(min_value=len(TOKEN_PREFIX), max_value=TOKEN_LENGTH - 1),
    st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
)
def test_changing_any_character_of_a_token_breaks_its_checksum(
    index: int, replacement: str
) -> None:
    changed = SAMPLE[:index] + replacement + SAMPLE[index + 1 :]
    assert well_formed(changed) == (changed == SAMPLE)


def test_malformed_values_are_refused_before_any_lookup() -> None:
    for value in (
        "",
        "short",
        "x" * 257,
        "has space in it and is long",
        "areg_" + "a" * 47,
        "é" * 30,
    ):
        assert not well_formed(value)
    assert well_formed("an-operator-chosen-bootstrap-secret")


def _principal(namespaces: set[str], permissions: set[str]) -> Principal:
    return Principal("token", "t", "id", frozenset(namespaces), frozenset(permissions))


def test_scopes_admin_covers_everything_and_any_permission_reads() -> None:
    publisher = _principal({"team-a"}, {"publish"})
    assert publisher.can("publish", "team-a") and publisher.can("read", "team-a")
    assert not publisher.can("tag", "team-a") and not publisher.can("publish", "team-b")
    team_admin = _principal({"team-a"}, {"admin"})
    assert all(team_admin.can(p, "team-a") for p in ("publish", "tag", "yank", "read"))
    assert not team_admin.is_admin and not team_admin.can("publish", "team-b")
    everywhere = _principal({"*"}, {"publish"})
    assert everywhere.can("publish", "anything") and not everywhere.may_create("anything")
    assert publisher.may_create("team-a") and _principal({"*"}, {"admin"}).is_admin
