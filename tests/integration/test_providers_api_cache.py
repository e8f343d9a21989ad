"""The chat hot path reads provider configuration from memory; changes reach every process."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from polychat.config import Settings
from tests.conftest import make_settings
from tests.fakes.anthropic import FakeAnthropic
from tests.helpers import register
from tests.integration.provider_env import app_for, providers_by_id, running, user_id

KEY_1 = "sk-ant-cache-key-one-1111"
KEY_2 = "sk-ant-cache-key-two-2222"


@pytest.fixture
def claude() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        fake.state.valid_keys = {KEY_1, KEY_2}
        yield fake


async def test_resolve_reads_no_sql_after_the_first_request(
    settings: Settings, claude: FakeAnthropic
) -> None:
    app = app_for(settings, claude=claude.url)
    async with running(app) as client:
        me = await register(client, "gina")
        await client.post("/api/providers/claude/key", json={"api_key": KEY_1}, headers=me)
        uid = await user_id(client, me)
        access = app.state.provider_access
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        await access.invalidate(None)  # start cold: the first resolve loads from SQL
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
        try:
            async with app.state.sessionmaker() as session:
                first = await access.resolve(session, uid, "claude-sonnet-4-6")
                warm = len(statements)
                for _ in range(200):
                    again = await access.resolve(session, uid, "claude-sonnet-4-6")
                    assert again.provider is first.provider  # one pooled instance
        finally:
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
        assert warm > 0
        assert len(statements) == warm  # 200 more requests, not one more query

        # A change is visible on the very next request (the write invalidates the cache).
        await client.post("/api/providers/claude/key", json={"api_key": KEY_2}, headers=me)
        async with app.state.sessionmaker() as session:
            changed = await access.resolve(session, uid, "claude-sonnet-4-6")
        assert changed.provider is not first.provider
        assert changed.provider.config.api_key == KEY_2


REDIS_URL = os.environ.get("REDIS_URL")

if REDIS_URL:  # the cross-process path exists only with Redis (.ci/run sets REDIS_URL)

    async def test_changes_reach_other_processes_through_redis(
        settings: Settings, claude: FakeAnthropic
    ) -> None:
        one = app_for(settings, claude=claude.url)
        other_settings = make_settings(settings.data_dir, settings.database_url)
        other = app_for(other_settings, claude=claude.url)
        async with running(one) as a, running(other) as b:
            me = await register(a, "hank")
            assert (await providers_by_id(b, me))["claude"]["key_source"] == "none"
            await a.post("/api/providers/claude/key", json={"api_key": KEY_1}, headers=me)
            seen = None
            for _ in range(100):
                seen = (await providers_by_id(b, me))["claude"]["key_source"]
                if seen == "user":
                    break
                await asyncio.sleep(0.02)
            assert seen == "user"
            await a.delete("/api/providers/claude/key", headers=me)
            for _ in range(100):
                seen = (await providers_by_id(b, me))["claude"]["key_source"]
                if seen == "none":
                    break
                await asyncio.sleep(0.02)
            assert seen == "none"
