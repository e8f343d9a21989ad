"""`/api/users/profile`: reading and changing one's own account."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import DEFAULT_PASSWORD, bearer, login, register, register_tokens

pytestmark = pytest.mark.db

NEW_PASSWORD = "a brand new passphrase"


async def test_profile_update_and_preferences_merge(client: httpx.AsyncClient) -> None:
    headers = await register(client, "uma")
    first = await client.put(
        "/api/users/profile",
        json={"display_name": "  Uma T.  ", "preferences": {"theme": "dark", "language": "fr"}},
        headers=headers,
    )
    second = await client.put(
        "/api/users/profile",
        json={"preferences": {"default_model": "claude-sonnet-4-5"}},
        headers=headers,
    )
    profile = (await client.get("/api/users/profile", headers=headers)).json()
    assert first.status_code == second.status_code == 200
    assert profile["display_name"] == "Uma T."
    assert profile["preferences"]["theme"] == "dark"
    assert profile["preferences"]["language"] == "fr"
    assert profile["preferences"]["default_model"] == "claude-sonnet-4-5"
    assert second.json()["access_token"] is None


async def test_invalid_preference_is_422(client: httpx.AsyncClient) -> None:
    headers = await register(client, "victor")
    response = await client.put(
        "/api/users/profile", json={"preferences": {"theme": "neon"}}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_email_change_and_duplicate(client: httpx.AsyncClient) -> None:
    await register(client, "walter", email="walter@example.com")
    headers = await register(client, "xena")
    clash = await client.put(
        "/api/users/profile", json={"email": "WALTER@example.com"}, headers=headers
    )
    changed = await client.put(
        "/api/users/profile", json={"email": "Xena@New.example"}, headers=headers
    )
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "email_taken"
    assert changed.status_code == 200 and changed.json()["email"] == "xena@new.example"
    assert (await login(client, "xena@new.example")).status_code == 200


async def test_password_change_needs_the_current_password(client: httpx.AsyncClient) -> None:
    headers = await register(client, "yara")
    missing = await client.put(
        "/api/users/profile", json={"new_password": NEW_PASSWORD}, headers=headers
    )
    wrong = await client.put(
        "/api/users/profile",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    weak = await client.put(
        "/api/users/profile",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "short"},
        headers=headers,
    )
    assert missing.status_code == wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "invalid_current_password"
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    assert (await login(client, "yara")).status_code == 200  # unchanged


async def test_password_change_ends_other_sessions_but_not_this_one(
    client: httpx.AsyncClient,
) -> None:
    this = await register_tokens(client, "zoe")
    other = (await login(client, "zoe")).json()

    response = await client.put(
        "/api/users/profile",
        json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(this["access_token"]),
    )
    assert response.status_code == 200
    new_access = response.json()["access_token"]

    # The other device: its access token and its refresh token are both dead.
    other_profile = await client.get("/api/users/profile", headers=bearer(other["access_token"]))
    other_refresh = await client.post(
        "/api/auth/refresh", json={"refresh_token": other["refresh_token"]}
    )
    assert other_profile.status_code == 401 and other_refresh.status_code == 401
    # This device: the returned access token works, and so does its refresh token.
    assert (await client.get("/api/users/profile", headers=bearer(new_access))).status_code == 200
    mine = await client.post("/api/auth/refresh", json={"refresh_token": this["refresh_token"]})
    assert mine.status_code == 200
    assert (await login(client, "zoe")).status_code == 401
    assert (await login(client, "zoe", NEW_PASSWORD)).status_code == 200


async def test_custom_instructions_are_saved_and_capped(client: httpx.AsyncClient) -> None:
    headers = await register(client, "zoe")
    text = "I write Python.\nKeep answers short."
    saved = await client.put(
        "/api/users/profile",
        json={"preferences": {"custom_instructions": text}},
        headers=headers,
    )
    too_long = await client.put(
        "/api/users/profile",
        json={"preferences": {"custom_instructions": "x" * 10_001}},
        headers=headers,
    )
    profile = (await client.get("/api/users/profile", headers=headers)).json()
    assert saved.status_code == 200
    assert saved.json()["preferences"]["custom_instructions"] == text
    assert profile["preferences"]["custom_instructions"] == text
    assert too_long.status_code == 422
    error = too_long.json()["error"]
    assert error["code"] == "validation_error"
    assert "custom_instructions" in str(error) and "10000" in str(error)
