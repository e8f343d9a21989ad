"""`/api/users/profile`: the caller's own account."""

from __future__ import annotations

from fastapi import APIRouter

from polychat.api.auth import taken_identity, weak_password
from polychat.api.deps import CurrentAuth, CurrentUser, PasswordsDep, SessionDep, SettingsDep
from polychat.api.errors import ApiError, error_responses
from polychat.api.schemas_users import ProfileUpdate, ProfileUpdateResponse, UserProfile
from polychat.security.passwords import password_problem
from polychat.security.sessions import access_token_for, revoke_user_sessions

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get(
    "/profile",
    response_model=UserProfile,
    responses=error_responses(401),
    summary="The caller's profile and preferences",
)
async def get_profile(user: CurrentUser) -> UserProfile:
    return UserProfile.of(user)


@router.put(
    "/profile",
    response_model=ProfileUpdateResponse,
    responses=error_responses(400, 401, 409, 422),
    summary="Update display name, email, preferences or password",
    description="A password change needs `current_password`, ends every other session of "
    "the account and returns a fresh `access_token` for this one.",
)
async def update_profile(
    body: ProfileUpdate,
    auth: CurrentAuth,
    session: SessionDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
) -> ProfileUpdateResponse:
    user = auth.user
    fields = body.model_fields_set
    if "display_name" in fields:
        user.display_name = (body.display_name or "").strip() or None
    if body.email is not None and body.email.lower() != user.email.lower():
        if await taken_identity(session, username=None, email=body.email):
            raise ApiError(409, "email_taken", "this email is already registered")
        user.email = body.email.lower()
    if body.preferences is not None:
        merged = dict(user.preferences or {})
        merged.update(body.preferences.model_dump(exclude_unset=True))
        user.preferences = merged
    new_access: str | None = None
    if body.new_password is not None:
        if not body.current_password or not passwords.verify(
            user.password_hash, body.current_password
        ):
            raise ApiError(400, "invalid_current_password", "current password is missing or wrong")
        problem = password_problem(
            body.new_password,
            min_length=settings.password_min_length,
            username=user.username,
            email=user.email,
        )
        if problem:
            raise weak_password(problem, "new_password")
        user.password_hash = passwords.hash(body.new_password)
        user.token_version += 1
        await revoke_user_sessions(session, user.id, except_family=auth.claims.session_id)
        new_access = access_token_for(settings, user, auth.claims.session_id)
    await session.commit()
    return ProfileUpdateResponse(**UserProfile.of(user).model_dump(), access_token=new_access)
