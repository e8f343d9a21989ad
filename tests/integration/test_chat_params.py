"""Conversation parameters a model refuses are never sent, end to end: a conversation with a
temperature and a top_p saved keeps answering when switched to an OpenAI reasoning model or a
thinking Claude model (the fakes refuse those fields with the real APIs' 400s), keeps its
settings for the next model that takes them, and `GET /api/models` says what each ignores."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
    LiveServer,
    chat_requests,
    chat_settings,
    fake_for,
    provider_overrides,
    read_sse,
)

pytestmark = pytest.mark.db

SAMPLING = ("temperature", "top_p", "top_k")


@dataclass
class World:
    fakes: dict[str, FakeServer]
    http: httpx.AsyncClient
    headers: dict[str, str]


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    with ExitStack() as stack:
        fakes = {p: stack.enter_context(fake_for(p)) for p in ("claude", "openai", "gemini")}
        server = LiveServer(chat_settings(settings, **provider_overrides(fakes))).start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                yield World(fakes, http, await register(http, "alice"))
        finally:
            server.stop()


async def _turn(world: World, provider: str, text: str, **body: Any) -> dict[str, Any]:
    """One answered turn; the body the provider's fake received (with the conversation's id
    under `conversation_id`, read from the stream's `start` event)."""
    world.fakes[provider].queue(Reply(text=text, thinking="Thinking it over."))
    r, sse = await read_sse(
        world.http, "POST", "/api/chat/stream", json=body, headers=world.headers
    )
    assert r.status_code == 200, r.text
    assert not sse.of("error"), sse.of("error")
    assert sse.text == text
    body_sent: dict[str, Any] = chat_requests(world.fakes[provider])[-1]
    return {**body_sent, "conversation_id": sse.first("start")["conversation_id"]}


async def test_a_conversation_with_sampling_set_switches_to_models_that_refuse_it(
    world: World,
) -> None:
    first = await _turn(
        world, "openai", "Hello.", model="gpt-4o", content="Hi",
        temperature=0.7, top_p=0.9, max_tokens=300,
    )  # fmt: skip
    assert (first["temperature"], first["top_p"], first["max_completion_tokens"]) == (0.7, 0.9, 300)
    conv_id = first["conversation_id"]

    # An OpenAI reasoning model: no temperature, no top_p, max_completion_tokens only.
    for model in ("o3-mini", "gpt-5"):
        sent = await _turn(world, "openai", f"{model} here.", model=model, content="Again",
                           conversation_id=conv_id, reasoning="low")  # fmt: skip
        assert not {"temperature", "top_p", "max_tokens"} & set(sent), sent
        assert sent["max_completion_tokens"] == 300

    # Claude, thinking: no temperature, top_p or top_k (the fake refuses them with thinking).
    sent = await _turn(world, "claude", "Claude here.", model="claude-sonnet-4-6",
                       content="And you?", conversation_id=conv_id, reasoning="high")  # fmt: skip
    assert sent["thinking"]["type"] == "adaptive"
    assert not set(SAMPLING) & set(sent)
    # Claude Opus 4.8 without thinking takes no sampling at all; Sonnet 4.5 one of the two.
    sent = await _turn(world, "claude", "Opus here.", model="claude-opus-4-8", content="Opus?",
                       conversation_id=conv_id, reasoning="off")  # fmt: skip
    assert "thinking" not in sent and not set(SAMPLING) & set(sent)
    sent = await _turn(world, "claude", "Sonnet here.", model="claude-sonnet-4-6",
                       content="Sonnet?", conversation_id=conv_id)  # fmt: skip
    assert sent["temperature"] == 0.7 and "top_p" not in sent

    # Nothing was lost: the settings are the conversation's, and the next model that takes
    # them gets them again.
    conv = (await world.http.get(f"/api/conversations/{conv_id}", headers=world.headers)).json()
    assert conv["params"]["temperature"] == 0.7 and conv["params"]["top_p"] == 0.9
    back = await _turn(world, "openai", "Back.", model="gpt-4o", content="Back",
                       conversation_id=conv_id)  # fmt: skip
    assert (back["temperature"], back["top_p"]) == (0.7, 0.9)


async def test_models_api_reports_what_each_model_ignores_and_why(world: World) -> None:
    r = await world.http.get("/api/models", headers=world.headers)
    assert r.status_code == 200
    ignored = {
        (m["provider"], m["id"]): {(i["param"], i["when"], i["code"]) for i in m["ignored_params"]}
        for m in r.json()["models"]
    }
    assert ignored[("openai", "gpt-5")] == {
        ("temperature", "always", "reasoning_model"), ("top_p", "always", "reasoning_model")
    }  # fmt: skip
    assert ignored[("openai", "gpt-4o")] == set()
    assert ignored[("claude", "claude-sonnet-4-6")] == {
        ("temperature", "thinking", "thinking"), ("top_p", "thinking", "thinking"),
        ("top_p", "temperature_set", "one_sampler"),
    }  # fmt: skip
    assert ignored[("claude", "claude-opus-4-8")] == {
        ("temperature", "always", "sampling_removed"), ("top_p", "always", "sampling_removed")
    }  # fmt: skip
    assert ignored[("gemini", "gemini-2.5-flash")] == set()
    o3 = next(m for m in r.json()["models"] if m["id"] == "o3-mini")
    reasons = {i["reason"] for i in o3["ignored_params"]}
    assert reasons == {
        "OpenAI's reasoning models only use their default sampling; this setting is not sent "
        "to them."
    }
