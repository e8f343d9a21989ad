"""`polychat rotate-encryption-key`: everything re-encrypted, nothing lost, no restart needed."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from polychat.config import Settings
from polychat.db.models import ApiKey
from polychat.keys.keyring import keyring_path, read_keyring
from polychat.keys.rotation import rotate_encryption_key, run_cli
from polychat.providers.base import ChatRequest, Message
from polychat.security.secretbox import envelope_key_id, key_id
from tests.conftest import make_settings
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.mistral import FakeMistral
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.helpers import register
from tests.integration.provider_env import (
    app_for,
    db_session,
    providers_by_id,
    running,
    user_id,
)

CLAUDE_KEY = "sk-ant-rotating-user-key-CCCC"
MISTRAL_KEY = "mistral-instance-key-MMMM"
LAB_KEY = "lab-server-key-LLLL"
RAW_KEYS = (CLAUDE_KEY, MISTRAL_KEY, LAB_KEY)


@pytest.fixture
def fakes() -> Iterator[tuple[FakeAnthropic, FakeMistral, FakeOpenAIChat]]:
    with FakeAnthropic() as claude, FakeMistral() as mistral, FakeOpenAIChat() as lab:
        claude.state.valid_keys = {CLAUDE_KEY}
        mistral.state.valid_keys = {MISTRAL_KEY}
        lab.state.valid_keys = {LAB_KEY}
        yield claude, mistral, lab


async def _rows(settings: Settings) -> list[ApiKey]:
    async with db_session(settings) as session:
        return list((await session.scalars(select(ApiKey).order_by(ApiKey.id))).all())


async def _chat_everywhere(app: object, settings: Settings, uid: int) -> list[str]:
    """Send one message through each configured provider; return the key source used."""
    access = app.state.provider_access  # type: ignore[attr-defined]
    used = []
    async with db_session(settings) as session:
        for model, provider in [
            ("claude-sonnet-4-6", "claude"),
            ("mistral-large-latest", "mistral"),
            ("lab-model", "lab"),
        ]:
            resolved = await access.resolve(session, uid, model, provider)
            reply = await resolved.provider.send_message(
                ChatRequest(model=resolved.model, messages=(Message.user("hi"),), max_tokens=16)
            )
            assert reply.text
            used.append(resolved.key_source)
    return used


async def test_rotation_reencrypts_everything_and_every_key_still_works(
    settings: Settings, fakes: tuple[FakeAnthropic, FakeMistral, FakeOpenAIChat]
) -> None:
    claude, mistral, lab = fakes
    app = app_for(settings, claude=claude.url, mistral=mistral.url)
    async with running(app) as client:
        admin = await register(client, "admin")
        me = await register(client, "dora")
        uid = await user_id(client, me)
        assert (
            await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=me)
        ).status_code == 200
        r = await client.post(
            "/api/providers/mistral/key",
            json={"api_key": MISTRAL_KEY, "scope": "instance"},
            headers=admin,
        )
        assert r.status_code == 200
        r = await client.post(
            "/api/admin/providers",
            json={
                "id": "lab",
                "display_name": "Lab server",
                "base_url": f"{lab.url}/v1",
                "api_key": LAB_KEY,
                "model_allowlist": ["lab-model"],
            },
            headers=admin,
        )
        assert r.status_code == 201, r.text
        assert await _chat_everywhere(app, settings, uid) == ["user", "admin", "admin"]

        old_kid = app.state.secretbox.current_key_id
        before = await _rows(settings)
        assert len(before) == 3
        assert {envelope_key_id(r.encrypted_key) for r in before} == {old_kid}

        # The operator rotates while the server keeps running (another thread = another
        # process's view: its own event loop and engine).
        assert await asyncio.to_thread(run_cli, settings, None) == 0

        after = await _rows(settings)
        new_kid = key_id((settings.data_dir / "encryption_key").read_text().strip())
        assert new_kid != old_kid
        assert [r.id for r in after] == [r.id for r in before]
        for old_row, row in zip(before, after, strict=True):
            assert envelope_key_id(row.encrypted_key) == new_kid == row.master_key_id
            assert row.encrypted_key != old_row.encrypted_key
            assert row.key_hint == old_row.key_hint
            assert not any(raw in row.encrypted_key for raw in RAW_KEYS)
        ring = keyring_path(settings)
        assert stat.S_IMODE(ring.stat().st_mode) == 0o600
        assert {key_id(k) for k in read_keyring(settings)} >= {old_kid, new_kid}

        # The running server drops its cache (Redis does this across processes) and reads
        # the re-encrypted rows with a key it learns from the keyring: no restart.
        await app.state.provider_access.invalidate(None)
        for fake in fakes:
            fake.state.reset()
        assert await _chat_everywhere(app, settings, uid) == ["user", "admin", "admin"]
        assert claude.requests and mistral.requests and lab.requests
        assert (await client.post("/api/providers/claude/test", headers=me)).json()["success"]
        assert (await client.post("/api/providers/mistral/test", headers=me)).json()["success"]
        assert app.state.secretbox.current_key_id == new_kid
        # New writes by the running server already use the new master key.
        await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=me)
        newest = next(r for r in await _rows(settings) if r.provider == "claude")
        assert envelope_key_id(newest.encrypted_key) == new_kid

    # After a restart (fresh settings read from the data dir) everything still works.
    restarted = app_for(
        make_settings(settings.data_dir, settings.database_url),
        claude=claude.url,
        mistral=mistral.url,
    )
    async with running(restarted) as client:
        assert restarted.state.secretbox.current_key_id == new_kid
        assert await _chat_everywhere(restarted, settings, uid) == ["user", "admin", "admin"]
        views = await providers_by_id(client, me)
        assert views["claude"]["key_hint"] == "…CCCC" and views["lab"]["configured"]

    # Running it again is harmless: everything is already current.
    assert await asyncio.to_thread(run_cli, settings, None) == 0
    assert len(await _rows(settings)) == 3


async def test_rotation_with_an_environment_master_key(
    settings: Settings, fakes: tuple[FakeAnthropic, FakeMistral, FakeOpenAIChat]
) -> None:
    claude = fakes[0]
    old_env = "operator-chosen passphrase: old"
    settings.encryption_key = SecretStr(old_env)
    app = app_for(settings, claude=claude.url)
    async with running(app) as client:
        await register(client, "admin")
        me = await register(client, "erin")
        await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=me)

        # The variable cannot be rewritten by us: the new key must be given.
        assert await asyncio.to_thread(run_cli, settings, None) == 2

        from polychat.db.engine import create_engine, create_sessionmaker

        engine = create_engine(settings)
        try:
            report = await rotate_encryption_key(
                settings, create_sessionmaker(engine), "operator-chosen passphrase: new"
            )
        finally:
            await engine.dispose()
        assert report.env_managed and report.rotated == 1 and not report.failed
        assert not (settings.data_dir / "encryption_key").exists()

        # The running server (still configured with the old variable) keeps working.
        await app.state.provider_access.invalidate(None)
        assert (await client.post("/api/providers/claude/test", headers=me)).json()["success"]

    # The operator then switches the variable and restarts.
    fresh = make_settings(
        settings.data_dir,
        settings.database_url,
        encryption_key=SecretStr("operator-chosen passphrase: new"),
    )
    async with running(app_for(fresh, claude=claude.url)) as client:
        me = {"Authorization": me["Authorization"]}
        view = (await providers_by_id(client, me))["claude"]
        assert view["key_source"] == "user" and view["configured"]


async def test_a_ciphertext_copied_to_another_row_is_useless(
    settings: Settings, fakes: tuple[FakeAnthropic, FakeMistral, FakeOpenAIChat]
) -> None:
    """Someone with database access copies Dora's encrypted key into Eve's row: Eve gets
    nothing (the row identity is bound into the ciphertext), and rotation reports the row
    instead of silently re-encrypting or dropping it."""
    claude = fakes[0]
    app = app_for(settings, claude=claude.url)
    async with running(app) as client:
        await register(client, "admin")
        dora = await register(client, "dora")
        eve = await register(client, "eve")
        await client.post("/api/providers/claude/key", json={"api_key": CLAUDE_KEY}, headers=dora)
        await client.post(
            "/api/providers/claude/key", json={"api_key": "sk-ant-eve-own-EEEE"}, headers=eve
        )
        eve_id = await user_id(client, eve)
        async with db_session(settings) as session:
            rows = {r.user_id: r for r in (await session.scalars(select(ApiKey))).all()}
            dora_row = next(r for uid, r in rows.items() if uid != eve_id)
            rows[eve_id].encrypted_key = dora_row.encrypted_key
            await session.commit()
        await app.state.provider_access.invalidate(None)
        view = (await providers_by_id(client, eve))["claude"]
        assert view["configured"] is False and view["key_source"] == "none"
        assert (await providers_by_id(client, dora))["claude"]["key_source"] == "user"

        assert await asyncio.to_thread(run_cli, settings, None) == 1  # reported, exit 1
        after = {r.user_id: r for r in await _rows(settings)}
        assert after[eve_id].encrypted_key == dora_row.encrypted_key  # left as it was
        assert after[eve_id].master_key_id != key_id(
            (settings.data_dir / "encryption_key").read_text().strip()
        )
