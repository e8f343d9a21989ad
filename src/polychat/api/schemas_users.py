"""Request and response bodies shared by the auth, users and admin routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from polychat.db.models import User

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$"


class Preferences(BaseModel):
    """Known preferences are typed; the web UI may store further small keys of its own."""

    model_config = ConfigDict(extra="allow")

    theme: Literal["system", "light", "dark"] = "system"
    language: str | None = Field(default=None, max_length=16)
    default_model: str | None = Field(default=None, max_length=100)
    default_provider: str | None = Field(default=None, max_length=50)
    custom_instructions: str | None = Field(
        default=None,
        max_length=10_000,
        description="What the assistant should know or do in every new conversation: the "
        "system prompt of conversations created without `system` (stored with each one, so "
        "changing it later leaves older chats as they were)",
    )


class UserProfile(BaseModel):
    id: int
    username: str
    email: str
    display_name: str | None
    is_admin: bool
    preferences: Preferences
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserProfile:
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            display_name=user.display_name,
            is_admin=user.is_admin,
            preferences=Preferences.model_validate(user.preferences or {}),
            created_at=user.created_at,
        )


class RegisterRequest(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN, description="3-32 letters, digits, _ . -")
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class LoginRequest(BaseModel):
    username: str = Field(
        min_length=1, max_length=255, description="The username or the email address"
    )
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    refresh_token: str | None = Field(
        default=None,
        max_length=512,
        description="Omit to use the httpOnly `polychat_refresh` cookie instead",
    )


class RegistrationStatus(BaseModel):
    """What the sign-in page needs before anyone is signed in (`GET /api/auth/register`)."""

    open: bool = Field(
        description="A new account can be created now: registration is open, or no account "
        "exists yet (the first one can always register)"
    )
    first_user: bool = Field(
        description="No account exists yet: the next one to register becomes the administrator"
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str = Field(description="Also set as the httpOnly `polychat_refresh` cookie")
    user: UserProfile


class ProfileUpdate(BaseModel):
    display_name: str | None = Field(default=None, max_length=100)
    email: EmailStr | None = None
    preferences: Preferences | None = Field(
        default=None, description="Merged into the stored preferences"
    )
    current_password: str | None = Field(default=None, max_length=1024)
    new_password: str | None = Field(default=None, max_length=1024)


class ProfileUpdateResponse(UserProfile):
    access_token: str | None = Field(
        default=None,
        description="Set when the password changed: every other session was ended and this "
        "new access token replaces the caller's old one",
    )


class AdminSettings(BaseModel):
    registration_open: bool


class AdminSettingsUpdate(BaseModel):
    registration_open: bool | None = None


class Status(BaseModel):
    status: str
