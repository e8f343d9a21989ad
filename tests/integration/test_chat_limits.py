"""Admin-set limits: per-user request rate and daily token quota answer 429 + Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.script import Reply
from tests.helpers import register
from tests.integration.chat_helpers import LiveServer, chat_settings, provider_overrides

pytestmark = pytest.mark.db
MODEL = "claude-sonnet-4-6"


@dataclass
class Ctx:
    fake: FakeAnthropic
    http: httpx.AsyncClient
    admin: dict[str, str]
    alice: dict[str, str]
    alice_id: int

    async def ask(self, who: dict[str, str]) -> httpx.Response:
        return await self.http.post(
            "/api/chat", json={"model": MODEL, "content": "hi"}, headers=who
        )


@pytest.fixture
async def ctx(settings: Settings) -> AsyncIterator[Ctx]:
    with FakeAnthropic() as fake:
        fake.state.default_reply = Reply(text="ok", input_tokens=11, output_tokens=6)
        server = LiveServer(chat_settings(settings, **provider_overrides({"claude": fake})))
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                admin = await register(http, "admin")
                alice = await register(http, "alice")
                me = (await http.get("/api/users/profile", headers=alice)).json()
                yield Ctx(fake, http, admin, alice, int(me["id"]))
        finally:
            server.stop()


async def test_only_admins_set_limits(ctx: Ctx) -> None:
    body = {"requests_per_minute": 1, "daily_tokens": 0}
    r = await ctx.http.put("/api/admin/chat-limits", json=body, headers=ctx.alice)
    assert r.status_code == 403
    r = await ctx.http.put(
        "/api/admin/chat-limits", json={**body, "users": {"9999": body}}, headers=ctx.admin
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_user"
    r = await ctx.http.put("/api/admin/chat-limits", json=body, headers=ctx.admin)
    assert r.status_code == 200
    got = await ctx.http.get("/api/admin/chat-limits", headers=ctx.admin)
    assert got.json() == {"requests_per_minute": 1, "daily_tokens": 0, "users": {}}


async def test_request_rate_limit_per_user(ctx: Ctx) -> None:
    limits = {
        "requests_per_minute": 0,
        "daily_tokens": 0,
        "users": {str(ctx.alice_id): {"requests_per_minute": 2, "daily_tokens": 0}},
    }
    assert (await ctx.http.put("/api/admin/chat-limits", json=limits, headers=ctx.admin)).is_success
    assert (await ctx.ask(ctx.alice)).status_code == 200
    assert (await ctx.ask(ctx.alice)).status_code == 200
    r = await ctx.ask(ctx.alice)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert "2 a minute" in r.json()["error"]["message"]
    assert 1 <= int(r.headers["retry-after"]) <= 60
    # The stream endpoint is limited the same way, and nothing was saved or sent.
    before = len(ctx.fake.requests)
    r = await ctx.http.post(
        "/api/chat/stream", json={"model": MODEL, "content": "hi"}, headers=ctx.alice
    )
    assert r.status_code == 429 and len(ctx.fake.requests) == before
    # Other users are not affected.
    assert (await ctx.ask(ctx.admin)).status_code == 200


async def test_daily_token_quota(ctx: Ctx) -> None:
    limits = {"requests_per_minute": 0, "daily_tokens": 30}
    assert (await ctx.http.put("/api/admin/chat-limits", json=limits, headers=ctx.admin)).is_success
    assert (await ctx.ask(ctx.alice)).status_code == 200  # 17 tokens
    assert (await ctx.ask(ctx.alice)).status_code == 200  # 34: over the quota from now on
    r = await ctx.ask(ctx.alice)
    assert r.status_code == 429
    err = r.json()["error"]
    assert err["code"] == "quota_exceeded" and "34 of 30" in err["message"]
    assert 1 <= int(r.headers["retry-after"]) <= 86400
    # Raising the quota lets the user continue at once.
    limits["daily_tokens"] = 1000
    assert (await ctx.http.put("/api/admin/chat-limits", json=limits, headers=ctx.admin)).is_success
    assert (await ctx.ask(ctx.alice)).status_code == 200
