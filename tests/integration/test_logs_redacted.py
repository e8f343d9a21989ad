"""Run real auth traffic with DEBUG logging (SQLAlchemy echo included) and prove no password,
token or API key reaches the log output."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from polychat.logging_setup import configure_logging
from tests.helpers import DEFAULT_PASSWORD, bearer, register_tokens

pytestmark = pytest.mark.db

PROVIDER_KEY = "sk-ant-api03-SECRETSECRETSECRET123"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("DEBUG", stream=stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_auth_traffic_leaves_no_secrets_in_logs(
    client: httpx.AsyncClient, log_output: io.StringIO
) -> None:
    tokens = await register_tokens(client, "logger")
    login = await client.post(
        "/api/auth/login", json={"username": "logger", "password": DEFAULT_PASSWORD}
    )
    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    await client.get(
        "/api/users/profile",
        headers={**bearer(tokens["access_token"]), "x-api-key": PROVIDER_KEY},
    )
    await client.post("/api/auth/login", json={"username": "logger", "password": "wrong-pass-1"})
    logging.getLogger("polychat.test").info("provider key %s rejected", PROVIDER_KEY)

    output = log_output.getvalue()
    assert "POST /api/auth/login 200" in output  # the access log did run
    secrets = [
        DEFAULT_PASSWORD,
        "wrong-pass-1",
        PROVIDER_KEY,
        tokens["access_token"],
        tokens["refresh_token"],
        login.json()["access_token"],
        login.json()["refresh_token"],
        refreshed.json()["refresh_token"],
    ]
    for secret in secrets:
        assert secret not in output
