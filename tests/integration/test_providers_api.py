"""The issue's "Done when" walk, over HTTP against the wire-faithful fakes.

Providers reach the fakes only through the base URL settings (POLYCHAT_CLAUDE_BASE_URL, ...),
exactly as an operator would point them at a proxy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from polychat.config import Settings
from polychat.db.models import ApiKey
from polychat.keys.errors import ProviderDisabledError
from polychat.providers.base import ChatRequest, Message
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.mistral import FakeMistral
from tests.integration.provider_env import (
    app_for,
    db_session,
    models_by_provider,
    providers_by_id,
    running,
    user_id,
)

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
    return app_for(settings, claude=claude_fake.url, mistral=mistral_fake.url)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as http:
        yield http


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
    before = await providers_by_id(client, me)
    assert before["claude"]["status"] == "unconfigured"
    assert before["claude"]["key_source"] == "none"
    assert before["claude"]["requires_key"] is True
    assert before["ollama"]["requires_key"] is False
    assert "claude" not in await models_by_provider(client, me)

    # 1. Configure a Claude key; 2. configure a Mistral key (a wrong one).
    r = await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["key_source"] == "user"
    assert r.json()["key_hint"] == "…AAAA"
    assert r.json()["configured"] is True
    r = await client.post("/api/providers/mistral/key", json={"api_key": MISTRAL_BAD}, headers=me)
    assert r.status_code == 200, r.text

    # Both stored separately and encrypted, bound to their rows.
    async with db_session(settings) as session:
        rows = (await session.scalars(select(ApiKey).order_by(ApiKey.provider))).all()
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
    listed = await providers_by_id(client, me)
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

    models = await models_by_provider(client, me)
    assert {"claude", "mistral"} <= set(models)
    assert "mistral-large-latest" in models["mistral"]
    assert models["claude"]

    # 4. Remove one key: only that provider's models vanish.
    r = await client.delete("/api/providers/claude/key", headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "unconfigured"
    after = await models_by_provider(client, me)
    assert "claude" not in after
    assert after["mistral"] == models["mistral"]

    # 5. Disabling a provider hides its models and refuses requests; enabling restores.
    r = await client.patch("/api/providers/mistral", json={"enabled": False}, headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "disabled" and r.json()["enabled"] is False
    assert "mistral" not in await models_by_provider(client, me)
    access = app.state.provider_access
    uid = await user_id(client, me)
    async with db_session(settings) as session:
        with pytest.raises(ProviderDisabledError) as refused:
            await access.resolve(session, uid, "mistral-large-latest")
        assert refused.value.status == 403 and refused.value.code == "provider_disabled"
        await client.patch("/api/providers/mistral", json={"enabled": True}, headers=me)
        resolved = await access.resolve(session, uid, "mistral-large-latest")
        assert resolved.provider_id == "mistral" and resolved.key_source == "user"
        reply = await resolved.provider.send_message(
            ChatRequest(model=resolved.model, messages=(Message.user("hi"),))
        )
        assert reply.text
    assert "mistral" in await models_by_provider(client, me)
