"""Helpers for tests that talk to the API: build real users through the real endpoints."""

from __future__ import annotations

from typing import Any

import httpx

DEFAULT_PASSWORD = "correct horse battery staple"


async def register(
    client: httpx.AsyncClient,
    username: str,
    *,
    password: str = DEFAULT_PASSWORD,
    email: str | None = None,
) -> dict[str, str]:
    """Register `username` and return Authorization headers for it."""
    body = await register_tokens(client, username, password=password, email=email)
    return bearer(body["access_token"])


async def register_tokens(
    client: httpx.AsyncClient,
    username: str,
    *,
    password: str = DEFAULT_PASSWORD,
    email: str | None = None,
) -> dict[str, Any]:
    """Register `username`; return the whole token response (access, refresh, user)."""
    response = await client.post(
        "/api/auth/register",
        json={
            "username": username,
            "email": email or f"{username}@example.com",
            "password": password,
        },
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def login(
    client: httpx.AsyncClient, username: str, password: str = DEFAULT_PASSWORD
) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
