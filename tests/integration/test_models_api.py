"""`GET /api/models` and friends: only models a user can use, failures contained per provider."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from polychat.config import Settings
from polychat.db.models import UsageRecord
from polychat.keys.errors import UnknownModelError
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.mistral import FakeMistral
from tests.fakes.ollama import FakeOllama
from tests.fakes.script import Failure
from tests.integration.provider_env import (
    app_for,
    db_session,
    models_by_provider,
    providers_by_id,
    running,
    user_id,
)

CLAUDE_KEY = "sk-ant-models-key-1234"
MISTRAL_KEY = "mistral-models-key-5678"


@pytest.fixture
def fakes() -> Iterator[dict[str, Any]]:
    with FakeAnthropic() as claude, FakeMistral() as mistral, FakeOllama() as ollama:
        claude.state.valid_keys = {CLAUDE_KEY}
        mistral.state.valid_keys = {MISTRAL_KEY}
        yield {"claude": claude, "mistral": mistral, "ollama": ollama}


@pytest.fixture
def app(settings: Settings, fakes: dict[str, Any]) -> FastAPI:
    return app_for(settings, **{name: fake.url for name, fake in fakes.items()})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as http:
        yield http


async def _models(client: httpx.AsyncClient, headers: dict[str, str], q: str = "") -> Any:
    r = await client.get(f"/api/models{q}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_models_shape_and_all_flag(
    client: httpx.AsyncClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    me = user_headers
    await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=me)
    body = await _models(client, me)
    groups = {g["provider"]: g for g in body["providers"]}
    assert set(groups) == {"claude", "ollama"}  # keyed + keyless (Ollama needs no key)
    assert groups["claude"]["status"] == "ok" and groups["claude"]["available"] is True
    claude = [m for m in body["models"] if m["provider"] == "claude"]
    assert claude and all(m["available"] for m in claude)
    assert sum(m["is_default"] for m in claude) == 1
    sample = claude[0]
    assert set(sample) >= {
        "id",
        "provider",
        "provider_display_name",
        "display_name",
        "context_window",
        "max_output_tokens",
        "capabilities",
        "is_default",
        "available",
    }
    assert set(sample["capabilities"]) == {"vision", "tools", "streaming", "reasoning"}
    assert all(m["context_window"] for m in claude)
    ollama_ids = {m["id"] for m in body["models"] if m["provider"] == "ollama"}
    assert ollama_ids  # the live /api/tags list

    everything = await _models(client, me, "?all=true")
    groups = {g["provider"]: g for g in everything["providers"]}
    assert groups["mistral"]["status"] == "unconfigured"
    assert groups["mistral"]["available"] is False
    mistral = [m for m in everything["models"] if m["provider"] == "mistral"]
    assert {"mistral-large-latest", "open-mistral-7b"} <= {m["id"] for m in mistral}
    assert not any(m["available"] for m in mistral)
    assert all(m["available"] for m in everything["models"] if m["provider"] == "claude")

    r = await client.get("/api/providers/mistral/models", headers=me)
    assert r.status_code == 200
    assert r.json()["status"] == "unconfigured" and r.json()["available"] is False
    assert not any(m["available"] for m in r.json()["models"])
    r = await client.get("/api/providers/claude/models", headers=me)
    assert r.json()["status"] == "ok" and r.json()["models"]


async def test_one_failing_list_never_fails_the_endpoint(
    client: httpx.AsyncClient, user_headers: dict[str, str], fakes: dict[str, Any]
) -> None:
    me = user_headers
    await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=me)
    await client.post("/api/providers/mistral/key", json={"api_key": MISTRAL_KEY}, headers=me)
    fakes["claude"].state.models_failure = Failure.SERVER_ERROR
    fakes["ollama"].state.models_failure = Failure.SERVER_ERROR
    body = await _models(client, me)
    groups = {g["provider"]: g for g in body["providers"]}
    assert groups["claude"]["status"] == "error" and groups["claude"]["error"]
    assert groups["mistral"]["status"] == "ok"
    claude = {m["id"] for m in body["models"] if m["provider"] == "claude"}
    assert "claude-sonnet-4-6" in claude  # the shipped catalog stands in
    assert "mistral-large-latest" in {m["id"] for m in body["models"]}

    # A keyless provider that cannot be reached: its catalog is shown, not offered.
    assert groups["ollama"]["status"] == "error"
    ollama = [m for m in body["models"] if m["provider"] == "ollama"]
    assert ollama and not any(m["available"] for m in ollama)
    # Claude's models stay usable: the key is fine, only the listing failed.
    assert all(m["available"] for m in body["models"] if m["provider"] == "claude")


async def test_ollama_is_configured_without_a_key(
    client: httpx.AsyncClient, user_headers: dict[str, str], fakes: dict[str, Any]
) -> None:
    me = user_headers
    view = (await providers_by_id(client, me))["ollama"]
    assert view["requires_key"] is False and view["configured"] is True
    assert view["status"] == "ok" and view["key_source"] == "none"
    r = await client.post("/api/providers/ollama/key", json={"api_key": "x" * 12}, headers=me)
    assert r.status_code == 400 and r.json()["error"]["code"] == "key_not_needed"
    r = await client.post("/api/providers/ollama/test", headers=me)
    assert r.status_code == 200 and r.json()["success"] is True
    r = await client.patch("/api/providers/ollama", json={"enabled": False}, headers=me)
    assert r.json()["status"] == "disabled"
    assert "ollama" not in await models_by_provider(client, me)


async def test_unreachable_ollama_reports_what_to_do(
    settings: Settings, user_headers: dict[str, str], client: httpx.AsyncClient
) -> None:
    app = app_for(settings)  # every base URL points at a closed port
    async with running(app) as other:
        r = await other.post("/api/providers/ollama/test", headers=user_headers)
        assert r.status_code == 200
        result = r.json()
        assert result["success"] is False and "ollama serve" in result["error"]
        status = (await other.get("/api/providers/ollama/status", headers=user_headers)).json()
        assert status["status"] == "error" and "ollama serve" in status["message"]


async def test_routing_unknown_models_and_aliases(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, user_headers: dict[str, str]
) -> None:
    me = user_headers
    await client.post("/api/providers/mistral/key", json={"api_key": MISTRAL_KEY}, headers=me)
    uid = await user_id(client, me)
    access = app.state.provider_access
    async with db_session(settings) as session:
        alias = await access.resolve(session, uid, "mistral-7b-instruct")
        assert (alias.provider_id, alias.model) == ("mistral", "open-mistral-7b")
        with pytest.raises(UnknownModelError) as unknown:
            await access.resolve(session, uid, "no-such-model-anywhere")
        assert unknown.value.status == 400
        available = unknown.value.details["available"]
        assert "mistral-large-latest" in available["mistral"]
        assert "claude" not in available  # not configured for this user
        # Ollama models are routable once its live list has been seen, without a prefix.
        ollama_model = sorted((await models_by_provider(client, me)).get("ollama", set()))[0]
        routed = await access.resolve(session, uid, ollama_model)
        assert routed.provider_id == "ollama" and routed.key_source == "none"
        title = await access.resolve_title_provider(session, uid)
        assert title is not None and title.provider_id == "mistral"


async def test_month_usage_per_provider(
    client: httpx.AsyncClient,
    settings: Settings,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
) -> None:
    me = await user_id(client, user_headers)
    other = await user_id(client, admin_headers)
    now = datetime.now(UTC)
    last_month = now.replace(day=1) - timedelta(days=2)
    async with db_session(settings) as session:
        session.add_all(
            [
                UsageRecord(user_id=me, provider="claude", model="claude-sonnet-4-6",
                            input_tokens=100, output_tokens=20, cost=0.01, created_at=now),
                UsageRecord(user_id=me, provider="claude", model="claude-haiku-4-5",
                            input_tokens=50, output_tokens=5, cost=0.002, created_at=now),
                UsageRecord(user_id=me, provider="mistral", model="mistral-small-latest",
                            input_tokens=7, output_tokens=3, cost=None, created_at=now),
                UsageRecord(user_id=me, provider="claude", model="claude-sonnet-4-6",
                            input_tokens=9999, output_tokens=9999, cost=9.0,
                            created_at=last_month),
                UsageRecord(user_id=other, provider="claude", model="claude-sonnet-4-6",
                            input_tokens=5000, output_tokens=5000, cost=5.0, created_at=now),
            ]
        )  # fmt: skip
        await session.commit()
    views = await providers_by_id(client, user_headers)
    assert views["claude"]["usage"]["requests"] == 2
    assert views["claude"]["usage"]["input_tokens"] == 150
    assert views["claude"]["usage"]["output_tokens"] == 25
    assert views["claude"]["usage"]["cost"] == pytest.approx(0.012)
    assert views["mistral"]["usage"] == {
        "requests": 1,
        "input_tokens": 7,
        "output_tokens": 3,
        "cost": None,
    }
    assert views["gemini"]["usage"]["requests"] == 0
