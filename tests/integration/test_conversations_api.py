"""Conversations: CRUD, owner-only access, cursor pagination, branches from edit/regenerate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.script import Reply
from tests.helpers import register
from tests.integration.chat_helpers import (
    LiveServer,
    chat_requests,
    chat_settings,
    provider_overrides,
    read_sse,
    texts_in,
)

pytestmark = pytest.mark.db
MODEL = "claude-sonnet-4-6"


@dataclass
class Ctx:
    fake: FakeAnthropic
    http: httpx.AsyncClient
    alice: dict[str, str]
    bob: dict[str, str]

    async def say(self, content: str, reply: str, **extra: Any) -> dict[str, Any]:
        self.fake.queue(Reply(text=reply))
        r = await self.http.post(
            "/api/chat", json={"model": MODEL, "content": content, **extra}, headers=self.alice
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    async def view(self, conv_id: int, **params: Any) -> dict[str, Any]:
        r = await self.http.get(f"/api/conversations/{conv_id}", params=params, headers=self.alice)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data


@pytest.fixture
async def ctx(settings: Settings) -> AsyncIterator[Ctx]:
    with FakeAnthropic() as fake:
        server = LiveServer(chat_settings(settings, **provider_overrides({"claude": fake})))
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                alice = await register(http, "alice")
                bob = await register(http, "bob")
                yield Ctx(fake, http, alice, bob)
        finally:
            server.stop()


async def test_crud_and_owner_only(ctx: Ctx) -> None:
    r = await ctx.http.post(
        "/api/conversations",
        json={"title": "Plans", "model": MODEL, "provider": "claude", "system_prompt": "Terse."},
        headers=ctx.alice,
    )
    assert r.status_code == 201, r.text
    conv = r.json()
    assert (conv["title"], conv["model"], conv["system_prompt"]) == ("Plans", MODEL, "Terse.")
    cid = conv["id"]

    # Bob cannot see, rename, delete, chat in or stop anything of Alice's: always 404.
    assert (await ctx.http.get(f"/api/conversations/{cid}", headers=ctx.bob)).status_code == 404
    r = await ctx.http.put(f"/api/conversations/{cid}", json={"title": "x"}, headers=ctx.bob)
    assert r.status_code == 404
    assert (await ctx.http.delete(f"/api/conversations/{cid}", headers=ctx.bob)).status_code == 404
    r = await ctx.http.post(
        "/api/chat", json={"model": MODEL, "content": "hi", "conversation_id": cid}, headers=ctx.bob
    )
    assert r.status_code == 404
    assert (await ctx.http.get("/api/conversations", headers=ctx.bob)).json()["items"] == []

    answer = await ctx.say("hello", "hi there", conversation_id=cid)
    assert answer["conversation_id"] == cid
    # The stored system prompt was sent.
    assert "Terse." in str(chat_requests(ctx.fake)[-1])
    msg = answer["assistant_message_id"]
    assert (await ctx.http.post(f"/api/chat/{msg}/stop", headers=ctx.bob)).status_code == 404
    assert (await ctx.http.get(f"/api/chat/{msg}/stream", headers=ctx.bob)).status_code == 404
    # Stopping a finished answer changes nothing.
    r = await ctx.http.post(f"/api/chat/{msg}/stop", headers=ctx.alice)
    assert r.json() == {"message_id": msg, "stopped": False, "status": "complete"}

    r = await ctx.http.put(
        f"/api/conversations/{cid}", json={"title": "Renamed"}, headers=ctx.alice
    )
    assert r.status_code == 200 and r.json()["title"] == "Renamed"
    assert (await ctx.view(cid))["title"] == "Renamed"

    assert (
        await ctx.http.delete(f"/api/conversations/{cid}", headers=ctx.alice)
    ).status_code == 204
    assert (await ctx.http.get(f"/api/conversations/{cid}", headers=ctx.alice)).status_code == 404
    # Usage survives the conversation (the bill does not disappear with it).
    usage = (await ctx.http.get("/api/users/usage", headers=ctx.alice)).json()
    assert usage["total"]["requests"] == 1


async def test_list_is_newest_first_with_cursor_pagination(ctx: Ctx) -> None:
    ids = []
    for i in range(5):
        r = await ctx.http.post("/api/conversations", json={"title": f"c{i}"}, headers=ctx.alice)
        ids.append(r.json()["id"])
    # Activity moves a conversation to the top.
    await ctx.say("bump", "ok", conversation_id=ids[1])
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await ctx.http.get("/api/conversations", params=params, headers=ctx.alice)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[1], ids[4], ids[3], ids[2], ids[0]]
    r = await ctx.http.get("/api/conversations", params={"cursor": "garbage!"}, headers=ctx.alice)
    assert r.status_code == 400


async def test_messages_are_paginated_newest_page_first(ctx: Ctx) -> None:
    first = await ctx.say("m0", "a0")
    cid = first["conversation_id"]
    for i in range(1, 4):
        await ctx.say(f"m{i}", f"a{i}", conversation_id=cid)
    page = await ctx.view(cid, limit=3)
    assert [m["content"] for m in page["messages"]] == ["a2", "m3", "a3"]
    assert page["has_more"] is True
    older = await ctx.view(cid, limit=3, before=page["messages"][0]["id"])
    assert [m["content"] for m in older["messages"]] == ["m1", "a1", "m2"]
    oldest = await ctx.view(cid, limit=3, before=older["messages"][0]["id"])
    assert [m["content"] for m in oldest["messages"]] == ["m0", "a0"]
    assert oldest["has_more"] is False


async def test_each_answer_in_the_view_carries_its_usage(ctx: Ctx) -> None:
    """The UI's per-message details (tokens, cost, time to first token) come from the view,
    so they survive a reload and show on another device."""
    ctx.fake.queue(Reply(text="Bonjour", input_tokens=21, output_tokens=4))
    r = await ctx.http.post("/api/chat", json={"model": MODEL, "content": "hi"}, headers=ctx.alice)
    assert r.status_code == 200, r.text
    view = await ctx.view(r.json()["conversation_id"])
    user, answer = view["messages"]
    assert user["usage"] is None
    usage = answer["usage"]
    assert (usage["input_tokens"], usage["output_tokens"]) == (21, 4)
    assert usage["estimated"] is False
    assert usage["ttft_ms"] is not None and usage["ttft_ms"] >= 0
    assert usage["duration_ms"] is not None and usage["duration_ms"] >= usage["ttft_ms"]


async def test_regenerate_and_edit_make_sibling_branches(ctx: Ctx) -> None:
    first = await ctx.say("Name a colour", "Blue")
    cid = first["conversation_id"]
    second = await ctx.say("Another", "Green", conversation_id=cid)

    # Regenerate the last answer (optionally another model): a sibling of "Green".
    ctx.fake.queue(Reply(text="Yellow"))
    r, sse = await read_sse(
        ctx.http,
        "POST",
        "/api/chat/stream",
        json={"model": "claude-haiku-4-5", "regenerate_message_id": second["assistant_message_id"]},
        headers=ctx.alice,
    )
    assert r.status_code == 200
    regen = sse.first("start")
    assert regen["user_message_id"] == second["user_message_id"]  # no new user message
    assert texts_in(chat_requests(ctx.fake)[-1]) == ["Name a colour", "Blue", "Another"]
    view = await ctx.view(cid)
    assert [m["content"] for m in view["messages"]] == [
        "Name a colour",
        "Blue",
        "Another",
        "Yellow",
    ]
    last = view["messages"][-1]
    assert last["sibling_ids"] == [second["assistant_message_id"], regen["assistant_message_id"]]
    assert last["sibling_index"] == 1 and last["model"] == "claude-haiku-4-5"

    # Edit the first user message: a new branch from the root.
    ctx.fake.queue(Reply(text="Red"))
    edited = await ctx.http.post(
        "/api/chat",
        json={
            "model": MODEL,
            "content": "Name a warm colour",
            "edit_message_id": first["user_message_id"],
        },
        headers=ctx.alice,
    )
    assert edited.status_code == 200, edited.text
    assert texts_in(chat_requests(ctx.fake)[-1]) == ["Name a warm colour"]
    view = await ctx.view(cid)
    assert [m["content"] for m in view["messages"]] == ["Name a warm colour", "Red"]
    assert view["messages"][0]["sibling_ids"] == [
        first["user_message_id"],
        edited.json()["user_message_id"],
    ]

    # Switch back to the first branch: its newest leaf (the regenerated answer) is shown.
    r = await ctx.http.put(
        f"/api/conversations/{cid}",
        json={"active_message_id": first["user_message_id"]},
        headers=ctx.alice,
    )
    assert r.status_code == 200
    view = await ctx.view(cid)
    assert [m["content"] for m in view["messages"]] == [
        "Name a colour",
        "Blue",
        "Another",
        "Yellow",
    ]
    # Continuing now follows that branch.
    await ctx.say("And one more", "Purple", conversation_id=cid)
    assert texts_in(chat_requests(ctx.fake)[-1]) == [
        "Name a colour",
        "Blue",
        "Another",
        "Yellow",
        "And one more",
    ]
    # Only answers can be regenerated, only user messages edited.
    r = await ctx.http.post(
        "/api/chat",
        json={"model": MODEL, "regenerate_message_id": first["user_message_id"]},
        headers=ctx.alice,
    )
    assert r.status_code == 400
    r = await ctx.http.post(
        "/api/chat",
        json={"model": MODEL, "content": "x", "edit_message_id": first["assistant_message_id"]},
        headers=ctx.alice,
    )
    assert r.status_code == 400


async def test_new_conversation_from_messages_history(ctx: Ctx) -> None:
    ctx.fake.queue(Reply(text="Four."))
    r = await ctx.http.post(
        "/api/chat",
        json={
            "model": MODEL,
            "messages": [
                {"role": "user", "content": "What is 1+1?"},
                {"role": "assistant", "content": "Two."},
                {"role": "user", "content": "And 2+2?"},
            ],
        },
        headers=ctx.alice,
    )
    assert r.status_code == 200, r.text
    assert texts_in(chat_requests(ctx.fake)[-1]) == ["What is 1+1?", "Two.", "And 2+2?"]
    view = await ctx.view(r.json()["conversation_id"])
    assert [m["content"] for m in view["messages"]] == ["What is 1+1?", "Two.", "And 2+2?", "Four."]
    r = await ctx.http.post(
        "/api/chat",
        json={
            "model": MODEL,
            "conversation_id": view["id"],
            "messages": [{"role": "user", "content": "x"}],
        },
        headers=ctx.alice,
    )
    assert r.status_code == 400


async def test_deleting_a_conversation_stops_its_running_answer(ctx: Ctx) -> None:
    from tests.integration.chat_helpers import iter_sse

    ctx.fake.queue(Reply(text="slow " * 100, chunks=100, chunk_delay_s=0.05))
    async with ctx.http.stream(
        "POST", "/api/chat/stream", json={"model": MODEL, "content": "go"}, headers=ctx.alice
    ) as response:
        events = iter_sse(response)
        start = (await anext(events))[1]
        await anext(events)
        cid = start["conversation_id"]
        r = await ctx.http.delete(f"/api/conversations/{cid}", headers=ctx.alice)
        assert r.status_code == 204
        rest = [name async for name, _ in events]
    assert rest[-1] == "done"
    assert (await ctx.http.get(f"/api/conversations/{cid}", headers=ctx.alice)).status_code == 404
    r = await ctx.http.get(f"/api/chat/{start['assistant_message_id']}/stream", headers=ctx.alice)
    assert r.status_code == 404
    assert ctx.fake.state.open_streams == 0
    # The stopped answer was billed before the conversation went away.
    usage = (await ctx.http.get("/api/users/usage", headers=ctx.alice)).json()
    assert usage["total"]["requests"] == 1
