"""Serving the built web UI: files as they are, client routes as index.html, the API never."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from polychat.app import create_app
from polychat.config import Settings

pytestmark = pytest.mark.db


async def test_spa_files_fallback_and_api_404(settings: Settings, tmp_path: Path) -> None:
    web = tmp_path / "dist"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>Polychat</title>")
    (web / "assets" / "app-123.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("outside the web root")
    settings.web_dir = web
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as c,
    ):
        root = await c.get("/")
        deep = await c.get("/conversations/42")
        asset = await c.get("/assets/app-123.js")
        escape = await c.get("/..%2Fsecret.txt")
        api = await c.get("/api/not-a-route")
        health = await c.get("/healthz")

    assert root.status_code == deep.status_code == 200
    assert "<title>Polychat</title>" in deep.text
    assert asset.text == "console.log('hi')" and "immutable" in asset.headers["cache-control"]
    assert "outside the web root" not in escape.text
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert health.json()["status"] == "ok"


async def test_without_a_build_only_the_api_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
