"""Liveness, readiness, request ids and the error shape."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from polychat.app import create_app
from polychat.config import Settings
from polychat.db.migrate import head_revision, migrate

pytestmark = pytest.mark.db


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_readyz_when_migrated(client: httpx.AsyncClient, settings: Settings) -> None:
    body = (await client.get("/readyz")).json()
    assert body["status"] == "ok"
    assert body["migration"] == body["expected_migration"] == head_revision()
    assert body["redis"] == ("ok" if settings.redis_url else None)


async def test_readyz_is_503_when_migrations_are_behind(
    empty_database_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Feature start-up hooks may rightly refuse an old schema; readiness is about the core.
    monkeypatch.setattr("polychat.services.FEATURES", [])
    await migrate(empty_database_settings, "0002")
    empty_database_settings.run_migrations = False
    app = create_app(empty_database_settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as c,
    ):
        response = await c.get("/readyz")
        alive = await c.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migration"] == "0002"
    assert alive.status_code == 200


async def test_startup_migrates_an_empty_database(empty_database_settings: Settings) -> None:
    app = create_app(empty_database_settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as c,
    ):
        assert (await c.get("/readyz")).status_code == 200


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    generated = await client.get("/healthz")
    hostile = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(generated.headers["x-request-id"]) == 32
    assert hostile.headers["x-request-id"] != "bad id\twith spaces"


async def test_unknown_api_route_and_wrong_method_use_the_error_shape(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.get("/api/does-not-exist")
    wrong_method = await client.get("/api/auth/login")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


async def test_malformed_json_is_422_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_unexpected_errors_are_500_without_internals(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.get("/api/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal server error"}
    }
