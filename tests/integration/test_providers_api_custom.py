"""Custom OpenAI-compatible providers: admin-defined, then providers like any other."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from polychat.config import Settings
from polychat.providers.base import ChatRequest, Message
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.integration.provider_env import (
    app_for,
    db_session,
    models_by_provider,
    providers_by_id,
    running,
    user_id,
)

LAB_KEY = "lab-vllm-key-9876"


@pytest.fixture
def lab() -> Iterator[FakeOpenAIChat]:
    with FakeOpenAIChat(models=("qwen-72b", "llama-70b", "text-embedding-3-small")) as fake:
        fake.state.valid_keys = {LAB_KEY}
        yield fake


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return app_for(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as http:
        yield http


async def test_custom_provider_lifecycle(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    lab: FakeOpenAIChat,
) -> None:
    admin, me = admin_headers, user_headers
    r = await client.post(
        "/api/admin/providers",
        json={
            "id": "lab",
            "display_name": "Lab vLLM",
            "base_url": f"{lab.url}/v1/",
            "api_key": LAB_KEY,
            "model_allowlist": ["qwen-72b"],
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created == {
        "id": "lab",
        "display_name": "Lab vLLM",
        "base_url": f"{lab.url}/v1",
        "model_allowlist": ["qwen-72b"],
        "enabled": True,
        "allow_user_keys": False,
        "has_key": True,
        "key_hint": "…9876",
    }
    listed = (await client.get("/api/admin/providers", headers=admin)).json()
    assert [p["id"] for p in listed] == ["lab"]

    # It is now a provider like the built-ins, for every user, with the shared key.
    view = (await providers_by_id(client, me))["lab"]
    assert view["custom"] is True and view["display_name"] == "Lab vLLM"
    assert view["configured"] is True and view["key_source"] == "admin"
    assert (await models_by_provider(client, me))["lab"] == {"qwen-72b"}
    r = await client.post("/api/providers/lab/test", headers=me)
    assert r.json()["success"] is True, r.text
    uid = await user_id(client, me)
    async with db_session(settings) as session:
        resolved = await app.state.provider_access.resolve(session, uid, "qwen-72b")
        assert resolved.provider_id == "lab"
        reply = await resolved.provider.send_message(
            ChatRequest(model="qwen-72b", messages=(Message.user("hi"),))
        )
        assert reply.text
        assert lab.requests[-1].headers["authorization"] == f"Bearer {LAB_KEY}"

    # Edit: widen the allowlist, rotate the key; bad input is refused.
    r = await client.patch(
        "/api/admin/providers/lab",
        json={"model_allowlist": ["qwen-72b", "llama-70b"]},
        headers=admin,
    )
    assert r.status_code == 200 and r.json()["model_allowlist"] == ["qwen-72b", "llama-70b"]
    assert (await models_by_provider(client, me))["lab"] == {"qwen-72b", "llama-70b"}
    for bad in (
        {"id": "claude", "display_name": "x", "base_url": lab.url},  # a built-in's id
        {"id": "lab", "display_name": "x", "base_url": lab.url},  # exists
    ):
        r = await client.post("/api/admin/providers", json=bad, headers=admin)
        assert r.status_code == 409, r.text
    for bad in (
        {"id": "Bad Id", "display_name": "x", "base_url": lab.url},
        {"id": "ftp1", "display_name": "x", "base_url": "ftp://example.com"},
        {"id": "nohost", "display_name": "x", "base_url": "http://"},
    ):
        r = await client.post("/api/admin/providers", json=bad, headers=admin)
        assert r.status_code == 422, r.text
    r = await client.patch("/api/admin/providers/lab", json={"api_key": ""}, headers=admin)
    assert r.json()["has_key"] is False
    r = await client.post("/api/providers/lab/test", headers=me)
    assert r.json()["success"] is False  # the server wants its key

    # Delete: gone from providers and models, its key row too.
    r = await client.delete("/api/admin/providers/lab", headers=admin)
    assert r.status_code == 204
    assert "lab" not in await providers_by_id(client, me)
    assert "lab" not in await models_by_provider(client, me, "?all=true")
    r = await client.delete("/api/admin/providers/lab", headers=admin)
    assert r.status_code == 404


async def test_admin_base_url_override_for_a_builtin(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
) -> None:
    """An admin points OpenAI at a proxy; users' keys then go there, and only there."""
    with FakeOpenAIChat() as proxy:
        proxy.state.valid_keys = {"sk-proxy-user-key-0001"}
        await client.post(
            "/api/providers/openai/key",
            json={"api_key": "sk-proxy-user-key-0001"},
            headers=user_headers,
        )
        r = await client.post("/api/providers/openai/test", headers=user_headers)
        assert r.json()["success"] is False  # the configured (closed port) address
        mine = (await providers_by_id(client, user_headers))["openai"]
        assert mine["status"] == "error"
        r = await client.patch(
            "/api/providers/openai", json={"base_url": f"{proxy.url}/v1"}, headers=admin_headers
        )
        assert r.status_code == 200 and r.json()["base_url"] == f"{proxy.url}/v1"
        # The old failure described the old address: it no longer shows.
        mine = (await providers_by_id(client, user_headers))["openai"]
        assert mine["status"] == "ok" and mine["last_test"] is None
        r = await client.post("/api/providers/openai/test", headers=user_headers)
        assert r.json()["success"] is True, r.text
        assert proxy.requests
        r = await client.patch(
            "/api/providers/openai", json={"base_url": None}, headers=admin_headers
        )
        assert r.json()["base_url"] == "http://127.0.0.1:9"  # back to the setting


async def test_a_custom_id_later_taken_by_a_plugin_does_not_break_the_rest(
    client: httpx.AsyncClient,
    app: FastAPI,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    lab: FakeOpenAIChat,
) -> None:
    r = await client.post(
        "/api/admin/providers",
        json={"id": "lab", "display_name": "Lab", "base_url": f"{lab.url}/v1"},
        headers=admin_headers,
    )
    assert r.status_code == 201
    # A plugin installed afterwards registers a provider class under the same name.
    from polychat.providers.openai_compatible import OpenAICompatibleProvider

    class LabPlugin(OpenAICompatibleProvider):
        name = "lab"

    app.state.provider_access.registry.register_class(LabPlugin, instance=False)
    await app.state.provider_access.invalidate(None)
    views = await providers_by_id(client, user_headers)
    assert "claude" in views and views["claude"]["status"] == "unconfigured"
    assert "lab" not in views  # left out (and logged), not a 500 for everyone
