"""Conversations: CRUD, owner-only access, cursor pagination, branches from edit/regenerate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from polychat.config import Settings
from tests.fakes.script import Reply
from tests.integration.chat_helpers import (
    ClaudeAndTwoUsers,
    chat_requests,
    claude_and_two_users,
    read_sse,
    texts_in,
)

pytestmark = pytest.mark.db
MODEL = "claude-sonnet-4-6"


class Ctx(ClaudeAndTwoUsers):
    """The shared setup, with the requests these tests make again and again."""

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
    async with claude_and_two_users(settings) as setup:
        yield Ctx(setup.fake, setup.http, setup.alice, setup.bob)


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


async def _list(ctx: Ctx, headers: dict[str, str], **params: Any) -> list[int]:
    """Every id of the list, page by page through the cursor."""
    seen: list[int] = []
    cursor = None
    for _ in range(20):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = await ctx.http.get("/api/conversations", params=query, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the cursor never ended")


async def test_starred_conversations_filter_and_paginate(ctx: Ctx) -> None:
    ids = []
    for i in range(6):
        r = await ctx.http.post("/api/conversations", json={"title": f"s{i}"}, headers=ctx.alice)
        assert r.json()["pinned"] is False
        ids.append(r.json()["id"])
    before = (await ctx.view(ids[1]))["updated_at"]

    for cid in (ids[1], ids[3], ids[4]):
        r = await ctx.http.put(
            f"/api/conversations/{cid}", json={"pinned": True}, headers=ctx.alice
        )
        assert r.status_code == 200 and r.json()["pinned"] is True
    # Starring is not activity: the order of the list does not change.
    assert (await ctx.view(ids[1]))["updated_at"] == before
    assert (await ctx.view(ids[1]))["pinned"] is True

    newest_first = ids[::-1]
    assert await _list(ctx, ctx.alice, limit=2) == newest_first
    assert await _list(ctx, ctx.alice, limit=2, pinned="true") == [ids[4], ids[3], ids[1]]
    assert await _list(ctx, ctx.alice, limit=2, pinned="false") == [ids[5], ids[2], ids[0]]
    assert await _list(ctx, ctx.alice, limit=1, pinned="true") == [ids[4], ids[3], ids[1]]
    page = (
        await ctx.http.get("/api/conversations", params={"pinned": "true"}, headers=ctx.alice)
    ).json()
    assert all(c["pinned"] for c in page["items"]) and page["next_cursor"] is None

    # Unstar: back among the others, in its old place.
    r = await ctx.http.put(
        f"/api/conversations/{ids[3]}", json={"pinned": False}, headers=ctx.alice
    )
    assert r.json()["pinned"] is False
    assert await _list(ctx, ctx.alice, limit=2, pinned="false") == [ids[5], ids[3], ids[2], ids[0]]
    # A rename is activity and still moves a chat up; a starred chat keeps its star.
    await ctx.http.put(f"/api/conversations/{ids[1]}", json={"title": "Top"}, headers=ctx.alice)
    assert await _list(ctx, ctx.alice, pinned="true") == [ids[1], ids[4]]

    bad = await ctx.http.get("/api/conversations", params={"pinned": "maybe"}, headers=ctx.alice)
    assert bad.status_code == 422


async def test_only_the_owner_stars_and_sees_stars(ctx: Ctx) -> None:
    r = await ctx.http.post("/api/conversations", json={"title": "Mine"}, headers=ctx.alice)
    cid = r.json()["id"]
    r = await ctx.http.put(f"/api/conversations/{cid}", json={"pinned": True}, headers=ctx.bob)
    assert r.status_code == 404
    assert (await ctx.view(cid))["pinned"] is False
    await ctx.http.put(f"/api/conversations/{cid}", json={"pinned": True}, headers=ctx.alice)
    assert await _list(ctx, ctx.bob, pinned="true") == []
    assert await _list(ctx, ctx.bob) == []
    assert await _list(ctx, ctx.alice, pinned="true") == [cid]
    r = await ctx.http.put(f"/api/conversations/{cid}", json={"pinned": "yes"}, headers=ctx.alice)
    assert r.status_code == 422


async def test_export_the_active_branch_as_markdown_or_json(ctx: Ctx) -> None:
    first = await ctx.say("Name a colour", "Blue")
    cid = first["conversation_id"]
    await ctx.http.put(
        f"/api/conversations/{cid}", json={"title": "Café colours"}, headers=ctx.alice
    )
    await ctx.say("Another", "Green", conversation_id=cid)
    # An edit starts a new branch: the export follows the active one only.
    ctx.fake.queue(Reply(text="Red"))
    r = await ctx.http.post(
        "/api/chat",
        json={"model": MODEL, "content": "A warm one", "edit_message_id": first["user_message_id"]},
        headers=ctx.alice,
    )
    assert r.status_code == 200, r.text

    r = await ctx.http.get(f"/api/conversations/{cid}/export", headers=ctx.alice)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"cafe-colours.md\"; filename*=UTF-8''Caf%C3%A9%20colours.md"
    )
    assert r.headers["cache-control"] == "no-store"
    text = r.text
    assert text.startswith("# Café colours\n")
    assert "## You\n\nA warm one" in text
    assert "## Claude Sonnet 4.6 (`claude-sonnet-4-6`, claude)\n\nRed" in text
    assert "Blue" not in text and "Green" not in text  # the other branch

    r = await ctx.http.get(
        f"/api/conversations/{cid}/export", params={"format": "json"}, headers=ctx.alice
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert 'filename="cafe-colours.json"' in r.headers["content-disposition"]
    data = r.json()
    assert data["conversation"]["id"] == cid
    assert [(m["role"], m["content"]) for m in data["messages"]] == [
        ("user", "A warm one"),
        ("assistant", "Red"),
    ]

    bad = await ctx.http.get(
        f"/api/conversations/{cid}/export", params={"format": "pdf"}, headers=ctx.alice
    )
    assert bad.status_code == 422
    # Owner-only: another user gets the same 404 as for a missing conversation.
    other = await ctx.http.get(f"/api/conversations/{cid}/export", headers=ctx.bob)
    missing = await ctx.http.get("/api/conversations/999999/export", headers=ctx.alice)
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


async def test_settings_are_validated_saved_and_used_by_the_next_turn(ctx: Ctx) -> None:
    first = await ctx.say("Hello", "Hi")
    cid = first["conversation_id"]
    url = f"/api/conversations/{cid}"

    # The same ranges as a chat request: a saved default must be one a turn could have sent.
    for bad in (
        {"temperature": 2.5},
        {"temperature": -0.1},
        {"top_p": 1.5},
        {"max_tokens": 0},
        {"max_tokens": 1_000_001},
        {"temperature": "warm"},
        {"seed": 4},  # unknown knobs are refused, not stored and silently ignored
    ):
        r = await ctx.http.put(url, json={"params": bad}, headers=ctx.alice)
        assert r.status_code == 422, (bad, r.text)
    r = await ctx.http.put(url, json={"system_prompt": "x" * 100_001}, headers=ctx.alice)
    assert r.status_code == 422
    assert (await ctx.view(cid))["params"] == {}

    r = await ctx.http.put(
        url,
        json={
            "system_prompt": "Answer like a pirate.",
            "params": {"temperature": 0.3, "max_tokens": 512, "top_p": None},
        },
        headers=ctx.alice,
    )
    assert r.status_code == 200, r.text
    # Only what is set is kept: null means "provider default".
    assert r.json()["params"] == {"temperature": 0.3, "max_tokens": 512}
    assert r.json()["system_prompt"] == "Answer like a pirate."

    ctx.fake.requests.clear()
    await ctx.say("Again", "Arr", conversation_id=cid)
    [sent] = chat_requests(ctx.fake)
    assert sent["system"] == "Answer like a pirate."
    assert (sent["temperature"], sent["max_tokens"]) == (0.3, 512)

    # Clearing: an empty object and a null prompt bring back the provider's defaults.
    r = await ctx.http.put(url, json={"system_prompt": None, "params": {}}, headers=ctx.alice)
    assert r.status_code == 200, r.text
    assert (r.json()["params"], r.json()["system_prompt"]) == ({}, None)
