"""Accounts and sessions through the HTTP API, as a client sees them."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from polychat.config import Settings
from polychat.security.tokens import create_access_token
from tests.helpers import DEFAULT_PASSWORD, bearer, login, register, register_tokens

pytestmark = pytest.mark.db


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def test_first_user_is_admin_and_later_users_are_not(client: httpx.AsyncClient) -> None:
    first = await register_tokens(client, "root")
    second = await register_tokens(client, "bob")
    assert first["user"]["is_admin"] is True
    assert second["user"]["is_admin"] is False
    assert first["token_type"] == "bearer" and first["expires_in"] == 900


async def test_register_sets_a_strict_httponly_refresh_cookie(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"username": "carol", "email": "carol@example.com", "password": DEFAULT_PASSWORD},
    )
    cookie = response.headers["set-cookie"]
    assert response.status_code == 201
    assert cookie.startswith(f"polychat_refresh={response.json()['refresh_token']};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/api/auth" in cookie
    assert "Secure" not in cookie  # plain http here
    assert response.headers["cache-control"] == "no-store"


async def test_refresh_cookie_is_secure_over_https(app: FastAPI, client: httpx.AsyncClient) -> None:
    transport = httpx.ASGITransport(app=app)  # the lifespan is already running via `client`
    https = httpx.AsyncClient(transport=transport, base_url="https://polychat.example")
    async with https:
        await register(https, "dave")
        response = await login(https, "dave")
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("username", "email", "code"),
    [
        ("erin2", "ERIN2@example.com", "email_taken"),
        ("ERIN", "other@example.com", "username_taken"),
    ],
)
async def test_duplicate_username_or_email_is_409(
    client: httpx.AsyncClient, username: str, email: str, code: str
) -> None:
    await register(client, "erin", email="erin2@example.com")
    response = await client.post(
        "/api/auth/register",
        json={"username": username, "email": email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 409
    assert error_code(response) == code


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "at least 10 characters"),
        ("frank_user", "must not be your username"),
        ("aaaaaaaaaaaaaaa", "too simple"),
    ],
)
async def test_weak_password_is_422(
    client: httpx.AsyncClient, password: str, fragment: str
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"username": "frank_user", "email": "frank@example.com", "password": password},
    )
    assert response.status_code == 422
    assert error_code(response) == "weak_password"
    assert fragment in response.json()["error"]["message"]


async def test_bad_email_and_bad_username_are_422_with_details(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"username": "a", "email": "not-an-email", "password": DEFAULT_PASSWORD},
    )
    body = response.json()["error"]
    assert response.status_code == 422
    assert body["code"] == "validation_error"
    assert {tuple(d["loc"]) for d in body["details"]} == {("body", "username"), ("body", "email")}
    assert DEFAULT_PASSWORD not in response.text  # inputs are never echoed


async def test_login_by_username_or_email_case_insensitively(client: httpx.AsyncClient) -> None:
    await register(client, "Grace", email="grace@example.com")
    by_name = await login(client, "grace")
    by_email = await login(client, "GRACE@example.com")
    assert by_name.status_code == 200 and by_email.status_code == 200
    assert by_email.json()["user"]["username"] == "Grace"


async def test_wrong_password_and_unknown_user_are_the_same_401(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "heidi")
    wrong_password = await login(client, "heidi", "not the right password")
    unknown_user = await login(client, "nobody-here", "not the right password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert error_code(wrong_password) == "invalid_credentials"


async def test_access_token_opens_the_profile(client: httpx.AsyncClient) -> None:
    headers = await register(client, "ivan")
    response = await client.get("/api/users/profile", headers=headers)
    assert response.status_code == 200
    assert response.json()["username"] == "ivan"


async def test_refresh_rotates_tokens(client: httpx.AsyncClient) -> None:
    tokens = await register_tokens(client, "judy")
    first = await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    profile = await client.get("/api/users/profile", headers=bearer(rotated["access_token"]))
    assert profile.status_code == 200
    again = await client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert again.status_code == 200


async def test_refresh_works_from_the_cookie_alone(client: httpx.AsyncClient) -> None:
    await register(client, "kim")  # the client's cookie jar now holds the refresh cookie
    first = await client.post("/api/auth/refresh")
    second = await client.post("/api/auth/refresh")
    assert first.status_code == 200 and second.status_code == 200
    assert first.json()["refresh_token"] != second.json()["refresh_token"]


async def test_reusing_a_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient,
) -> None:
    tokens = await register_tokens(client, "mallory")
    stolen = tokens["refresh_token"]
    legit = await client.post("/api/auth/refresh", json={"refresh_token": stolen})
    newest = legit.json()["refresh_token"]

    replay = await client.post("/api/auth/refresh", json={"refresh_token": stolen})
    assert replay.status_code == 401
    assert error_code(replay) == "refresh_token_reused"
    assert 'polychat_refresh=""' in replay.headers["set-cookie"]  # the browser drops it

    after = await client.post("/api/auth/refresh", json={"refresh_token": newest})
    assert after.status_code == 401  # the legitimate holder's newer token died too
    assert error_code(after) == "invalid_refresh_token"


async def test_reuse_does_not_touch_other_sessions(client: httpx.AsyncClient) -> None:
    tokens = await register_tokens(client, "niaj")
    other = (await login(client, "niaj")).json()["refresh_token"]
    await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    still = await client.post("/api/auth/refresh", json={"refresh_token": other})
    assert still.status_code == 200


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    tokens = await register_tokens(client, "olivia")
    response = await client.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert 'polychat_refresh=""' in response.headers["set-cookie"]
    after = await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert after.status_code == 401


async def test_unknown_refresh_token_and_missing_token_are_401(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.post("/api/auth/refresh", json={"refresh_token": "made-up"})
    missing = await client.post("/api/auth/refresh", json={})
    assert unknown.status_code == missing.status_code == 401


async def test_expired_access_token_is_401_token_expired(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    tokens = await register_tokens(client, "peggy")
    expired = create_access_token(
        settings.jwt_secret(),
        user_id=tokens["user"]["id"],
        token_version=0,
        session_id="s",
        ttl_seconds=-30,
    )
    response = await client.get("/api/users/profile", headers=bearer(expired))
    assert response.status_code == 401
    assert error_code(response) == "token_expired"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_forged_or_garbage_token_is_401(client: httpx.AsyncClient) -> None:
    tokens = await register_tokens(client, "quinn")
    forged = create_access_token(
        b"not-the-server-secret-but-32-bytes-long",
        user_id=tokens["user"]["id"],
        token_version=0,
        session_id="s",
        ttl_seconds=60,
    )
    for token in (forged, "garbage", tokens["refresh_token"]):
        response = await client.get("/api/users/profile", headers=bearer(token))
        assert response.status_code == 401
        assert error_code(response) == "invalid_token"


async def test_login_is_rate_limited_per_account(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await register(client, "rupert")
    for _ in range(settings.login_max_attempts_per_account):
        assert (await login(client, "rupert", "wrong password!!")).status_code == 401
    limited = await login(client, "rupert")  # even the right password waits now
    assert limited.status_code == 429
    assert error_code(limited) == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= settings.login_window_seconds
    other = await login(client, "admin-not-registered", "whatever password")
    assert other.status_code == 401  # other accounts are unaffected


async def test_login_is_rate_limited_per_client(app: FastAPI, settings: Settings) -> None:
    settings.login_max_attempts_per_ip = 3
    from asgi_lifespan import LifespanManager

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as attacker:
            codes = [
                (await login(attacker, f"victim{i}", "guess password")).status_code
                for i in range(4)
            ]
        transport = httpx.ASGITransport(app=manager.app, client=("198.51.100.2", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as bystander:
            other = await login(bystander, "victim0", "guess password")
    assert codes == [401, 401, 401, 429]
    assert other.status_code == 401


async def test_a_successful_login_clears_the_account_counter(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await register(client, "sybil")
    for _ in range(settings.login_max_attempts_per_account - 1):
        await login(client, "sybil", "wrong password!!")
    assert (await login(client, "sybil")).status_code == 200
    for _ in range(settings.login_max_attempts_per_account - 1):
        assert (await login(client, "sybil", "wrong password!!")).status_code == 401


async def test_admin_can_close_registration(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    closed = await client.put(
        "/api/admin/settings", json={"registration_open": False}, headers=admin_headers
    )
    assert closed.status_code == 200 and closed.json() == {"registration_open": False}
    refused = await client.post(
        "/api/auth/register",
        json={"username": "trent", "email": "trent@example.com", "password": DEFAULT_PASSWORD},
    )
    assert refused.status_code == 403
    assert error_code(refused) == "registration_closed"
    await client.put("/api/admin/settings", json={"registration_open": True}, headers=admin_headers)
    assert (await register_tokens(client, "trent"))["user"]["is_admin"] is False


async def test_closed_by_default_still_lets_the_first_user_in(
    settings: Settings, app: FastAPI, client: httpx.AsyncClient
) -> None:
    settings.registration_open = False
    first = await register_tokens(client, "owner")
    assert first["user"]["is_admin"] is True
    refused = await client.post(
        "/api/auth/register",
        json={"username": "second", "email": "s@example.com", "password": DEFAULT_PASSWORD},
    )
    assert refused.status_code == 403


async def test_admin_settings_need_an_admin(
    client: httpx.AsyncClient, user_headers: dict[str, str]
) -> None:
    read = await client.get("/api/admin/settings", headers=user_headers)
    write = await client.put(
        "/api/admin/settings", json={"registration_open": False}, headers=user_headers
    )
    assert read.status_code == write.status_code == 403
    assert error_code(read) == "forbidden"


async def registration_status(client: httpx.AsyncClient) -> dict[str, bool]:
    response = await client.get("/api/auth/register")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    data: dict[str, bool] = response.json()
    return data


async def test_registration_status_on_a_fresh_install_invites_the_first_account(
    client: httpx.AsyncClient,
) -> None:
    assert await registration_status(client) == {"open": True, "first_user": True}
    await register(client, "founder")
    assert await registration_status(client) == {"open": True, "first_user": False}


async def test_registration_status_follows_the_admin_switch(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await client.put(
        "/api/admin/settings", json={"registration_open": False}, headers=admin_headers
    )
    assert await registration_status(client) == {"open": False, "first_user": False}
    await client.put("/api/admin/settings", json={"registration_open": True}, headers=admin_headers)
    assert await registration_status(client) == {"open": True, "first_user": False}


async def test_registration_status_when_closed_by_default(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    """Closed at start-up still lets the first account in, and says so; then it is closed."""
    settings.registration_open = False
    assert await registration_status(client) == {"open": True, "first_user": True}
    await register(client, "owner")
    assert await registration_status(client) == {"open": False, "first_user": False}
