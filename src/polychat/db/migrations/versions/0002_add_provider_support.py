"""add_provider_support: a `provider` column (TEXT, DEFAULT 'claude') on conversations,
messages and usage_tracking, plus `idx_conversations_provider` and
`idx_usage_tracking_provider`.

Idempotent: every step inspects the live schema first, so a database where some or all of
this was already added (even by hand) is left exactly as it is. Existing rows get 'claude'
from the column default. The downgrade drops exactly these columns and indexes (batch mode on
SQLite, which cannot drop columns in place on older versions) and nothing else.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

TABLES = ("conversations", "messages", "usage_tracking")
INDEXES = {
    "idx_conversations_provider": "conversations",
    "idx_usage_tracking_provider": "usage_tracking",
}


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _indexes(table: str) -> set[str]:
    return {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(table) if i["name"]}


def upgrade() -> None:
    for table in TABLES:
        if "provider" not in _columns(table):
            op.add_column(
                table, sa.Column("provider", sa.Text(), nullable=True, server_default="claude")
            )
    for index, table in INDEXES.items():
        if index not in _indexes(table):
            op.create_index(index, table, ["provider"])


def downgrade() -> None:
    for index, table in INDEXES.items():
        if index in _indexes(table):
            op.drop_index(index, table_name=table)
    for table in TABLES:
        if "provider" in _columns(table):
            with op.batch_alter_table(table) as batch:
                batch.drop_column("provider")
