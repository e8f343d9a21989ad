"""User lookups: sign-in, registration checks, the token check of every request, admin tools."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.db.models import User


async def by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def by_username(session: AsyncSession, username: str) -> User | None:
    """Usernames are unique case-insensitively."""
    return await session.scalar(select(User).where(func.lower(User.username) == username.lower()))


async def by_login(session: AsyncSession, identifier: str) -> User | None:
    """The user a sign-in names, by username or email (either, case-insensitively)."""
    lowered = identifier.lower()
    return await session.scalar(
        select(User).where(
            or_(func.lower(User.username) == lowered, func.lower(User.email) == lowered)
        )
    )


async def username_taken(session: AsyncSession, username: str) -> bool:
    found = await session.scalar(
        select(User.id).where(func.lower(User.username) == username.lower())
    )
    return found is not None


async def email_taken(session: AsyncSession, email: str) -> bool:
    found = await session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    return found is not None


async def any_exists(session: AsyncSession) -> bool:
    """`SELECT EXISTS (SELECT 1 FROM users)`: stops at the first row, whatever the table size."""
    return bool(await session.scalar(select(exists().select_from(User))))


async def existing_ids(session: AsyncSession, ids: Iterable[int]) -> set[int]:
    """Which of `ids` are users."""
    wanted = list(ids)
    if not wanted:
        return set()
    return set((await session.execute(select(User.id).where(User.id.in_(wanted)))).scalars())
