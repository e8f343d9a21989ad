"""app_schema: everything the multi-user, multi-provider app needs beyond the legacy schema.

Accounts (admin flag, profile, preferences, token version), refresh-token families, instance
settings, provider settings, instance-wide and per-provider API keys, conversation settings,
message trees and statuses, and richer usage rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("preferences", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("updated_at", TS, nullable=True))
        batch.add_column(sa.Column("last_login_at", TS, nullable=True))

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_refresh_tokens_user_id_users"),
            nullable=False,
        ),
        sa.Column("family_id", sa.String(36), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("user_agent", sa.String(255), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_refresh_tokens_token_hash"),
    )
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])

    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=True),
    )

    with op.batch_alter_table("api_keys") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(
            sa.Column("provider", sa.String(50), nullable=False, server_default="claude")
        )
        batch.add_column(sa.Column("key_hint", sa.String(16), nullable=True))
        batch.add_column(sa.Column("master_key_id", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("updated_at", TS, nullable=True))
        batch.add_column(sa.Column("last_used_at", TS, nullable=True))
        batch.create_unique_constraint(
            "uq_api_keys_user_provider_key", ["user_id", "provider", "key_name"]
        )

    op.create_table(
        "provider_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "users.id", ondelete="CASCADE", name="fk_provider_settings_user_id_users"
            ),
            nullable=True,
        ),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("base_url", sa.String(500), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=True),
        sa.Column("last_test_ok", sa.Boolean(), nullable=True),
        sa.Column("last_test_message", sa.Text(), nullable=True),
        sa.Column("last_checked_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=True),
        sa.UniqueConstraint("scope", "user_id", "provider", name="uq_provider_settings_scope"),
    )
    op.create_index("ix_provider_settings_user_id", "provider_settings", ["user_id"])

    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("system_prompt", sa.Text(), nullable=True))
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("failover", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("active_leaf_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("folder", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_conversations_user_updated", "conversations", ["user_id", "updated_at"])

    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("parts", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("model", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(20), nullable=False, server_default="complete")
        )
        batch.add_column(sa.Column("error", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("updated_at", TS, nullable=True))
        batch.create_foreign_key(
            "fk_messages_parent_id_messages",
            "messages",
            ["parent_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index("ix_messages_parent_id", "messages", ["parent_id"])

    with op.batch_alter_table("usage_tracking") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("tokens_estimated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("ttft_ms", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="ok"))
        batch.create_foreign_key(
            "fk_usage_tracking_message_id_messages",
            "messages",
            ["message_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_usage_tracking_user_created", "usage_tracking", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_usage_tracking_user_created", table_name="usage_tracking")
    with op.batch_alter_table("usage_tracking") as batch:
        batch.drop_constraint("fk_usage_tracking_message_id_messages", type_="foreignkey")
        for name in ("status", "duration_ms", "ttft_ms", "tokens_estimated", "message_id"):
            batch.drop_column(name)

    op.drop_index("ix_messages_parent_id", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("fk_messages_parent_id_messages", type_="foreignkey")
        for name in ("updated_at", "error", "status", "model", "parts", "parent_id"):
            batch.drop_column(name)

    op.drop_index("ix_conversations_user_updated", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        for name in (
            "archived",
            "pinned",
            "folder",
            "active_leaf_id",
            "failover",
            "params",
            "system_prompt",
        ):
            batch.drop_column(name)

    op.drop_index("ix_provider_settings_user_id", table_name="provider_settings")
    op.drop_table("provider_settings")

    # Instance-wide keys (user_id NULL) cannot exist in the legacy schema.
    op.execute("DELETE FROM api_keys WHERE user_id IS NULL")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint("uq_api_keys_user_provider_key", type_="unique")
        for name in ("last_used_at", "updated_at", "is_active", "master_key_id", "key_hint"):
            batch.drop_column(name)
        batch.drop_column("provider")
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)

    op.drop_table("app_settings")
    op.drop_index("ix_refresh_tokens_family_id", table_name="refresh_tokens")
    op.drop_index("ix_refresh_tokens_user_id", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")

    with op.batch_alter_table("users") as batch:
        for name in (
            "last_login_at",
            "updated_at",
            "token_version",
            "preferences",
            "is_active",
            "is_admin",
            "display_name",
        ):
            batch.drop_column(name)
