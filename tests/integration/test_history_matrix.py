"""Whatever came before, the next turn reaches every provider as a history it accepts.

A matrix of (kind of earlier turn x provider): each case starts a conversation through the
API, adds the earlier turn as the chat store would have saved it (a failed or stopped answer,
a tool call with or without its result, an image, a file, thinking, a system prompt), then
sends the next turn through `POST /api/chat` to one of the seven providers. The case passes
when the answer comes back and the request the fake received holds the expected history. The
fakes refuse what the real APIs refuse (empty text, unpaired tool calls, bad role order), so
an invalid history fails here as it would in production.

One app and one set of fakes serve the whole module: ~70 cases stay fast.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from polychat.chat.history import NOT_RUN
from polychat.config import Settings
from polychat.db.engine import create_engine, create_sessionmaker
from polychat.db.models import Conversation, Message
from tests.fakes.server import FakeServer
from tests.helpers import register
from tests.integration.chat_helpers import (
    KEY,
    LiveServer,
    chat_requests,
    chat_settings,
    texts_in,
)
from tests.providers.harness import ProviderHarness, all_harnesses

pytestmark = pytest.mark.db

# provider id -> (its contract-suite harness, whether its base URL and key come from settings)
PROVIDERS: dict[str, tuple[str, bool, bool]] = {
    "claude": ("claude", True, True),
    "openai": ("openai", True, True),
    "mistral": ("mistral", True, True),
    "gemini": ("gemini", True, True),
    "ollama": ("ollama", True, False),
    "openrouter": ("openrouter", True, True),
    "openai_compatible": ("openai_compatible-keyed", False, False),  # an admin-defined server
}
CUSTOM_ID = "lab"
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5E"
    "rkJggg=="
)
NEXT = "Next question?"
ANSWER = "Hello there!"  # the fakes' default reply


@dataclass
class Target:
    provider_id: str  # what the chat body names
    harness: ProviderHarness
    fake: FakeServer

    @property
    def model(self) -> str:
        return self.harness.vision_model or self.harness.chat_model


@dataclass
class Matrix:
    settings: Settings
    url: str
    headers: dict[str, str]
    targets: dict[str, Target]


@pytest.fixture(scope="module")
def matrix(module_settings: Settings) -> Iterator[Matrix]:
    harnesses = {h.id: h for h in all_harnesses()}
    targets: dict[str, Target] = {}
    urls: dict[str, str] = {}
    keys: dict[str, SecretStr] = {}
    for provider, (harness_id, has_url, has_key) in PROVIDERS.items():
        harness = harnesses[harness_id]
        fake = harness.make_fake().__enter__()
        targets[provider] = Target(
            CUSTOM_ID if provider == "openai_compatible" else provider, harness, fake
        )
        if has_url:
            urls[provider] = harness.base_url(fake)
        if has_key:
            keys[provider] = SecretStr(KEY)
    overrides = {"provider_base_urls": urls, "provider_api_keys": keys}
    server = LiveServer(chat_settings(module_settings, **overrides)).start()
    try:
        headers = asyncio.run(_admin_with_custom_provider(server.url, targets["openai_compatible"]))
        yield Matrix(module_settings, server.url, headers, targets)
    finally:
        server.stop()
        for t in targets.values():
            t.fake.__exit__(None, None, None)


async def _admin_with_custom_provider(url: str, target: Target) -> dict[str, str]:
    """The first user (an admin) and the OpenAI-compatible server they define."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        headers = await register(http, "admin")
        r = await http.post(
            "/api/admin/providers",
            json={
                "id": CUSTOM_ID,
                "display_name": "Lab",
                "base_url": target.harness.base_url(target.fake),
                "api_key": KEY,
            },
            headers=headers,
        )
        assert r.status_code == 201, r.text
        return headers


# -- the earlier turns, as the chat store saves them ------------------------------------------


def _text(text: str) -> dict[str, Any]:
    return {"kind": "text", "text": text}


CALL = {"kind": "tool_call", "id": "toolu_01Weather", "name": "get_weather",
        "arguments": {"city": "Oslo"}}  # fmt: skip
RESULT = {"kind": "tool_result", "tool_call_id": "toolu_01Weather", "name": "get_weather",
          "content": "Sunny, 21 °C", "is_error": False}  # fmt: skip
Row = tuple[str, str, list[dict[str, Any]] | None, str]  # role, content, parts, status

EARLIER: dict[str, list[Row]] = {
    "complete": [],
    "failed_empty": [
        ("user", "Earlier question", [_text("Earlier question")], "complete"),
        ("assistant", "", [], "error"),
    ],
    "stopped_partial": [
        ("user", "Earlier question", [_text("Earlier question")], "complete"),
        ("assistant", "Partial answer", [_text("Partial answer"), _text(" \n")], "stopped"),
    ],
    "interrupted": [
        ("user", "Earlier question", [_text("Earlier question")], "complete"),
        ("assistant", " \n\t", None, "interrupted"),
    ],
    "tool_with_result": [
        ("user", "Earlier question", [_text("Earlier question")], "complete"),
        ("assistant", "Let me check.", [_text("Let me check."), CALL], "complete"),
        ("user", "", [RESULT], "complete"),
        ("assistant", "It is sunny in Oslo.", [_text("It is sunny in Oslo.")], "complete"),
    ],
    "tool_without_result": [
        ("user", "Earlier question", [_text("Earlier question")], "complete"),
        ("assistant", "Let me check.", [_text("Let me check."), CALL], "complete"),
    ],
    "image": [
        (
            "user",
            "What is this?",
            [_text("What is this?"), {"kind": "image", "media_type": "image/png", "data": PNG}],
            "complete",
        ),
        ("assistant", "A red dot.", [_text("A red dot.")], "complete"),
    ],
    "file": [
        (
            "user",
            "Summarise it.",
            [
                _text("Summarise it."),
                {
                    "kind": "file",
                    "name": "notes.txt",
                    "media_type": "text/plain",
                    "text": "hi from the file",
                },
            ],
            "complete",
        ),
        ("assistant", "It says hi.", [_text("It says hi.")], "complete"),
    ],
    "thinking": [
        ("user", "Earlier question", [_text("Earlier question")], "complete"),
        (
            "assistant",
            "Blue.",
            [{"kind": "thinking", "text": "SECRET-THOUGHT", "duration_ms": 900}, _text("Blue.")],
            "complete",
        ),
    ],
    "system_prompt": [],
}
SYSTEM = "Answer like a pirate."


