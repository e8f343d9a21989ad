"""An install of the single-provider app, upgraded, as its users find it: through the API.

The database is made at revision 0001 and filled with SQL, exactly as the old app left it
(optionally already migrated to 0003, as an install upgraded before the fix is); from there on
only the API is used. The server migrates it to head when it starts, as `polychat serve` does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.script import Reply
from tests.fakes.server import FakeServer
from tests.helpers import bearer, login
from tests.integration.chat_helpers import (
    PROVIDERS,
    chat_requests,
    chat_settings,
    fake_for,
    live_server,
    provider_overrides,
    read_sse,
    texts_in,
)
from tests.integration.legacy_db import T0, LegacyRows, legacy_database
from tests.integration.test_legacy_passwords import legacy_bcrypt

pytestmark = pytest.mark.db

PASSWORDS = {"ada": "ada's old passphrase", "bob": "bob's old passphrase"}
SYSTEM = "You are a patient Rust tutor.\nRéponds en français si on te parle français."
# Conversation 1's visible thread, oldest first: unicode, emoji (a ZWJ sequence too), right to
# left text, code fences, Markdown a renderer must not eat, and characters HTML would.
THREAD = [
    ("user", "Explain lifetimes 🦀 with a `code` example please.\n\nÇa marche ?"),
    (
        "assistant",
        "Sure! Here is one:\n\n```rust\nfn longest<'a>(x: &'a str, y: &'a str) -> &'a str {\n"
        "    if x.len() > y.len() { x } else { y }\n}\n```\n\n日本語もOK 👩‍💻 — العربية",
    ),
    ("user", "And `'static`?   Also: <b>not html</b> & \"quotes\" \\n stays"),
    (
        "assistant",
        "`'static` lives for the whole program.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTerminé ✅",
    ),
]  # fmt: skip


def legacy_install() -> LegacyRows:
    """Two users of the old app (bcrypt passwords as bcryptjs and Python's bcrypt write them),
    conversation 1 (ada's, with a system row first), 2 (bob's), 3 (ada's, older)."""

    def at(minutes: int) -> Any:
        return T0 + timedelta(minutes=minutes)

    thread = [("system", SYSTEM), *THREAD]
    return {
        "users": [
            {"id": 1, "username": "ada", "email": "ada@example.com",
             "password_hash": legacy_bcrypt(PASSWORDS["ada"], "$2a$"), "created_at": T0},
            {"id": 2, "username": "bob", "email": "bob@example.com",
             "password_hash": legacy_bcrypt(PASSWORDS["bob"], "$2b$"), "created_at": T0},
        ],
        "conversations": [
            {"id": 1, "user_id": 1, "title": "Rust lifetimes — ünïcode ✓",
             "model": "claude-3-5-sonnet-20241022", "created_at": T0, "updated_at": at(10)},
            {"id": 2, "user_id": 2, "title": "Bob's plans", "model": "claude-3-haiku-20240307",
             "created_at": T0, "updated_at": at(20)},
            {"id": 3, "user_id": 1, "title": "Zebras", "model": "claude-3-haiku-20240307",
             "created_at": T0, "updated_at": at(5)},
        ],
        "messages": [
            *({"id": 100 + i, "conversation_id": 1, "role": role, "content": text,
               "created_at": at(i)} for i, (role, text) in enumerate(thread)),
            {"id": 200, "conversation_id": 2, "role": "user", "content": "bob's private words",
             "created_at": at(0)},
            {"id": 201, "conversation_id": 2, "role": "assistant", "content": "noted, bob",
             "created_at": at(1)},
            {"id": 300, "conversation_id": 3, "role": "user", "content": "Why stripes?",
             "created_at": at(0)},
            {"id": 301, "conversation_id": 3, "role": "assistant", "content": "Nobody knows.",
             "created_at": at(1)},
        ],
    }  # fmt: skip


@dataclass
class Upgraded:
    http: httpx.AsyncClient
    fake: FakeServer

    async def sign_in(self, username: str) -> dict[str, str]:
        response = await login(self.http, username, PASSWORDS[username])
        assert response.status_code == 200, response.text
        return bearer(response.json()["access_token"])

    async def get(self, url: str, headers: dict[str, str], status: int = 200) -> httpx.Response:
        response = await self.http.get(url, headers=headers)
        assert response.status_code == status, response.text
        return response


@asynccontextmanager
async def upgraded(settings: Settings, start: str, provider: str) -> AsyncIterator[Upgraded]:
    """The legacy install at `start`, served (and so migrated to head) with `provider`'s fake."""
    engine = await legacy_database(settings, legacy_install(), start)
    await engine.dispose()
    with fake_for(provider) as fake:
        served = chat_settings(settings, **provider_overrides({provider: fake}))
        with live_server(served) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                yield Upgraded(http, fake)


@pytest.mark.parametrize("start", ["0001", "0003"])
async def test_old_conversations_are_listed_open_export_and_are_found(
    empty_database_settings: Settings, start: str
) -> None:
    async with upgraded(empty_database_settings, start, "claude") as up:
        ada = await up.sign_in("ada")

        listed = (await up.get("/api/conversations", ada)).json()["items"]
        assert [(c["id"], c["title"]) for c in listed] == [
            (1, "Rust lifetimes — ünïcode ✓"),
            (3, "Zebras"),
        ]

        conv = (await up.get("/api/conversations/1", ada)).json()
        assert [(m["role"], m["content"]) for m in conv["messages"]] == THREAD
        assert conv["system_prompt"] == SYSTEM
        assert conv["has_more"] is False
        assert conv["active_leaf_id"] == conv["messages"][-1]["id"]

        markdown = (await up.get("/api/conversations/1/export?format=markdown", ada)).text
        assert "· 4 messages*" in markdown
        assert "> You are a patient Rust tutor.\n> Réponds en français" in markdown
        positions = [markdown.index(text) for _role, text in THREAD]
        assert positions == sorted(positions)
        exported = json.loads((await up.get("/api/conversations/1/export?format=json", ada)).text)
        assert [(m["role"], m["content"]) for m in exported["messages"]] == THREAD
        assert exported["conversation"]["system_prompt"] == SYSTEM

        found = (await up.get("/api/conversations/search?q=LIFETIMES", ada)).json()["items"]
        assert [(h["id"], h["match"]["role"]) for h in found] == [(1, "user")]
        assert "lifetimes 🦀" in found[0]["match"]["snippet"]
        stripes = (await up.get("/api/conversations/search?q=stripes", ada)).json()["items"]
        assert [h["id"] for h in stripes] == [3]

        # Bob's conversation does not exist for ada, whichever way she asks.
        await up.get("/api/conversations/2", ada, status=404)
        await up.get("/api/conversations/2/export", ada, status=404)
        assert (await up.get("/api/conversations/search?q=private", ada)).json()["items"] == []

        bob = await up.sign_in("bob")
        assert [c["id"] for c in (await up.get("/api/conversations", bob)).json()["items"]] == [2]
        await up.get("/api/conversations/1", bob, status=404)
        bobs = (await up.get("/api/conversations/2", bob)).json()["messages"]
        assert [m["content"] for m in bobs] == ["bob's private words", "noted, bob"]


@pytest.mark.parametrize(("start", "provider"), [("0001", "openai"), ("0003", "mistral")])
async def test_an_old_claude_conversation_continues_on_another_provider(
    empty_database_settings: Settings, start: str, provider: str
) -> None:
    async with upgraded(empty_database_settings, start, provider) as up:
        ada = await up.sign_in("ada")
        up.fake.queue(Reply(text="Voilà, c'est tout."))

        response, sse = await read_sse(
            up.http,
            "POST",
            "/api/chat/stream",
            json={
                "model": PROVIDERS[provider][2],
                "provider": provider,
                "conversation_id": 1,
                "content": "One more question 🙂",
            },
            headers=ada,
        )

        assert response.status_code == 200, response.text
        assert sse.first("done")["status"] == "complete"
        (body,) = chat_requests(up.fake)
        assert texts_in(body) == [text for _role, text in THREAD] + ["One more question 🙂"]
        roles = [m["role"] for m in body["messages"]]
        assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
        assert body["messages"][0]["content"] == SYSTEM
        conv = (await up.get("/api/conversations/1", ada)).json()
        assert [(m["role"], m["content"]) for m in conv["messages"]] == [
            *THREAD,
            ("user", "One more question 🙂"),
            ("assistant", "Voilà, c'est tout."),
        ]
        assert conv["messages"][-1]["provider"] == provider
