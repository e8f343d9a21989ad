"""Login sessions: refresh-token families with rotation and theft detection.

A login starts a family. Each refresh marks the presented token used and issues its successor
in the same family. A token that was already used coming back means two parties hold it (the
legitimate client and a thief): the whole family is revoked and both must log in again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import select

from polychat.config import Settings
from polychat.db.models import RefreshToken, User
from polychat.db.types import utcnow
from polychat.security.tokens import create_access_token, hash_refresh_token, new_refresh_token


class RefreshError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_at: datetime
    session_id: str


def access_token_for(settings: Settings, user: User, session_id: str) -> str:
    return create_access_token(
        settings.jwt_secret(),
        user_id=user.id,
        token_version=user.token_version,
        session_id=session_id,
        ttl_seconds=settings.access_token_ttl_seconds,
    )


def _issue(
    session: AsyncSession, settings: Settings, user: User, family_id: str, user_agent: str | None
) -> IssuedTokens:
    raw, digest = new_refresh_token()
    expires_at = utcnow() + timedelta(days=settings.refresh_token_ttl_days)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=digest,
            expires_at=expires_at,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    return IssuedTokens(
        access_token=access_token_for(settings, user, family_id),
        expires_in=settings.access_token_ttl_seconds,
        refresh_token=raw,
        refresh_expires_at=expires_at,
        session_id=family_id,
    )


def start_session(
    session: AsyncSession, settings: Settings, user: User, user_agent: str | None
) -> IssuedTokens:
    """A new family for a fresh login; the caller commits."""
    return _issue(session, settings, user, str(uuid.uuid4()), user_agent)


async def revoke_family(session: AsyncSession, family_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_user_sessions(
    session: AsyncSession, user_id: int, *, except_family: str | None = None
) -> None:
    stmt = update(RefreshToken).where(
        RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
    )
    if except_family is not None:
        stmt = stmt.where(RefreshToken.family_id != except_family)
    await session.execute(stmt.values(revoked_at=utcnow()))


async def rotate(
    session: AsyncSession, settings: Settings, raw_token: str, user_agent: str | None
) -> tuple[User, IssuedTokens]:
    """Exchange a refresh token for a new pair; commits. Raises `RefreshError` when the
    token is unknown, expired, revoked or reused (reuse revokes the family first)."""
    invalid = RefreshError("invalid_refresh_token", "refresh token is invalid: log in again")
    row = (
        await session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(raw_token))
        )
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise invalid
    if row.used_at is not None:
        await _reused(session, row.family_id)
    if row.expires_at <= utcnow():
        raise RefreshError("refresh_token_expired", "session expired: log in again")
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:  # a concurrent request used it first
        await _reused(session, row.family_id)
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise invalid
    issued = _issue(session, settings, user, row.family_id, user_agent)
    await session.commit()
    return user, issued


async def _reused(session: AsyncSession, family_id: str) -> NoReturn:
    await revoke_family(session, family_id)
    await session.commit()
    raise RefreshError(
        "refresh_token_reused",
        "refresh token was already used: every session of this login was ended, log in again",
    )
