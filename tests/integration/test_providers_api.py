"""The issue's "Done when" walk, over HTTP against the wire-faithful fakes.

Providers reach the fakes only through the base URL settings (POLYCHAT_CLAUDE_BASE_URL, ...),
exactly as an operator would point them at a proxy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select

from polychat.app import create_app
from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker
from polychat.db.models import ApiKey
from polychat.providers.base import ChatRequest, Message
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.mistral import FakeMistral

CLAUDE_KEY = "sk-ant-api03-claude-good-key-AAAA"
MISTRAL_BAD = "mistral-wrong-key-ZZZZ"
MISTRAL_GOOD = "mistral-right-key-MMMM"


@pytest.fixture
def claude_fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        fake.state.valid_keys = {CLAUDE_KEY}
        yield fake


@pytest.fixture
def mistral_fake() -> Iterator[FakeMistral]:
    with FakeMistral() as fake:
        fake.state.valid_keys = {MISTRAL_GOOD}
        yield fake


@pytest.fixture
def app(settings: Settings, claude_fake: FakeAnthropic, mistral_fake: FakeMistral) -> FastAPI:
    settings.claude_base_url = claude_fake.url
    settings.mistral_base_url = mistral_fake.url
    settings.ollama_base_url = "http://127.0.0.1:9"  # nothing listens: never reached here
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as http,
    ):
        yield http


def by_id(providers: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(p["id"]): p for p in providers}


async def providers_of(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, dict]:  # type: ignore[type-arg]
    r = await client.get("/api/providers", headers=headers)
    assert r.status_code == 200, r.text
    return by_id(r.json())


async def model_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, set[str]]:
    r = await client.get("/api/models", headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, set[str]] = {}
    for m in r.json()["models"]:
        out.setdefault(m["provider"], set()).add(m["id"])
    return out


async def test_done_when_walk(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    claude_fake: FakeAnthropic,
    mistral_fake: FakeMistral,
) -> None:
    me = user_headers

    # Nothing configured yet: no models, providers say what is missing.
    before = await providers_of(client, me)
    assert before["claude"]["status"] == "unconfigured"
    assert before["claude"]["key_source"] == "none"
    assert before["claude"]["requires_key"] is True
    assert "claude" not in await model_ids(client, me)

    # 1. Configure a Claude key; 2. configure a Mistral key (a wrong one).
    r = await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["key_source"] == "user"
    assert r.json()["key_hint"] == "…AAAA"
    assert r.json()["configured"] is True
    r = await client.post("/api/providers/mistral/key", json={"api_key": MISTRAL_BAD}, headers=me)
    assert r.status_code == 200, r.text

    # Both stored separately and encrypted, bound to their rows.
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = (await session.scalars(select(ApiKey).order_by(ApiKey.provider))).all()
    finally:
        await engine.dispose()
    assert [(r.provider, r.key_name) for r in rows] == [
        ("claude", "claude_api_key"),
        ("mistral", "mistral_api_key"),
    ]
    for row in rows:
        assert row.encrypted_key.startswith("pc1.")
        assert CLAUDE_KEY not in row.encrypted_key and MISTRAL_BAD not in row.encrypted_key
        assert row.master_key_id == app.state.secretbox.current_key_id
        assert row.user_id is not None
    assert rows[0].key_hint == "…AAAA" and rows[1].key_hint == "…ZZZZ"

    # 3. Test each: the good one succeeds, the bad one reports the provider's message.
    r = await client.post("/api/providers/claude/test", headers=me)
    assert r.status_code == 200, r.text
    good = r.json()
    assert good["success"] is True and good["provider"] == "claude"
    assert good["latency_ms"] >= 0 and good.get("error") is None
    r = await client.post("/api/providers/mistral/test", headers=me)
    bad = r.json()
    assert bad["success"] is False and bad["provider"] == "mistral"
    assert bad["error_code"] == "auth_failed"
    assert "Unauthorized" in bad["error"]
    status = (await client.get("/api/providers/mistral/status", headers=me)).json()
    assert status["status"] == "error"
    assert "Unauthorized" in status["message"]
    assert status["last_test"]["success"] is False
    assert status["last_test"]["checked_at"]
    listed = await providers_of(client, me)
    assert listed["claude"]["status"] == "ok"
    assert listed["claude"]["last_test"]["success"] is True
    assert listed["mistral"]["status"] == "error"

    # The fakes saw each key only where it belongs.
    claude_creds = {
        q.headers.get("x-api-key") or q.headers.get("authorization", "").removeprefix("Bearer ")
        for q in claude_fake.requests
    }
    assert claude_creds == {CLAUDE_KEY}
    assert all(
        q.headers.get("authorization") == f"Bearer {MISTRAL_BAD}" for q in mistral_fake.requests
    )

    # Fixing the key clears the old error: the status follows.
    r = await client.post("/api/providers/mistral/key", json={"api_key": MISTRAL_GOOD}, headers=me)
    assert r.json()["status"] == "ok" and r.json()["last_test"] is None
    assert (await client.post("/api/providers/mistral/test", headers=me)).json()["success"]

    models = await model_ids(client, me)
    assert {"claude", "mistral"} <= set(models)
    assert "mistral-large-latest" in models["mistral"]
    assert models["claude"]

    # 4. Remove one key: only that provider's models vanish.
    r = await client.delete("/api/providers/claude/key", headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unconfigured"
    after = await model_ids(client, me)
    assert "claude" not in after
    assert after["mistral"] == models["mistral"]

    # 5. Disabling a provider hides its models and refuses requests; enabling restores.
    r = await client.patch("/api/providers/mistral", json={"enabled": False}, headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "disabled" and r.json()["enabled"] is False
    assert "mistral" not in await model_ids(client, me)
    access = app.state.provider_access
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            uid = (await client.get("/api/users/profile", headers=me)).json()["id"]
            with pytest.raises(Exception) as refused:
                await access.resolve(session, uid, "mistral-large-latest")
            assert getattr(refused.value, "status_code", None) == 403
            assert refused.value.code == "provider_disabled"  # type: ignore[attr-defined]
            await client.patch("/api/providers/mistral", json={"enabled": True}, headers=me)
            resolved = await access.resolve(session, uid, "mistral-large-latest")
            assert resolved.provider_id == "mistral" and resolved.key_source == "user"
            reply = await resolved.provider.send_message(
                ChatRequest(model=resolved.model, messages=(Message.user("hi"),))
            )
            assert reply.text
    finally:
        await engine.dispose()
    assert "mistral" in await model_ids(client, me)
