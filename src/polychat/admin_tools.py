"""Operator actions run from the command line, outside the HTTP API."""

from __future__ import annotations

from sqlalchemy import func, select

from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker
from polychat.db.migrate import migrate
from polychat.db.models import User
from polychat.security.passwords import Passwords, password_problem


class AdminToolError(Exception):
    pass


async def create_admin(
    settings: Settings, username: str, email: str | None, password: str | None
) -> str:
    """Create an administrator, or make an existing user one (resetting the password and
    ending their sessions when a password is given)."""
    if settings.run_migrations:
        await migrate(settings)
    engine = create_engine(settings)
    passwords = Passwords.from_settings(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            user = await session.scalar(
                select(User).where(func.lower(User.username) == username.lower())
            )
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
                clash = await session.scalar(
                    select(User.id).where(func.lower(User.email) == email.lower())
                )
                if clash is not None:
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
                user.password_hash = passwords.hash(password)
                user.token_version += 1
            await session.commit()
            return f"{username} is now an administrator"
    finally:
        await engine.dispose()