async def _append(settings: Settings, conv_id: int, rows: list[Row]) -> None:
    """Add `rows` under the conversation's active leaf, as the chat store chains them."""
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            conv = (
                await session.execute(select(Conversation).where(Conversation.id == conv_id))
            ).scalar_one()
            leaf = conv.active_leaf_id
            for role, content, parts, status in rows:
                msg = Message(conversation_id=conv_id, parent_id=leaf, role=role,
                              content=content, parts=parts, status=status,
                              provider="claude", model="claude-sonnet-4-6")  # fmt: skip
                session.add(msg)
                await session.flush()
                leaf = msg.id
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conv_id)
                .values(active_leaf_id=leaf, system_prompt=conv.system_prompt)
            )
            await session.commit()
    finally:
        await engine.dispose()


async def _conversation(m: Matrix, http: httpx.AsyncClient, t: Target, kind: str) -> int:
    r = await http.post(
        "/api/chat",
        json={"provider": t.provider_id, "model": t.model, "content": "First question"},
        headers=m.headers,
    )
    assert r.status_code == 200, r.text
    conv_id = int(r.json()["conversation_id"])
    await _append(m.settings, conv_id, EARLIER[kind])
    if kind == "system_prompt":
        r = await http.put(
            f"/api/conversations/{conv_id}", json={"system_prompt": SYSTEM}, headers=m.headers
        )
        assert r.status_code == 200, r.text
    return conv_id


# -- what the provider must receive -------------------------------------------------------------


def _expect(kind: str, t: Target, body: Any) -> None:
    wire = t.harness.wire
    turns = [(role, text) for role, text in wire.turns(body) if role != "system"]
    texts = [text for _, text in turns]
    assert all(s.strip() for s in texts_in(body)), f"blank text sent: {texts_in(body)}"
    last_role, last_text = turns[-1]
    assert last_role == "user" and NEXT in last_text
    assert "First question" in texts[0] and any(ANSWER in s for s in texts)
    if kind in ("failed_empty", "interrupted"):  # the empty answer is left out, turns merged
        assert "Earlier question" in last_text
        assert sum(1 for role, _ in turns if role == "assistant") == 1
    if kind == "stopped_partial":
        assert ("assistant", "Partial answer") in turns
    if kind == "tool_with_result":
        assert wire.tool_calls(body) == [("get_weather", {"city": "Oslo"})]
        assert wire.tool_results(body) == ["Sunny, 21 °C"]
        assert "It is sunny in Oslo." in texts
    if kind == "tool_without_result":  # paired with a result saying it did not run
        assert wire.tool_calls(body) == [("get_weather", {"city": "Oslo"})]
        assert wire.tool_results(body) == [NOT_RUN]
    if kind == "image":
        assert wire.images(body) == [("image/png", PNG)]
    if kind == "file":
        assert any('<document name="notes.txt"' in s and "hi from the file" in s for s in texts)
    if kind == "thinking":
        assert "SECRET-THOUGHT" not in json.dumps(body) and "Blue." in texts
    if kind == "system_prompt":
        assert wire.system(body) == SYSTEM and not any(SYSTEM in s for s in texts)


@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize("kind", list(EARLIER))
async def test_the_next_turn_after_each_kind_of_turn_is_answered(
    matrix: Matrix, kind: str, provider: str
) -> None:
    target = matrix.targets[provider]
    async with httpx.AsyncClient(base_url=matrix.url, timeout=30) as http:
        conv_id = await _conversation(matrix, http, target, kind)
        target.fake.state.requests.clear()
        r = await http.post(
            "/api/chat",
            json={"conversation_id": conv_id, "provider": target.provider_id,
                  "model": target.model, "content": NEXT},
            headers=matrix.headers,
        )  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["content"]) == ("complete", ANSWER)
    (body,) = chat_requests(target.fake)
    _expect(kind, target, body)


TEXT_ONLY = {"openai": "o3-mini", "mistral": "open-mistral-7b", "ollama": "llama3.2:latest",
             "openrouter": "meta-llama/llama-3.1-8b-instruct"}  # fmt: skip


@pytest.mark.parametrize(("provider", "text_only"), list(TEXT_ONLY.items()))
async def test_an_image_in_the_history_to_a_text_only_model_is_a_clear_400(
    matrix: Matrix, provider: str, text_only: str
) -> None:
    target = matrix.targets[provider]
    async with httpx.AsyncClient(base_url=matrix.url, timeout=30) as http:
        conv_id = await _conversation(matrix, http, target, "image")
        target.fake.state.requests.clear()
        r = await http.post(
            "/api/chat",
            json={"conversation_id": conv_id, "provider": target.provider_id,
                  "model": text_only, "content": NEXT},
            headers=matrix.headers,
        )  # fmt: skip
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "capability_unsupported"
    assert "cannot read images" in r.json()["error"]["message"]
    assert chat_requests(target.fake) == []
