"""Text file attachments end to end through the HTTP API and the real provider adapters:
the file reaches each provider's fake as a `<document>` block before the message's text, is
saved as a `file` part, comes back in the conversation, survives an edit and the export, and
bad files are refused with a clear 422 before anything is sent."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.script import Reply
from tests.fakes.server import FakeServer
from tests.helpers import register
from tests.integration.chat_helpers import (
    PROVIDERS,
    LiveServer,
    available_providers,
    chat_requests,
    chat_settings,
    fake_for,
    provider_overrides,
    texts_in,
)

pytestmark = pytest.mark.db

CODE = 'def greet(name):\n    return f"Hello, {name}!"\n'
DOC = f'<document name="greet.py" media_type="text/x-python">\n{CODE}\n</document>'
PY_FILE = {"type": "file", "name": "src/greet.py", "media_type": "text/x-python", "text": CODE}


@dataclass
class World:
    fakes: dict[str, FakeServer]
    server: LiveServer
    http: httpx.AsyncClient
    headers: dict[str, str]

    async def chat(self, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post("/api/chat", json=body, headers=self.headers)

    async def conversation(self, conv_id: int) -> dict[str, Any]:
        r = await self.http.get(f"/api/conversations/{conv_id}", headers=self.headers)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data


@pytest.fixture
def fakes() -> Iterator[dict[str, FakeServer]]:
    with ExitStack() as stack:
        yield {p: stack.enter_context(fake_for(p)) for p in available_providers()}


@pytest.fixture
async def world(settings: Settings, fakes: dict[str, FakeServer]) -> AsyncIterator[World]:
    server = LiveServer(chat_settings(settings, **provider_overrides(fakes))).start()
    http = httpx.AsyncClient(base_url=server.url, timeout=30)
    try:
        yield World(fakes, server, http, await register(http, "alice"))
    finally:
        await http.aclose()
        server.stop()


async def test_claude_reads_the_file_before_the_text_and_it_is_saved(world: World) -> None:
    claude = world.fakes["claude"]
    claude.queue(Reply(text="It greets."), Reply(text="Yes."))
    image = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()
    r = await world.chat(
        {
            "model": "claude-sonnet-4-6",
            "content": "What does this do?",
            "attachments": [{"media_type": "image/png", "data": image}, PY_FILE],
        }
    )
    assert r.status_code == 200, r.text
    sent = chat_requests(claude)[-1]["messages"][0]["content"]
    assert sent[0] == {"type": "text", "text": DOC}
    assert sent[1] == {"type": "text", "text": "What does this do?"}
    assert sent[2]["type"] == "image"
    conv_id = r.json()["conversation_id"]
    user = (await world.conversation(conv_id))["messages"][0]
    assert [p["kind"] for p in user["parts"]] == ["text", "image", "file"]
    assert user["parts"][2] == {
        "v": 1,
        "kind": "file",
        "name": "greet.py",
        "media_type": "text/x-python",
        "text": CODE,
    }
    # The next turn sends the file again with the history.
    r = await world.chat(
        {"model": "claude-sonnet-4-6", "content": "Sure?", "conversation_id": conv_id}
    )
    assert r.status_code == 200, r.text
    assert DOC in texts_in(chat_requests(claude)[-1])
    # The export shows the file in full; the JSON export keeps the part.
    url = f"/api/conversations/{conv_id}/export"
    md = (await world.http.get(url, headers=world.headers)).text
    assert "📎 greet.py\n\n```\n" + CODE.rstrip() + "\n```" in md
    data = (await world.http.get(f"{url}?format=json", headers=world.headers)).json()
    assert data["messages"][0]["parts"][2]["text"] == CODE


@pytest.mark.parametrize("provider", available_providers())
async def test_every_provider_reads_a_file_without_any_capability(
    world: World, provider: str
) -> None:
    """A file-only message (no text) to each provider; Mistral's model is one without vision,
    so a file is never mistaken for an image."""
    fake = world.fakes[provider]
    fake.queue(Reply(text="Read it."))
    model = "codestral-latest" if provider == "mistral" else PROVIDERS[provider][2]
    r = await world.chat({"model": model, "attachments": [PY_FILE]})
    assert r.status_code == 200, r.text
    assert r.json()["content"] == "Read it."
    assert texts_in(chat_requests(fake)[-1]) == [DOC]


async def test_editing_a_message_with_a_file_keeps_the_file_it_resends(world: World) -> None:
    claude = world.fakes["claude"]
    claude.queue(Reply(text="One."), Reply(text="Two."))
    first = await world.chat(
        {"model": "claude-sonnet-4-6", "content": "Explain", "attachments": [PY_FILE]}
    )
    assert first.status_code == 200, first.text
    edited = await world.chat(
        {
            "model": "claude-sonnet-4-6",
            "content": "Explain briefly",
            "edit_message_id": first.json()["user_message_id"],
            "attachments": [PY_FILE],
        }
    )
    assert edited.status_code == 200, edited.text
    assert texts_in(chat_requests(claude)[-1]) == [DOC, "Explain briefly"]
    user = (await world.conversation(first.json()["conversation_id"]))["messages"][0]
    assert user["id"] == edited.json()["user_message_id"]
    assert user["content"] == "Explain briefly"
    assert [p.get("name") for p in user["parts"] if p["kind"] == "file"] == ["greet.py"]


@pytest.mark.parametrize(
    ("attachment", "where", "says"),
    [
        ({**PY_FILE, "text": "a\x00b"}, "attachments.0.file.text", "NUL bytes"),
        ({**PY_FILE, "name": "x" * 256}, "attachments.0.file.name", "at most 255"),
        ({**PY_FILE, "name": "folder/"}, "attachments.0.file.name", "empty once its folders"),
        ({**PY_FILE, "text": "x" * 512_001}, "attachments.0.file.text", "at most 512000"),
        ({**PY_FILE, "media_type": "t" * 101}, "attachments.0.file.media_type", "at most 100"),
    ],
)
async def test_bad_files_are_refused_before_anything_is_sent(
    world: World, attachment: dict[str, Any], where: str, says: str
) -> None:
    r = await world.chat(
        {"model": "claude-sonnet-4-6", "content": "hi", "attachments": [attachment]}
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith(where + ":") and says in error["message"]
    assert not chat_requests(world.fakes["claude"])


async def test_files_over_the_per_message_total_are_refused(world: World) -> None:
    files = [{**PY_FILE, "name": f"part{i}.txt", "text": "x" * 450_000} for i in range(5)]
    r = await world.chat({"model": "claude-sonnet-4-6", "content": "hi", "attachments": files})
    assert r.status_code == 422
    assert "2,000,000 per message" in r.json()["error"]["message"]
    assert not chat_requests(world.fakes["claude"])
