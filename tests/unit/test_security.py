"""Passwords and tokens."""

from __future__ import annotations

import jwt
import pytest

from polychat.security.passwords import Passwords, password_problem
from polychat.security.tokens import (
    TokenError,
    create_access_token,
    decode_access_token,
    hash_refresh_token,
    new_refresh_token,
)

SECRET = b"x" * 64


def test_argon2id_hash_verifies_and_rejects() -> None:
    passwords = Passwords(time_cost=1, memory_kib=1024, parallelism=1)
    hashed = passwords.hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "correct horse battery staple")
    assert not passwords.verify(hashed, "Correct horse battery staple")
    assert not passwords.verify("not a hash", "anything")


def test_stronger_parameters_trigger_a_rehash() -> None:
    weak = Passwords(time_cost=1, memory_kib=1024, parallelism=1)
    strong = Passwords(time_cost=2, memory_kib=2048, parallelism=1)
    assert strong.needs_rehash(weak.hash("some password here"))
    assert not weak.needs_rehash(weak.hash("some password here"))


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("alice-the-user", None),
        ("Alice_Wonder", "username"),
        ("alice@example.com", "email"),
        ("abababababab", "too simple"),
        ("x" * 1025, "at most"),
    ],
)
def test_password_rules(password: str, problem: str | None) -> None:
    found = password_problem(
        password, min_length=10, username="alice_wonder", email="alice@example.com"
    )
    assert (found is None) if problem is None else (problem in str(found))


def test_access_token_round_trip() -> None:
    token = create_access_token(SECRET, user_id=7, token_version=2, session_id="s1", ttl_seconds=60)
    claims = decode_access_token(SECRET, token)
    assert (claims.user_id, claims.token_version, claims.session_id) == (7, 2, "s1")


def test_expired_token_says_so() -> None:
    token = create_access_token(SECRET, user_id=7, token_version=0, session_id="s", ttl_seconds=-1)
    with pytest.raises(TokenError) as info:
        decode_access_token(SECRET, token)
    assert info.value.expired


@pytest.mark.parametrize(
    "token",
    [
        create_access_token(b"y" * 64, user_id=1, token_version=0, session_id="s", ttl_seconds=60),
        jwt.encode({"sub": "1", "exp": 9999999999, "iat": 0, "iss": "polychat"}, SECRET),  # no typ
        jwt.encode(
            {"sub": "1", "exp": 9999999999, "iat": 0, "iss": "other", "typ": "access"}, SECRET
        ),
        jwt.encode(
            {"sub": "x", "exp": 9999999999, "iat": 0, "iss": "polychat", "typ": "access"}, SECRET
        ),
        "not.a.token",
    ],
)
def test_invalid_tokens_are_rejected(token: str) -> None:
    with pytest.raises(TokenError) as info:
        decode_access_token(SECRET, token)
    assert not info.value.expired


def test_none_algorithm_is_rejected() -> None:
    token = jwt.encode(
        {"sub": "1", "exp": 9999999999, "iat": 0, "iss": "polychat", "typ": "access"},
        key=None,
        algorithm="none",
    )
    with pytest.raises(TokenError):
        decode_access_token(SECRET, token)


def test_refresh_tokens_are_random_and_stored_hashed() -> None:
    raw_a, hash_a = new_refresh_token()
    raw_b, _ = new_refresh_token()
    assert raw_a != raw_b and len(raw_a) >= 43
    assert hash_a == hash_refresh_token(raw_a) and raw_a not in hash_a
