"""Two real server processes sharing one database and one Redis: a stream served by one is
re-attached to and stopped from the other, and rate-limit counts are shared.

Uses `REDIS_URL` when set (CI), else starts a private `redis-server` on a free port (skipped,
saying so, only on a machine that has neither).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.script import Reply
from tests.helpers import register
from tests.integration.chat_helpers import (
    KEY,
    SSE,
    ServerProcess,
    free_port,
    iter_sse,
    server_env,
)

pytestmark = pytest.mark.db
MODEL = "claude-sonnet-4-6"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    env_url = os.environ.get("REDIS_URL")
    if env_url:
        yield env_url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        # A fresh machine may have no Redis at all; CI (.ci/run) runs this with REDIS_URL.
        pytest.skip("needs Redis: set REDIS_URL or install redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        import redis

        while True:
            try:
                redis.Redis(port=port, socket_timeout=1).ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _collect(response: httpx.Response, into: SSE) -> None:
    async for item in iter_sse(response):
        into.events.append(item)


async def test_two_processes_share_streams_stops_and_limits(
    settings: Settings, tmp_path: Path, redis_url: str
) -> None:
    with FakeAnthropic() as fake:
        env = server_env(
            settings,
            POLYCHAT_CLAUDE_BASE_URL=fake.url,
            ANTHROPIC_API_KEY=KEY,
            REDIS_URL=redis_url,
            POLYCHAT_REDIS_PREFIX=f"polychat-test-{uuid.uuid4().hex[:10]}:",
        )
        a = await asyncio.to_thread(ServerProcess(env, str(tmp_path)).start)
        b: ServerProcess | None = None
        try:
            async with (
                httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
                httpx.AsyncClient(timeout=30) as on_b,
            ):
                admin = await register(on_a, "admin")
                alice = await register(on_a, "alice")
                text = "".join(f"tok{i:03d} " for i in range(900))
                thought = "First think, then write nine hundred tokens."
                fake.queue(  # 45 s at most
                    Reply(text=text, chunks=900, chunk_delay_s=0.05, thinking=thought)
                )
                seen_on_a = SSE()
                async with on_a.stream(
                    "POST",
                    "/api/chat/stream",
                    json={"model": MODEL, "content": "long", "reasoning": "low"},
                    headers=alice,
                ) as response:
                    events = iter_sse(response)
                    start = (await anext(events))[1]
                    seen_on_a.events.append(("start", start))
                    msg_id = start["assistant_message_id"]
                    for _ in range(3):
                        seen_on_a.events.append(await anext(events))

                    # A second process starts while A streams: it must not mark A's live
                    # answer as interrupted.
                    b = await asyncio.to_thread(ServerProcess(env, str(tmp_path)).start)
                    on_b.base_url = httpx.URL(b.url)
                    conv = (
                        await on_b.get(
                            f"/api/conversations/{start['conversation_id']}", headers=alice
                        )
                    ).json()
                    assert conv["messages"][-1]["status"] == "streaming"

                    # Re-attach through B: replay of what A sent so far, then live.
                    seen_on_b = SSE()
                    async with on_b.stream(
                        "GET", f"/api/chat/{msg_id}/stream", headers=alice
                    ) as follow:
                        follower = asyncio.create_task(_collect(follow, seen_on_b))
                        await asyncio.sleep(1.0)
                        assert seen_on_b.names[:1] == ["start"]
                        assert len(seen_on_b.text) > len(seen_on_a.text)

                        # Stop through B, although A runs it.
                        t0 = time.monotonic()
                        stop = await on_b.post(f"/api/chat/{msg_id}/stop", headers=alice)
                        assert stop.status_code == 200, stop.text
                        assert stop.json()["status"] == "stopped"
                        assert time.monotonic() - t0 < 2.0
                        rest: list[tuple[str, dict[str, Any]]] = [item async for item in events]
                        await asyncio.wait_for(follower, 10)
                    seen_on_a.events += rest
                assert seen_on_a.names[-1] == "done"
                assert seen_on_a.first("done")["status"] == "stopped"
                assert seen_on_b.first("done")["status"] == "stopped"
                assert seen_on_b.text == seen_on_a.text  # the same answer, seen from both
                # The thinking, streamed before the text, is replayed through the other process.
                on_a_thought = [d["text"] for d in seen_on_a.of("thinking")]
                assert "".join(on_a_thought) == thought
                assert [d["text"] for d in seen_on_b.of("thinking")] == on_a_thought
                assert seen_on_b.names.index("thinking") < seen_on_b.names.index("delta")
                saved = (
                    await on_b.get(f"/api/conversations/{start['conversation_id']}", headers=alice)
                ).json()["messages"][-1]
                assert saved["status"] == "stopped" and saved["content"] == seen_on_a.text
                thinking_part = saved["parts"][0]
                assert (thinking_part["kind"], thinking_part["text"]) == ("thinking", thought)
                assert isinstance(thinking_part["duration_ms"], int)
                assert 0 < len(saved["content"]) < len(text)

                # Rate-limit counts are shared: 3 a minute in total, whichever process.
                me = (await on_a.get("/api/users/profile", headers=alice)).json()
                limits = {
                    "requests_per_minute": 0,
                    "daily_tokens": 0,
                    "users": {str(me["id"]): {"requests_per_minute": 3, "daily_tokens": 0}},
                }
                r = await on_a.put("/api/admin/chat-limits", json=limits, headers=admin)
                assert r.status_code == 200
                await asyncio.sleep(0.1)
                codes = []
                for client in (on_a, on_b, on_a, on_b):
                    r = await client.post(
                        "/api/chat", json={"model": MODEL, "content": "hi"}, headers=alice
                    )
                    codes.append(r.status_code)
                assert codes == [200, 200, 200, 429]
                assert r.json()["error"]["code"] == "rate_limited"
        finally:
            a.terminate()
            if b is not None:
                b.terminate()
