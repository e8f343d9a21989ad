"""`GET /api/conversations/search`: titles and message text of the caller's own chats only,
case-insensitive, LIKE wildcards literal, newest activity first with a cursor, snippets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from polychat.config import Settings
from polychat.db.models import Conversation, Message
from tests.fakes.script import Reply
from tests.integration.chat_helpers import ClaudeAndTwoUsers, claude_and_two_users

pytestmark = pytest.mark.db
MODEL = "claude-sonnet-4-6"


class Ctx(ClaudeAndTwoUsers):
    """The shared setup, with the requests these tests make again and again."""

    async def say(
        self, content: str, reply: str, who: dict[str, str] | None = None, **extra: Any
    ) -> dict[str, Any]:
        self.fake.queue(Reply(text=reply))
        r = await self.http.post(
            "/api/chat",
            json={"model": MODEL, "content": content, **extra},
            headers=who or self.alice,
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    async def titled(self, title: str, who: dict[str, str] | None = None) -> int:
        r = await self.http.post(
            "/api/conversations", json={"title": title}, headers=who or self.alice
        )
        assert r.status_code == 201, r.text
        conv_id: int = r.json()["id"]
        return conv_id

    async def search(
        self, q: str, who: dict[str, str] | None = None, **params: Any
    ) -> dict[str, Any]:
        r = await self.http.get(
            "/api/conversations/search", params={"q": q, **params}, headers=who or self.alice
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data


@pytest.fixture
async def ctx(settings: Settings) -> AsyncIterator[Ctx]:
    async with claude_and_two_users(settings) as setup:
        yield Ctx(setup.fake, setup.http, setup.alice, setup.bob)


def ids(page: dict[str, Any]) -> list[int]:
    return [item["id"] for item in page["items"]]


async def test_title_hit_is_case_insensitive_and_shaped_like_the_list(ctx: Ctx) -> None:
    cid = await ctx.titled("Trip to Lisbon")
    await ctx.titled("Groceries")
    page = await ctx.search("lisBON")
    assert ids(page) == [cid]
    hit = page["items"][0]
    assert hit["match"] == {"message_id": None, "role": "title", "snippet": "Trip to Lisbon"}
    listed = (await ctx.http.get("/api/conversations", headers=ctx.alice)).json()["items"]
    summary = next(c for c in listed if c["id"] == cid)
    assert {k: v for k, v in hit.items() if k != "match"} == summary
    assert page["next_cursor"] is None


async def test_message_hit_returns_the_message_and_a_snippet_around_the_words(ctx: Ctx) -> None:
    before = "The harbour was quiet that morning and the boats rested at their moorings. " * 4
    after = " Later the wind rose and everyone went home for soup and bread by the fire." * 4
    answer = await ctx.say("Tell me a story", before + "A heron named Quillon waited." + after)
    await ctx.say("Something else entirely", "Nothing to see here.")
    page = await ctx.search("quillon")
    assert ids(page) == [answer["conversation_id"]]
    match = page["items"][0]["match"]
    assert match["message_id"] == answer["assistant_message_id"]
    assert match["role"] == "assistant"
    snippet = match["snippet"]
    assert "A heron named Quillon waited." in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert 100 <= len(snippet) <= 170
    assert "\n" not in snippet

    # The question is text too: a user message hits with role "user".
    page = await ctx.search("TELL ME")
    assert [i["match"]["role"] for i in page["items"]] == ["user"]
    assert page["items"][0]["match"]["message_id"] == answer["user_message_id"]
    assert page["items"][0]["match"]["snippet"] == "Tell me a story"


async def test_like_wildcards_are_literal(ctx: Ctx) -> None:
    percent = (await ctx.say("What is 50% of 10?", "Five."))["conversation_id"]
    await ctx.say("What is 500 of 10?", "Nothing sensible.")
    under = await ctx.titled("snake_case names")
    await ctx.titled("snakeXcase names")
    slash = (await ctx.say("path C:\\temp\\x", "ok"))["conversation_id"]
    await ctx.say("path C:temp", "ok")

    assert ids(await ctx.search("50%")) == [percent]
    assert ids(await ctx.search("%")) == [percent]
    assert ids(await ctx.search("snake_case")) == [under]
    assert ids(await ctx.search("_")) == [under]
    assert ids(await ctx.search("C:\\temp")) == [slash]
    assert ids(await ctx.search("\\")) == [slash]


async def test_other_users_and_deleted_chats_are_never_found(ctx: Ctx) -> None:
    bobs = (await ctx.say("marmalade recipe", "Oranges, sugar.", who=ctx.bob))["conversation_id"]
    await ctx.titled("Marmalade title", who=ctx.bob)
    assert (await ctx.search("marmalade"))["items"] == []
    assert ids(await ctx.search("marmalade", who=ctx.bob))[-1] == bobs

    gone = (await ctx.say("the word zephyrine", "zephyrine indeed"))["conversation_id"]
    assert ids(await ctx.search("zephyrine")) == [gone]
    r = await ctx.http.delete(f"/api/conversations/{gone}", headers=ctx.alice)
    assert r.status_code == 204
    assert (await ctx.search("zephyrine"))["items"] == []


async def test_newest_activity_first_with_cursor_pagination(ctx: Ctx) -> None:
    made = [
        (await ctx.say(f"note {i} about walnuts", "noted"))["conversation_id"] for i in range(5)
    ]
    await ctx.titled("unrelated")
    # Activity moves a chat to the top of the results, as in the list.
    await ctx.say("more", "ok", conversation_id=made[1])
    expected = [made[1], made[4], made[3], made[2], made[0]]

    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await ctx.search("WALNUTS", **params)
        seen += ids(page)
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3

    r = await ctx.http.get(
        "/api/conversations/search", params={"q": "walnuts", "cursor": "garbage"}, headers=ctx.alice
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("q", ["", "   ", "x" * 201])
async def test_blank_or_too_long_query_is_422(ctx: Ctx, q: str) -> None:
    r = await ctx.http.get("/api/conversations/search", params={"q": q}, headers=ctx.alice)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"


async def test_missing_query_is_422_and_spaces_around_it_are_trimmed(ctx: Ctx) -> None:
    r = await ctx.http.get("/api/conversations/search", headers=ctx.alice)
    assert r.status_code == 422
    cid = await ctx.titled("Budget review")
    assert ids(await ctx.search("  budget  ")) == [cid]
    assert ids(await ctx.search("x" * 200)) == []


async def test_needs_a_token(ctx: Ctx) -> None:
    r = await ctx.http.get("/api/conversations/search", params={"q": "anything"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


async def test_one_statement_per_page_whatever_the_page_size(
    app: FastAPI, client: httpx.AsyncClient, user_headers: dict[str, str]
) -> None:
    """No N+1: a page of 20 hits (of 25) (messages and titles) is read with one SQL statement."""
    me = (await client.get("/api/users/profile", headers=user_headers)).json()["id"]
    async with app.state.sessionmaker() as session:
        for i in range(30):
            conv = Conversation(
                user_id=me, title=f"Chat {i}" + (" otter" if i % 3 else ""), model="m"
            )
            session.add(conv)
            await session.flush()
            for j in range(4):
                text = f"message {j}" + (" about an otter" if i % 2 and j == 2 else "")
                session.add(Message(conversation_id=conv.id, role="user", content=text))
        await session.commit()

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    try:
        r = await client.get(
            "/api/conversations/search", params={"q": "otter", "limit": 20}, headers=user_headers
        )
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)
    assert r.status_code == 200, r.text
    page = r.json()
    roles = {item["match"]["role"] for item in page["items"]}
    assert len(page["items"]) == 20 and page["next_cursor"] and roles == {"user", "title"}
    touching = [s for s in statements if "messages" in s or "conversations" in s]
    assert len(touching) == 1, touching
