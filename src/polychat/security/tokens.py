"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored only as a hash)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"
ISSUER = "polychat"


class TokenError(Exception):
    """The token is unusable; `expired` tells the client whether refreshing may help."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    token_version: int
    session_id: str  # the refresh-token family this access token belongs to
    expires_at: int


def create_access_token(
    secret: bytes, *, user_id: int, token_version: int, session_id: str, ttl_seconds: int
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "ver": token_version,
        "sid": session_id,
        "iat": now,
        "exp": now + ttl_seconds,
        "iss": ISSUER,
        "typ": "access",
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_access_token(secret: bytes, token: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("access token expired", expired=True) from exc
    except jwt.PyJWTError as exc:
        raise TokenError("invalid access token") from exc
    try:
        if payload.get("typ") != "access":
            raise ValueError
        return AccessClaims(
            user_id=int(payload["sub"]),
            token_version=int(payload.get("ver", 0)),
            session_id=str(payload.get("sid", "")),
            expires_at=int(payload["exp"]),
        )
    except (TypeError, ValueError) as exc:
        raise TokenError("invalid access token") from exc


def new_refresh_token() -> tuple[str, str]:
    """A fresh refresh token and the hash to store; the raw value is never persisted."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_refresh_token(raw)


def hash_refresh_token(raw: str) -> str:
    # A fast hash is right here: the token carries 256 random bits, nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()
