"""ORM models: the schema at the head migration, column for column.

A test autogenerates a diff between this metadata and a freshly migrated database (SQLite and
PostgreSQL); any drift fails it. Change the schema by adding a migration *and* editing here.

Integer primary keys everywhere: the legacy single-provider schema used them, and keeping them
lets an old install upgrade in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

from polychat.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}

MESSAGE_STATUSES = ("complete", "streaming", "stopped", "error", "interrupted")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


def _created() -> MappedColumn[Any]:
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow, server_default=func.now())


def _updated(nullable: bool = True) -> MappedColumn[Any]:
    return mapped_column(
        UTCDateTime(),
        nullable=nullable,
        default=utcnow,
        onupdate=utcnow,
        server_default=None if nullable else func.now(),
    )


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("username", name="uq_users_username"),
        UniqueConstraint("email", name="uq_users_email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), nullable=False)
    email: Mapped[str] = mapped_column(String(255), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = _created()
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    preferences: Mapped[dict[str, Any]] = mapped_column(
        JSON, nullable=False, default=dict, server_default=text("'{}'")
    )
    # Bumped when every session must end (password change); access tokens carry it.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    updated_at: Mapped[datetime | None] = _updated()
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RefreshToken(Base):
    """One row per issued refresh token; a login starts a family, each refresh adds a row and
    marks its parent used. A used token presented again revokes the whole family."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_refresh_tokens_token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    family_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(255), nullable=True)


class AppSetting(Base):
    """Instance-wide settings an admin changes at run time (e.g. `registration_open`)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime | None] = _updated()


class ApiKey(Base):
    """A provider key, encrypted at rest. `user_id` NULL means instance-wide (set by an admin)."""

    __tablename__ = "api_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "provider", "key_name", name="uq_api_keys_user_provider_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    key_name: Mapped[str] = mapped_column(String(100), nullable=False)
    encrypted_key: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created()
    provider: Mapped[str] = mapped_column(String(50), nullable=False, server_default="claude")
    key_hint: Mapped[str | None] = mapped_column(String(16), nullable=True)
    master_key_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    updated_at: Mapped[datetime | None] = _updated()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProviderSetting(Base):
    """Per-provider switches and overrides, for one user (`scope='user'`) or the whole
    instance (`scope='instance'`, `user_id` NULL). `definition` describes a custom
    OpenAI-compatible provider."""

    __tablename__ = "provider_settings"
    __table_args__ = (
        UniqueConstraint("scope", "user_id", "provider", name="uq_provider_settings_scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10), nullable=False)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    provider: Mapped[str] = mapped_column(String(50), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    base_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    last_test_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    last_test_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime | None] = _updated()


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("idx_conversations_provider", "provider"),
        Index("ix_conversations_user_updated", "user_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str | None] = mapped_column(String(255), nullable=True)
    model: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated(nullable=False)
    # Added by `add_provider_support` exactly as the spec words it: TEXT, DEFAULT 'claude'.
    provider: Mapped[str] = mapped_column(
        Text, nullable=True, default="claude", server_default="claude"
    )
    system_prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    failover: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The message whose ancestor chain is the visible thread (messages form a tree on edit
    # and regenerate). No foreign key: messages already point at conversations.
    active_leaf_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    folder: Mapped[str | None] = mapped_column(String(100), nullable=True)
    pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created()
    provider: Mapped[str] = mapped_column(
        Text, nullable=True, default="claude", server_default="claude"
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), nullable=True, index=True
    )
    parts: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    model: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="complete")
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Always set on rows this app writes; NULL only on rows the single-provider app wrote,
    # which is how migration 0004 tells them apart. Keep it that way.
    updated_at: Mapped[datetime | None] = _updated()


class LegacySystemMessage(Base):
    """A `system` row of the single-provider app, taken out of the message list by migration
    0004 (its text became the conversation's system prompt) and kept verbatim so that
    migration's downgrade can put it back. Nothing in the app reads it."""

    __tablename__ = "legacy_system_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    content: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    provider: Mapped[str | None] = mapped_column(Text, nullable=True)


class UsageRecord(Base):
    __tablename__ = "usage_tracking"
    __table_args__ = (
        Index("idx_usage_tracking_provider", "provider"),
        Index("ix_usage_tracking_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True
    )
    model: Mapped[str] = mapped_column(String(100), nullable=False)
    input_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = _created()
    provider: Mapped[str] = mapped_column(
        Text, nullable=True, default="claude", server_default="claude"
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), nullable=True
    )
    tokens_estimated: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    ttft_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="ok")
