"""Operator actions run from the command line, outside the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker
from polychat.db.migrate import migrate
from polychat.db.models import User
from polychat.db.repositories import users as users_repo
from polychat.security.passwords import Passwords, generate_password, password_problem
from polychat.security.sessions import revoke_user_sessions


class AdminToolError(Exception):
    pass


@asynccontextmanager
async def _operator_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A database session for one operator action, on a database migrated first (as
    `polychat serve` would), closed with its engine afterwards."""
    if settings.run_migrations:
        await migrate(settings)
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def create_admin(
    settings: Settings, username: str, email: str | None, password: str | None
) -> str:
    """Create an administrator, or make an existing user one (resetting the password and
    ending their sessions when a password is given)."""
    passwords = Passwords.from_settings(settings)
    async with _operator_session(settings) as session:
        user = await users_repo.by_username(session, username)
        if password is not None:
            problem = password_problem(
                password,
                min_length=settings.password_min_length,
                username=username,
                email=email or (user.email if user else ""),
            )
            if problem:
                raise AdminToolError(problem)
        if user is None:
            if not email or password is None:
                raise AdminToolError("a new user needs --email and a password")
            if await users_repo.email_taken(session, email):
                raise AdminToolError("this email is already registered")
            session.add(
                User(
                    username=username,
                    email=email.lower(),
                    password_hash=passwords.hash(password),
                    is_admin=True,
                    is_active=True,
                    preferences={},
                    token_version=0,
                )
            )
            await session.commit()
            return f"created administrator {username}"
        user.is_admin = True
        user.is_active = True
        if password is not None:
            await _set_password(session, user, passwords.hash(password))
        await session.commit()
        return f"{username} is now an administrator"


async def reset_password(
    settings: Settings, username: str, password: str | None
) -> tuple[str, str | None]:
    """Give `username` a new password without touching their role, and sign them out
    everywhere. With no password one is generated; it is returned (second item) so the
    operator sees it once, and it is never stored anywhere but as its hash."""
    passwords = Passwords.from_settings(settings)
    async with _operator_session(settings) as session:
        user = await users_repo.by_username(session, username)
        if user is None:
            raise AdminToolError(f"no user named {username}")
        generated = generate_password() if password is None else None
        new_password = password if password is not None else generated
        assert new_password is not None
        problem = password_problem(
            new_password,
            min_length=settings.password_min_length,
            username=user.username,
            email=user.email,
        )
        if problem:
            raise AdminToolError(problem)
        await _set_password(session, user, passwords.hash(new_password))
        await session.commit()
        return f"password of {user.username} reset; their sessions are signed out", generated


async def _set_password(session: AsyncSession, user: User, password_hash: str) -> None:
    """A new password ends every session: access tokens by the version bump, refresh tokens by
    revocation."""
    user.password_hash = password_hash
    user.token_version += 1
    await revoke_user_sessions(session, user.id)
