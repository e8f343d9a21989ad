"""Applying Alembic migrations from inside Polychat (start-up and `polychat migrate`).

Migrations run on a connection Polychat opens itself, in one transaction (SQLite included:
the driver's implicit transaction handling is switched off so DDL is transactional too).
Before a migration touches a SQLite file that holds data, a timestamped copy is written beside
it. On PostgreSQL an advisory lock keeps several starting replicas from migrating at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from polychat.config import Settings
from polychat.db.engine import create_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_PG_LOCK_ID = 7_318_004_211  # arbitrary, constant: "polychat migrations"


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str | None
    backup: Path | None


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@functools.cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def backup_sqlite(db_path: Path) -> Path:
    """Copy a live SQLite database (WAL included) to `<name>.backup-<UTC timestamp>`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = db_path.with_name(f"{db_path.name}.backup-{stamp}")
    src = sqlite3.connect(db_path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    target.chmod(0o600)
    return target


def _sqlite_has_tables(db_path: Path) -> bool:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return False
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
    finally:
        conn.close()
    return bool(row and row[0])


def _sqlite_file(settings: Settings) -> Path | None:
    url = settings.effective_database_url
    prefix = "sqlite+aiosqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        return None
    return Path(url[len(prefix) :].split("?", 1)[0])


def _transactional_sqlite(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so DDL is
    inside them (the recipe from SQLAlchemy's SQLite dialect documentation)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


async def migrate(
    settings: Settings,
    revision: str = "head",
    *,
    direction: Literal["upgrade", "downgrade"] = "upgrade",
) -> MigrationResult:
    """Bring the database to `revision`; returns the revisions before and after and the path
    of the SQLite backup, if one was written."""
    if settings.database_url is None:
        settings.ensure_data_dir()
    engine = create_engine(settings, foreign_keys=False, pooled=False)
    if settings.is_sqlite:
        _transactional_sqlite(engine)
    try:
        before = await current_revision(engine)
        target = head_revision() if revision == "head" else revision
        backup: Path | None = None
        db_file = _sqlite_file(settings)
        if (
            before != target
            and settings.backup_before_migrate
            and db_file is not None
            and await asyncio.to_thread(_sqlite_has_tables, db_file)
        ):
            backup = await asyncio.to_thread(backup_sqlite, db_file)
            log.warning("database backup written before migrating: %s", backup)
        cfg = alembic_config()

        def _apply(connection: Connection) -> None:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})"))
            cfg.attributes["connection"] = connection
            if direction == "upgrade":
                command.upgrade(cfg, revision)
            else:
                command.downgrade(cfg, revision)

        async with engine.begin() as conn:
            await conn.run_sync(_apply)
        after = await current_revision(engine)
        if before != after:
            log.info("database migrated from %s to %s", before or "empty", after or "base")
        return MigrationResult(before=before, after=after, backup=backup)
    finally:
        await engine.dispose()
