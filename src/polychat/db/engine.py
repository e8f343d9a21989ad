"""The async engine and session factory the app shares for its lifetime."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import NullPool

from polychat.config import Settings


def create_engine(
    settings: Settings, *, foreign_keys: bool = True, pooled: bool = True
) -> AsyncEngine:
    """An engine for `settings.effective_database_url`.

    SQLite gets WAL (readers never block the writer), foreign keys on and a busy timeout, set
    on every new connection. Migrations pass `foreign_keys=False`: SQLite's batch mode copies
    and drops tables, which with foreign keys on would cascade-delete child rows.
    """
    url = settings.effective_database_url
    kwargs: dict[str, Any] = {"echo": settings.db_echo}
    if not pooled:
        kwargs["poolclass"] = NullPool
    elif url.startswith("postgresql"):
        kwargs.update(pool_size=settings.db_pool_size, max_overflow=settings.db_pool_size)
    if url.startswith("postgresql"):
        kwargs["pool_pre_ping"] = pooled
    engine = _create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms, foreign_keys)
    return engine


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int, foreign_keys: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit without a lazy reload,
    # which async sessions cannot do implicitly.
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query (the readiness probe's check)."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
