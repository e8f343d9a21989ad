"""Whose key is used, who may change what, and where the server may connect."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from polychat.config import Settings
from polychat.keys.errors import ProviderNotConfiguredError
from polychat.providers.base import ChatRequest, Message
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.helpers import register
from tests.integration.provider_env import (
    app_for,
    db_session,
    models_by_provider,
    providers_by_id,
    running,
    user_id,
)

A_KEY = "sk-ant-alice-own-key-AAAA"
B_KEY = "sk-ant-bob-own-key-BBBB"
ADMIN_KEY = "sk-ant-instance-key-IIII"
ENV_KEY = "sk-ant-from-environment-EEEE"


@pytest.fixture
def claude_fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        fake.state.valid_keys = {A_KEY, B_KEY, ADMIN_KEY, ENV_KEY}
        yield fake


@pytest.fixture
def evil() -> Iterator[FakeOpenAIChat]:
    """An address a user would like the server to call; it must never be called."""
    with FakeOpenAIChat() as fake:
        yield fake


@pytest.fixture
def app(settings: Settings, claude_fake: FakeAnthropic) -> FastAPI:
    return app_for(settings, claude=claude_fake.url)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app) as http:
        yield http


def _creds(fake: FakeAnthropic) -> list[str]:
    return [
        q.headers.get("x-api-key") or q.headers.get("authorization", "").removeprefix("Bearer ")
        for q in fake.requests
    ]


async def _ask(app: FastAPI, settings: Settings, uid: int, model: str = "claude-sonnet-4-6") -> str:
    async with db_session(settings) as session:
        resolved = await app.state.provider_access.resolve(session, uid, model, "claude")
    reply = await resolved.provider.send_message(
        ChatRequest(model=resolved.model, messages=(Message.user("hi"),), max_tokens=20)
    )
    assert reply.text
    return resolved.key_source


async def test_user_b_never_sees_or_uses_user_a_key(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    claude_fake: FakeAnthropic,
) -> None:
    alice = user_headers
    bob = await register(client, "bob")
    r = await client.post("/api/providers/claude/key", json={"api_key": A_KEY}, headers=alice)
    assert r.status_code == 200

    seen_by_bob = (await providers_by_id(client, bob))["claude"]
    assert seen_by_bob["configured"] is False and seen_by_bob["key_source"] == "none"
    assert seen_by_bob["key_hint"] is None and seen_by_bob["has_user_key"] is False
    assert "claude" not in await models_by_provider(client, bob)
    r = await client.post("/api/providers/claude/test", headers=bob)
    assert r.status_code == 409 and r.json()["error"]["code"] == "provider_not_configured"
    assert "set ANTHROPIC_API_KEY or add one in Settings" in r.json()["error"]["message"]
    with pytest.raises(ProviderNotConfiguredError):
        await _ask(app, settings, await user_id(client, bob))
    # Bob deleting "his" key cannot touch Alice's.
    r = await client.delete("/api/providers/claude/key", headers=bob)
    assert r.status_code == 404
    assert (await providers_by_id(client, alice))["claude"]["key_source"] == "user"

    # With their own keys, each request goes out with its owner's key.
    await client.post("/api/providers/claude/key", json={"api_key": B_KEY}, headers=bob)
    claude_fake.state.reset()
    assert await _ask(app, settings, await user_id(client, alice)) == "user"
    assert await _ask(app, settings, await user_id(client, bob)) == "user"
    assert await _ask(app, settings, await user_id(client, alice)) == "user"
    assert _creds(claude_fake) == [A_KEY, B_KEY, A_KEY]
    assert (await providers_by_id(client, bob))["claude"]["key_hint"] == "…BBBB"
    assert (await providers_by_id(client, alice))["claude"]["key_hint"] == "…AAAA"


async def test_non_admin_cannot_set_instance_keys_or_addresses(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
    claude_fake: FakeAnthropic,
    evil: FakeOpenAIChat,
) -> None:
    me = user_headers
    forbidden = [
        await client.post(
            "/api/providers/claude/key", json={"api_key": A_KEY, "scope": "instance"}, headers=me
        ),
        await client.delete("/api/providers/claude/key?scope=instance", headers=me),
        await client.patch("/api/providers/claude", json={"base_url": evil.url}, headers=me),
        await client.patch("/api/providers/claude", json={"base_url": None}, headers=me),
        await client.patch("/api/providers/claude", json={"instance_enabled": False}, headers=me),
        await client.patch("/api/providers/claude", json={"allow_user_keys": False}, headers=me),
        await client.get("/api/admin/providers", headers=me),
        await client.post(
            "/api/admin/providers",
            json={"id": "mine", "display_name": "Mine", "base_url": evil.url},
            headers=me,
        ),
        await client.delete("/api/admin/providers/mine", headers=me),
    ]
    for r in forbidden:
        assert r.status_code == 403, (r.request.method, r.request.url, r.text)
        assert r.json()["error"]["code"] in ("forbidden", "user_keys_forbidden")

    # Smuggling an address into key or test bodies is rejected, not ignored.
    for path, body in [
        ("/api/providers/claude/key", {"api_key": A_KEY, "base_url": evil.url}),
        ("/api/providers/claude/test", {"api_key": A_KEY, "base_url": evil.url}),
    ]:
        r = await client.post(path, json=body, headers=me)
        assert r.status_code == 422, r.text

    # A normal user's key + test goes to the admin-configured address only.
    await client.post("/api/providers/claude/key", json={"api_key": A_KEY}, headers=me)
    assert (await client.post("/api/providers/claude/test", headers=me)).json()["success"]
    assert evil.requests == []
    assert claude_fake.requests
    # Users are never shown the address the server connects to; admins are.
    assert (await providers_by_id(client, me))["claude"]["base_url"] is None
    assert (await providers_by_id(client, admin_headers))["claude"]["base_url"] == claude_fake.url


async def test_precedence_user_then_admin_then_env(
    settings: Settings,
    claude_fake: FakeAnthropic,
) -> None:
    settings.provider_api_keys = {"claude": SecretStr(ENV_KEY)}
    app = app_for(settings, claude=claude_fake.url)
    async with running(app) as client:
        admin = await register(client, "root")
        me = await register(client, "carol")
        uid = await user_id(client, me)

        async def source() -> tuple[str, str | None]:
            view = (await providers_by_id(client, me))["claude"]
            return view["key_source"], view["key_hint"]

        async def admin_sees() -> str | None:
            hint: str | None = (await providers_by_id(client, admin))["claude"]["key_hint"]
            return hint

        # A shared key's hint is shown to admins only; a user sees the hint of their own key.
        assert await source() == ("env", None)
        assert await admin_sees() == "…EEEE"
        r = await client.post(
            "/api/providers/claude/key",
            json={"api_key": ADMIN_KEY, "scope": "instance"},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        assert await source() == ("admin", None)
        assert await admin_sees() == "…IIII"
        await client.post("/api/providers/claude/key", json={"api_key": A_KEY}, headers=me)
        assert await source() == ("user", "…AAAA")

        # The admin forbids personal keys: the user's key is ignored at once, not deleted.
        r = await client.patch(
            "/api/providers/claude", json={"allow_user_keys": False}, headers=admin
        )
        assert r.status_code == 200 and r.json()["allow_user_keys"] is False
        assert await source() == ("admin", None)
        r = await client.post("/api/providers/claude/key", json={"api_key": B_KEY}, headers=me)
        assert r.status_code == 403 and r.json()["error"]["code"] == "user_keys_forbidden"
        claude_fake.state.reset()
        assert await _ask(app, settings, uid) == "admin"
        assert _creds(claude_fake) == [ADMIN_KEY]

        await client.patch("/api/providers/claude", json={"allow_user_keys": True}, headers=admin)
        assert await source() == ("user", "…AAAA")
        await client.delete("/api/providers/claude/key", headers=me)
        assert await source() == ("admin", None)
        r = await client.delete("/api/providers/claude/key?scope=instance", headers=admin)
        assert r.status_code == 200
        assert await source() == ("env", None)
        assert await admin_sees() == "…EEEE"
        status = await client.get("/api/providers/claude/status", headers=me)
        assert status.json()["key_source"] == "env" and status.json()["key_hint"] is None
        claude_fake.state.reset()
        assert await _ask(app, settings, uid) == "env"
        assert _creds(claude_fake) == [ENV_KEY]


async def test_admin_turns_a_provider_off_for_everyone(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
) -> None:
    await client.post("/api/providers/claude/key", json={"api_key": A_KEY}, headers=user_headers)
    assert "claude" in await models_by_provider(client, user_headers)
    r = await client.patch(
        "/api/providers/claude", json={"instance_enabled": False}, headers=admin_headers
    )
    assert r.status_code == 200
    view = (await providers_by_id(client, user_headers))["claude"]
    assert view["status"] == "disabled" and view["instance_enabled"] is False
    assert "administrator" in view["status_message"]
    assert "claude" not in await models_by_provider(client, user_headers)
    assert "claude" not in await models_by_provider(client, user_headers, "?all=true")
    r = await client.post("/api/providers/claude/test", headers=user_headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "provider_disabled"
    # The user's own switch cannot override the admin's.
    r = await client.patch("/api/providers/claude", json={"enabled": True}, headers=user_headers)
    assert r.json()["enabled"] is False


async def test_unknown_provider_is_404_everywhere(
    client: httpx.AsyncClient, user_headers: dict[str, str]
) -> None:
    for method, path in [
        ("POST", "/api/providers/nope/test"),
        ("GET", "/api/providers/nope/status"),
        ("GET", "/api/providers/nope/models"),
        ("DELETE", "/api/providers/nope/key"),
    ]:
        r = await client.request(method, path, headers=user_headers)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "unknown_provider"
    r = await client.post(
        "/api/providers/nope/key", json={"api_key": "x" * 10}, headers=user_headers
    )
    assert r.status_code == 404


async def test_testing_a_key_before_saving_it(
    client: httpx.AsyncClient, user_headers: dict[str, str], claude_fake: FakeAnthropic
) -> None:
    """The settings screen can check a key first: nothing is stored, no status changes."""
    me = user_headers
    r = await client.post("/api/providers/claude/test", json={"api_key": A_KEY}, headers=me)
    assert r.status_code == 200 and r.json()["success"] is True, r.text
    r = await client.post("/api/providers/claude/test", json={"api_key": "sk-nope"}, headers=me)
    assert r.json()["success"] is False and r.json()["error_code"] == "auth_failed"
    view = (await providers_by_id(client, me))["claude"]
    assert view["configured"] is False and view["last_test"] is None
    assert view["status"] == "unconfigured"
