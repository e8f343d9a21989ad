"""`/api/auth`: registration status, register, login, refresh, logout.

The refresh token travels twice: in the JSON body for API clients and as an httpOnly,
SameSite=Strict cookie scoped to `/api/auth` for the browser, which therefore never lets
script code see it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.api.deps import (
    CurrentAuth,
    PasswordsDep,
    RateLimiterDep,
    SessionDep,
    SettingsDep,
    unauthorized,
)
from polychat.api.errors import ApiError, error_responses
from polychat.api.schemas_users import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    RegistrationStatus,
    Status,
    TokenResponse,
    UserProfile,
)
from polychat.config import Settings
from polychat.db import app_settings
from polychat.db.models import User
from polychat.db.repositories import users as users_repo
from polychat.db.types import utcnow
from polychat.security.passwords import Verdict, password_problem
from polychat.security.ratelimit import RateDecision
from polychat.security.sessions import IssuedTokens, RefreshError, revoke_family, rotate
from polychat.security.sessions import start_session as start_login_session

router = APIRouter(prefix="/api/auth", tags=["auth"])

REFRESH_COOKIE = "polychat_refresh"
COOKIE_PATH = "/api/auth"


def _secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure == "auto":
        return request.url.scheme == "https"
    return settings.cookie_secure == "always"


def _token_response(
    request: Request, response: Response, settings: Settings, user: User, issued: IssuedTokens
) -> TokenResponse:
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=settings.refresh_token_ttl_days * 86400,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        user=UserProfile.of(user),
    )


def _clear_cookie(request: Request, response: Response, settings: Settings) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
    )


async def taken_identity(
    session: AsyncSession, *, username: str | None, email: str | None
) -> str | None:
    if username is not None and await users_repo.username_taken(session, username):
        return "username"
    if email is not None and await users_repo.email_taken(session, email):
        return "email"
    return None


def weak_password(message: str, field: str = "password") -> ApiError:
    return ApiError(
        422,
        "weak_password",
        message,
        details=[{"loc": ["body", field], "message": message, "type": "weak_password"}],
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def registration_open(session: AsyncSession, settings: Settings) -> bool:
    """The admin's switch (a primary-key lookup), else the start-up default."""
    return bool(
        await app_settings.get_value(
            session, app_settings.REGISTRATION_OPEN, settings.registration_open
        )
    )


@router.get(
    "/register",
    response_model=RegistrationStatus,
    responses=error_responses(500),
    summary="Can an account be created now, and would it be the first (the admin)?",
)
async def registration_status(
    response: Response, session: SessionDep, settings: SettingsDep
) -> RegistrationStatus:
    first = not await users_repo.any_exists(session)
    # Public and about to change (the first registration, an admin's switch): never cached.
    response.headers["Cache-Control"] = "no-store"
    return RegistrationStatus(
        open=first or await registration_open(session, settings), first_user=first
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenResponse,
    responses=error_responses(403, 409, 422, 429),
    summary="Create an account (the first one becomes admin) and log in",
)
async def register(
    body: RegisterRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    limiter: RateLimiterDep,
) -> TokenResponse:
    decision = await limiter.hit(
        f"register:ip:{client_ip(request)}", settings.login_max_attempts_per_ip, 3600
    )
    _raise_if_limited(decision)
    email = body.email.lower()
    is_first = not await users_repo.any_exists(session)
    if not is_first and not await registration_open(session, settings):
        raise ApiError(403, "registration_closed", "registration is closed on this server")
    problem = password_problem(
        body.password,
        min_length=settings.password_min_length,
        username=body.username,
        email=email,
    )
    if problem:
        raise weak_password(problem)
    taken = await taken_identity(session, username=body.username, email=email)
    if taken:
        raise ApiError(409, f"{taken}_taken", f"this {taken} is already registered")
    user = User(
        username=body.username,
        email=email,
        password_hash=passwords.hash(body.password),
        is_admin=is_first,
        is_active=True,
        preferences={},
        token_version=0,
        last_login_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    issued = start_login_session(session, settings, user, request.headers.get("user-agent"))
    await session.commit()
    return _token_response(request, response, settings, user, issued)


def _raise_if_limited(*decisions: RateDecision) -> None:
    denied = [d for d in decisions if not d.allowed]
    if denied:
        worst = max(denied, key=lambda d: d.retry_after)
        raise ApiError(
            429,
            "rate_limited",
            f"too many attempts: try again in {worst.retry_after_header} seconds",
            headers={"Retry-After": worst.retry_after_header},
        )


@router.post(
    "/login",
    response_model=TokenResponse,
    responses=error_responses(401, 422, 429),
    summary="Log in with username or email and password",
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    limiter: RateLimiterDep,
) -> TokenResponse:
    identifier = body.username.strip().lower()
    account_key = f"login:account:{identifier}"
    _raise_if_limited(
        await limiter.hit(
            f"login:ip:{client_ip(request)}",
            settings.login_max_attempts_per_ip,
            settings.login_window_seconds,
        ),
        await limiter.hit(
            account_key, settings.login_max_attempts_per_account, settings.login_window_seconds
        ),
    )
    user = await users_repo.by_login(session, identifier)
    if user is None:
        passwords.verify_dummy(body.password)
        raise unauthorized("invalid_credentials", "wrong username/email or password")
    verdict = passwords.check(user.password_hash, body.password)
    if verdict is Verdict.UNVERIFIABLE and user.is_active:
        # Not the user's fault and not a wrong password: the stored hash is in a format this
        # server cannot check (an import from another app). Only an operator can fix it.
        raise unauthorized(
            "password_reset_required",
            "your password is stored in a format this server cannot check: ask an "
            "administrator to reset it (polychat reset-password)",
        )
    if verdict is not Verdict.OK or not user.is_active:
        raise unauthorized("invalid_credentials", "wrong username/email or password")
    await limiter.reset(account_key)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(body.password)
    user.last_login_at = utcnow()
    issued = start_login_session(session, settings, user, request.headers.get("user-agent"))
    await session.commit()
    return _token_response(request, response, settings, user, issued)


@router.post(
    "/refresh",
    response_model=TokenResponse,
    responses=error_responses(401, 422),
    summary="Exchange a refresh token (body or cookie) for a new token pair",
)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    body: RefreshRequest | None = None,
) -> TokenResponse:
    raw = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    if not raw:
        raise unauthorized("invalid_refresh_token", "no refresh token: log in again")
    try:
        user, issued = await rotate(session, settings, raw, request.headers.get("user-agent"))
    except RefreshError as exc:
        # A dead refresh token is useless to keep: tell the browser to drop the cookie.
        cleared = Response()
        _clear_cookie(request, cleared, settings)
        error = unauthorized(exc.code, exc.message)
        error.headers = {**(error.headers or {}), "Set-Cookie": cleared.headers["set-cookie"]}
        raise error from exc
    return _token_response(request, response, settings, user, issued)


@router.post(
    "/logout",
    response_model=Status,
    responses=error_responses(401),
    summary="End this session: its refresh tokens stop working",
)
async def logout(
    auth: CurrentAuth,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Status:
    if auth.claims.session_id:
        await revoke_family(session, auth.claims.session_id)
        await session.commit()
    _clear_cookie(request, response, settings)
    return Status(status="logged_out")
