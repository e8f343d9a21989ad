"""Dependencies, declared once as `Annotated` aliases so route signatures read like prose:

    async def route(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> ...

Everything comes from `app.state`, filled by the lifespan in `polychat.app`; nothing here reads
configuration or opens connections per request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.api.errors import ApiError
from polychat.config import Settings
from polychat.db.models import User
from polychat.db.repositories import users as users_repo
from polychat.security.passwords import Passwords
from polychat.security.ratelimit import RateLimiter
from polychat.security.tokens import AccessClaims, TokenError, decode_access_token

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="BearerAuth",
    description="The access token from /api/auth/login or /api/auth/refresh.",
)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


def get_passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


def unauthorized(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})


@dataclass(frozen=True, slots=True)
class Auth:
    """The authenticated user plus the claims of the token used (its session id identifies
    the refresh-token family, which logout and password change need)."""

    user: User
    claims: AccessClaims


async def get_auth(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Auth:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("not_authenticated", "authentication required: send a Bearer token")
    settings: Settings = request.app.state.settings
    try:
        claims = decode_access_token(settings.jwt_secret(), credentials.credentials)
    except TokenError as exc:
        if exc.expired:
            raise unauthorized("token_expired", "access token expired: refresh it") from exc
        raise unauthorized("invalid_token", "invalid access token") from exc
    user = await users_repo.by_id(session, claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.token_version:
        raise unauthorized("invalid_token", "session is no longer valid: log in again")
    return Auth(user=user, claims=claims)


CurrentAuth = Annotated[Auth, Depends(get_auth)]


async def get_current_user(auth: CurrentAuth) -> User:
    return auth.user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ApiError(403, "forbidden", "administrator access required")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
