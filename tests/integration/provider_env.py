"""Shared set-up for the providers/models API tests: the app pointed at running fakes.

Providers reach the fakes only through base URL settings (POLYCHAT_<PROVIDER>_BASE_URL), as
an operator would point them at a proxy; nothing in the app knows it is talking to a fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from polychat.app import create_app
from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as http,
    ):
        yield http


def app_for(settings: Settings, **base_urls: str) -> FastAPI:
    """`create_app` with `<provider>=url` base URL settings (unused providers point nowhere)."""
    settings.provider_base_urls = {
        provider: base_urls.get(provider, "http://127.0.0.1:9")
        for provider in ("claude", "mistral", "openai", "gemini", "ollama", "openrouter")
    }
    return create_app(settings)


@asynccontextmanager
async def db_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    r = await client.get("/api/users/profile", headers=headers)
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


async def providers_by_id(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> dict[str, dict[str, Any]]:
    r = await client.get("/api/providers", headers=headers)
    assert r.status_code == 200, r.text
    return {p["id"]: p for p in r.json()}


async def models_by_provider(
    client: httpx.AsyncClient, headers: dict[str, str], query: str = ""
) -> dict[str, set[str]]:
    r = await client.get(f"/api/models{query}", headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, set[str]] = {}
    for m in r.json()["models"]:
        out.setdefault(m["provider"], set()).add(m["id"])
    return out
