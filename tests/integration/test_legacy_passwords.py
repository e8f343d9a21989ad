"""Accounts carried over from the single-provider app sign in with their old passwords.

The old app stored bcrypt hashes (`$2a$` from Node's bcryptjs, `$2b$`, `$2y$`). The hashes are
planted with SQL, as a migrated database would hold them; everything else goes through the API.
"""

from __future__ import annotations

import bcrypt
import httpx
import pytest
import sqlalchemy as sa

from polychat.config import Settings
from polychat.db.engine import create_engine
from tests.helpers import bearer, login, register

pytestmark = pytest.mark.db

OLD_PASSWORD = "the old app's password"


def legacy_bcrypt(password: str, prefix: str = "$2a$") -> str:
    """A bcrypt hash as the old app wrote it (cost 10; bcryptjs writes the `$2a$` prefix)."""
    made = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(rounds=10)).decode()
    return prefix + made[4:]


async def stored_hash(settings: Settings, username: str, new: str | None = None) -> str:
    """The user's stored password hash (after replacing it with `new` when given)."""
    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:
            if new is not None:
                await conn.execute(
                    sa.text("UPDATE users SET password_hash = :h WHERE username = :u"),
                    {"h": new, "u": username},
                )
            value = await conn.scalar(
                sa.text("SELECT password_hash FROM users WHERE username = :u"), {"u": username}
            )
    finally:
        await engine.dispose()
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
async def test_a_bcrypt_password_signs_in_and_is_rehashed_to_argon2id(
    client: httpx.AsyncClient, settings: Settings, prefix: str
) -> None:
    await register(client, "root")  # the first account is the admin; ours is a plain user
    await register(client, "olduser")
    await stored_hash(settings, "olduser", legacy_bcrypt(OLD_PASSWORD, prefix))

    response = await login(client, "olduser", OLD_PASSWORD)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["is_admin"] is False
    assert (await stored_hash(settings, "olduser")).startswith("$argon2id$")
    again = await login(client, "olduser", OLD_PASSWORD)  # now through the Argon2id hash
    assert again.status_code == 200
    profile = await client.get("/api/users/profile", headers=bearer(again.json()["access_token"]))
    assert profile.json()["username"] == "olduser"


async def test_a_password_over_72_bytes_matches_as_bcryptjs_truncated_it(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    long_password = "é" * 50  # 100 bytes in UTF-8: bcrypt only ever saw the first 72
    await register(client, "longpass")
    await stored_hash(settings, "longpass", legacy_bcrypt(long_password))
    assert (await login(client, "longpass", long_password)).status_code == 200


async def test_a_wrong_password_on_a_bcrypt_account_is_the_usual_401(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await register(client, "bcryptuser")
    original = legacy_bcrypt(OLD_PASSWORD)
    await stored_hash(settings, "bcryptuser", original)
    wrong = await login(client, "bcryptuser", "not the old password")
    unknown = await login(client, "no-such-user", "not the old password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # same code, same message: nothing to tell them apart
    assert await stored_hash(settings, "bcryptuser") == original  # nothing rehashed


async def test_bcrypt_accounts_share_the_login_rate_limit(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await register(client, "slowpoke")
    await stored_hash(settings, "slowpoke", legacy_bcrypt(OLD_PASSWORD))
    for _ in range(settings.login_max_attempts_per_account):
        assert (await login(client, "slowpoke", "guessing wrong")).status_code == 401
    limited = await login(client, "slowpoke", OLD_PASSWORD)
    assert limited.status_code == 429


@pytest.mark.parametrize(
    "unreadable",
    ["pbkdf2_sha256$260000$salt$hash", "$2a$10$truncated", "plain text password", ""],
)
async def test_a_hash_we_cannot_check_asks_for_an_administrator(
    client: httpx.AsyncClient, settings: Settings, unreadable: str
) -> None:
    await register(client, "imported")
    await stored_hash(settings, "imported", unreadable)
    response = await login(client, "imported", "plain text password")
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "password_reset_required"
    assert "ask an administrator to reset it" in body["message"]
    assert await stored_hash(settings, "imported") == unreadable  # never accepted, never changed
