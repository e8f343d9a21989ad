"""Migrations on a real database (SQLite by default, PostgreSQL in CI's second pass).

The legacy story: an install created at revision 0001 (the Claude-only schema) with data in it
is upgraded to head. Nothing may be lost or changed; every old row is now a `claude` row.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from polychat.config import Settings
from polychat.db.engine import create_engine
from polychat.db.migrate import head_revision, migrate
from polychat.db.models import Base
from tests.integration.legacy_db import legacy_database, legacy_rows, read_legacy

pytestmark = pytest.mark.db


async def providers_of(engine: AsyncEngine, table: str) -> list[str | None]:
    async with engine.connect() as conn:
        result = await conn.execute(sa.text(f"SELECT provider FROM {table} ORDER BY id"))
        return [r[0] for r in result]


def _schema(conn: sa.Connection) -> dict[str, tuple[list[str], list[str]]]:
    insp = sa.inspect(conn)
    return {
        t: (
            sorted(c["name"] for c in insp.get_columns(t)),
            sorted(str(i["name"]) for i in insp.get_indexes(t)),
        )
        for t in insp.get_table_names()
    }


async def schema(engine: AsyncEngine) -> dict[str, tuple[list[str], list[str]]]:
    async with engine.connect() as conn:
        return await conn.run_sync(_schema)


@pytest.fixture
async def legacy_engine(empty_database_settings: Settings) -> Any:
    """A database at revision 0001 filled with legacy rows."""
    engine = await legacy_database(empty_database_settings)
    yield engine
    await engine.dispose()


async def test_legacy_database_upgrades_to_head_without_losing_anything(
    empty_database_settings: Settings, legacy_engine: AsyncEngine
) -> None:
    before = await read_legacy(legacy_engine)
    assert before == legacy_rows()

    result = await migrate(empty_database_settings)

    assert (result.before, result.after) == ("0001", head_revision())
    assert await read_legacy(legacy_engine) == before
    for table in ("conversations", "messages", "usage_tracking"):
        rows = len(before[table])
        assert await providers_of(legacy_engine, table) == ["claude"] * rows


async def test_upgrading_twice_is_harmless(
    empty_database_settings: Settings, legacy_engine: AsyncEngine
) -> None:
    await migrate(empty_database_settings)
    shape = await schema(legacy_engine)
    data = await read_legacy(legacy_engine)

    again = await migrate(empty_database_settings)

    assert again.before == again.after == head_revision()
    assert again.backup is None  # nothing to do, nothing touched
    assert await schema(legacy_engine) == shape
    assert await read_legacy(legacy_engine) == data


async def test_downgrade_then_upgrade_loses_nothing(
    empty_database_settings: Settings, legacy_engine: AsyncEngine
) -> None:
    await migrate(empty_database_settings)
    data = await read_legacy(legacy_engine)

    await migrate(empty_database_settings, "0001", direction="downgrade")
    assert await read_legacy(legacy_engine) == data
    await migrate(empty_database_settings)

    assert await read_legacy(legacy_engine) == data
    assert await providers_of(legacy_engine, "conversations") == ["claude"] * 3


async def test_provider_downgrade_removes_exactly_what_it_added(
    empty_database_settings: Settings, legacy_engine: AsyncEngine
) -> None:
    at_0001 = await schema(legacy_engine)
    await migrate(empty_database_settings, "0002")
    at_0002 = await schema(legacy_engine)
    assert "provider" in at_0002["conversations"][0]
    assert "provider" in at_0002["messages"][0]
    assert "idx_conversations_provider" in at_0002["conversations"][1]
    assert "idx_usage_tracking_provider" in at_0002["usage_tracking"][1]

    await migrate(empty_database_settings, "0001", direction="downgrade")

    assert await schema(legacy_engine) == at_0001
    assert await read_legacy(legacy_engine) == legacy_rows()


async def test_provider_migration_accepts_columns_added_by_hand(
    empty_database_settings: Settings, legacy_engine: AsyncEngine
) -> None:
    async with legacy_engine.begin() as conn:
        await conn.execute(
            sa.text("ALTER TABLE conversations ADD COLUMN provider TEXT DEFAULT 'claude'")
        )
        await conn.execute(sa.text("UPDATE conversations SET provider = 'mistral' WHERE id = 2"))
        await conn.execute(
            sa.text("CREATE INDEX idx_conversations_provider ON conversations (provider)")
        )

    result = await migrate(empty_database_settings, "0002")

    assert result.after == "0002"
    assert await providers_of(legacy_engine, "conversations") == ["claude", "mistral", "claude"]
    assert await providers_of(legacy_engine, "usage_tracking") == ["claude"] * 3
    await migrate(empty_database_settings)
    assert await read_legacy(legacy_engine) == legacy_rows()


async def test_models_match_the_migrated_schema(empty_database_settings: Settings) -> None:
    await migrate(empty_database_settings)
    engine = create_engine(empty_database_settings)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
            # The comparison itself must be able to see drift, or this test proves nothing.
            drifted = sa.MetaData()
            for table in Base.metadata.tables.values():
                table.to_metadata(drifted)
            drifted.tables["users"].append_column(sa.Column("not_migrated", sa.Integer()))
            drift = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), drifted)
            )
    finally:
        await engine.dispose()
    assert diff == []
    assert any(op[0] == "add_column" and op[3].name == "not_migrated" for op in drift)


async def test_sqlite_file_is_backed_up_before_migrating(
    empty_database_settings: Settings,
    legacy_engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if not empty_database_settings.is_sqlite:
        result = await migrate(empty_database_settings)
        assert result.backup is None  # PostgreSQL: back up with pg_dump (docs/operations.md)
        return
    caplog.set_level("INFO", logger="polychat.db.migrate")

    result = await migrate(empty_database_settings)

    assert result.backup is not None and result.backup.exists()
    assert result.backup.parent == empty_database_settings.sqlite_path.parent
    assert str(result.backup) in caplog.text
    assert oct(result.backup.stat().st_mode & 0o777) == "0o600"
    backup_settings = empty_database_settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{result.backup}"}
    )
    backup_engine = create_engine(backup_settings)
    try:
        assert await read_legacy(backup_engine) == legacy_rows()
        assert "provider" not in (await schema(backup_engine))["conversations"][0]
    finally:
        await backup_engine.dispose()


async def test_fresh_database_needs_no_backup(empty_database_settings: Settings) -> None:
    result = await migrate(empty_database_settings)
    assert result.backup is None
    assert result.after == head_revision()
    if empty_database_settings.is_sqlite:
        siblings = list(empty_database_settings.sqlite_path.parent.glob("*.backup-*"))
        assert siblings == []
