"""Shared fixtures: real databases, the real app, an HTTP client over ASGI.

Databases:
- default: SQLite. A template database is migrated once per session and copied for each test,
  so every test starts from a fresh, fully migrated file in its own data directory.
- `DATABASE_URL=postgresql...`: the session creates its own database next to the one named
  (so parallel runs never collide), migrates it once, truncates every table before each
  test and drops it at the end. If PostgreSQL does not answer, every database test errors:
  it never skips.
- `REDIS_URL=...`: the app uses Redis (rate limits etc.) with a key prefix unique to each
  test; Redis must answer or the tests error.

Fixtures for other suites: `settings`, `app`, `client`, `admin_headers`, `user_headers`,
`empty_database_settings` (an unmigrated database, for migration tests). Helpers to
register users through the API live in `tests.helpers`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from polychat.app import create_app
from polychat.config import Settings
from polychat.db.migrate import migrate
from tests.helpers import register

ENV_DATABASE_URL = os.environ.get("DATABASE_URL") or None
ENV_REDIS_URL = os.environ.get("REDIS_URL") or None

_SECRET_FIELDS = ("encryption_key", "secret_key")


def make_settings(data_dir: Path, database_url: str | None, **overrides: Any) -> Settings:
    """Hermetic settings: no `.env`, no provider keys or URLs from the developer's shell,
    cheap Argon2 parameters (still Argon2id) so the suite stays fast."""
    values: dict[str, Any] = dict.fromkeys(_SECRET_FIELDS)
    values.update(
        provider_base_urls={},
        provider_api_keys={},
        data_dir=data_dir,
        database_url=database_url,
        redis_url=ENV_REDIS_URL,
        redis_prefix=f"polychat-test-{uuid.uuid4().hex[:12]}:",
        web_dir=data_dir / "no-web-build",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        log_level="INFO",
        log_json=False,
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --- PostgreSQL ---


def _is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0].startswith("postgres")  # type: ignore[union-attr]


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def create_pg_database(base_url: str) -> str:
    """A new, empty database beside the one `base_url` names; returns its URL."""
    base = make_url(base_url)
    name = f"{base.database or 'test'}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_pg_admin(base_url, f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError) as exc:
        pytest.fail(f"PostgreSQL at {base.host}:{base.port} is unreachable: {exc!r}")
    return base.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(base_url: str, url: str) -> None:
    name = make_url(url).database
    asyncio.run(_pg_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _pg_session_url() -> Iterator[str | None]:
    if not _is_postgres(ENV_DATABASE_URL):
        yield None
        return
    assert ENV_DATABASE_URL is not None
    url = create_pg_database(ENV_DATABASE_URL)
    try:
        scratch = Path(f"/tmp/polychat-test-{os.getpid()}")
        asyncio.run(migrate(make_settings(scratch, url)))
        yield url
    finally:
        drop_pg_database(ENV_DATABASE_URL, url)


async def _truncate_all(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        if rows:
            names = ", ".join(f'"{r["tablename"]}"' for r in rows)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


# --- SQLite ---


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    if _is_postgres(ENV_DATABASE_URL):
        return None
    data_dir = tmp_path_factory.mktemp("template")
    asyncio.run(migrate(make_settings(data_dir, None)))
    return data_dir / "polychat.db"


# --- Redis ---


@pytest.fixture(scope="session", autouse=True)
def _redis_must_answer() -> None:
    if not ENV_REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(ENV_REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"REDIS_URL={ENV_REDIS_URL} is unreachable: {exc!r}")
    finally:
        client.close()


# --- the fixtures other suites use ---


@pytest.fixture
async def settings(
    tmp_path: Path, _sqlite_template: Path | None, _pg_session_url: str | None
) -> Settings:
    """Settings for one test, pointing at a clean, migrated database."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if _pg_session_url is not None:
        await _truncate_all(_pg_session_url)
        return make_settings(data_dir, _pg_session_url)
    assert _sqlite_template is not None
    shutil.copyfile(_sqlite_template, data_dir / "polychat.db")
    return make_settings(data_dir, None)


@pytest.fixture(scope="module")
def module_settings(
    tmp_path_factory: pytest.TempPathFactory,
    _sqlite_template: Path | None,
    _pg_session_url: str | None,
) -> Settings:
    """Settings for a whole module sharing one app (a matrix of cases): a clean, migrated
    database made once, so each case does not pay for a new app and new fakes."""
    data_dir = tmp_path_factory.mktemp("module-data")
    if _pg_session_url is not None:
        asyncio.run(_truncate_all(_pg_session_url))
        return make_settings(data_dir, _pg_session_url)
    assert _sqlite_template is not None
    shutil.copyfile(_sqlite_template, data_dir / "polychat.db")
    return make_settings(data_dir, None)


@pytest.fixture
def empty_database_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings pointing at an empty database (nothing migrated): for migration tests."""
    data_dir = tmp_path / "empty-data"
    data_dir.mkdir()
    if _is_postgres(ENV_DATABASE_URL):
        assert ENV_DATABASE_URL is not None
        url = create_pg_database(ENV_DATABASE_URL)
        try:
            yield make_settings(data_dir, url)
        finally:
            drop_pg_database(ENV_DATABASE_URL, url)
    else:
        yield make_settings(data_dir, None)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client wired to the app in-process, lifespan (migrations, singletons) running."""
    async with (
        LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as http,
    ):
        yield http


@pytest.fixture
async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    """Auth headers of the first registered user, who is therefore the admin."""
    return await register(client, "admin")


@pytest.fixture
async def user_headers(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> dict[str, str]:
    """Auth headers of an ordinary (non-admin) user `alice`."""
    return await register(client, "alice")
