"""A database as the single-provider app left it (revision 0001), for the migration tests.

The tables are written as the old schema has them (no column a later revision adds), so rows
inserted here look exactly like the old app's; `legacy_database` builds one, optionally
migrated to a later revision (e.g. 0003, as an install upgraded before a fix would be).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from polychat.config import Settings
from polychat.db.engine import create_engine
from polychat.db.migrate import migrate

LegacyRows = dict[str, list[dict[str, Any]]]

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
TS = sa.DateTime(timezone=True)

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("email", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("created_at", TS),
)
api_keys = sa.table(
    "api_keys",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("key_name", sa.String),
    sa.column("encrypted_key", sa.Text),
    sa.column("created_at", TS),
)
conversations = sa.table(
    "conversations",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("model", sa.String),
    sa.column("created_at", TS),
    sa.column("updated_at", TS),
)
messages = sa.table(
    "messages",
    sa.column("id", sa.Integer),
    sa.column("conversation_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("content", sa.Text),
    sa.column("created_at", TS),
)
usage = sa.table(
    "usage_tracking",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("conversation_id", sa.Integer),
    sa.column("model", sa.String),
    sa.column("input_tokens", sa.Integer),
    sa.column("output_tokens", sa.Integer),
    sa.column("cost", sa.Float),
    sa.column("created_at", TS),
)
LEGACY_TABLES = (users, api_keys, conversations, messages, usage)


def legacy_rows() -> LegacyRows:
    return {
        "users": [
            {"id": i, "username": f"u{i}", "email": f"u{i}@example.com",
             "password_hash": f"$legacy${i}", "created_at": T0}
            for i in (1, 2)
        ],
        "api_keys": [
            {"id": 1, "user_id": 1, "key_name": "claude_api_key",
             "encrypted_key": "gAAAAlegacyciphertext", "created_at": T0}
        ],
        "conversations": [
            {"id": c, "user_id": 1 + c % 2, "title": f"Chat {c} — ünïcode ✓",
             "model": "claude-3-5-sonnet-20241022", "created_at": T0, "updated_at": T0}
            for c in (1, 2, 3)
        ],
        "messages": [
            {"id": m, "conversation_id": 1 + (m - 1) // 2,
             "role": "user" if m % 2 else "assistant",
             "content": f"message {m}\nwith a second line and 'quotes'", "created_at": T0}
            for m in range(1, 7)
        ],
        "usage_tracking": [
            {"id": u, "user_id": 1, "conversation_id": u, "model": "claude-3-haiku-20240307",
             "input_tokens": 10 * u, "output_tokens": 20 * u, "cost": 0.001 * u,
             "created_at": T0}
            for u in (1, 2, 3)
        ],
    }  # fmt: skip


async def insert_legacy(engine: AsyncEngine, rows: LegacyRows | None = None) -> None:
    rows = legacy_rows() if rows is None else rows
    async with engine.begin() as conn:
        for table in LEGACY_TABLES:
            if rows.get(table.name):
                await conn.execute(sa.insert(table), rows[table.name])
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in LEGACY_TABLES:
                await conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )


async def read_legacy(engine: AsyncEngine) -> LegacyRows:
    out: LegacyRows = {}
    async with engine.connect() as conn:
        for table in LEGACY_TABLES:
            result = await conn.execute(sa.select(table).order_by(table.c.id))
            out[table.name] = [_normal(dict(r._mapping)) for r in result]
    return out


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    """SQLite returns naive datetimes; compare instants, not representations."""
    for key, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            row[key] = value.replace(tzinfo=UTC)
    return row


async def legacy_database(
    settings: Settings, rows: LegacyRows | None = None, revision: str = "0001"
) -> AsyncEngine:
    """An engine on a database made at 0001, filled with `rows` (default `legacy_rows()`),
    then migrated to `revision`. The caller disposes of it."""
    await migrate(settings, "0001")
    engine = create_engine(settings)
    await insert_legacy(engine, rows)
    if revision != "0001":
        await migrate(settings, revision)
    return engine
