"""Visible thinking end to end through a real server and the providers' wire-faithful fakes:
the stream, the saved message, the conversation's toggle, history, stop, export, models."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.anthropic import DEFAULT_MODELS, FakeAnthropic
from tests.fakes.script import Reply
from tests.fakes.server import FakeServer
from tests.helpers import register
from tests.integration.chat_helpers import (
    SSE,
    LiveServer,
    chat_requests,
    chat_settings,
    fake_for,
    iter_sse,
    provider_overrides,
    read_sse,
    texts_in,
)

pytestmark = pytest.mark.db

CLAUDE = "claude-sonnet-4-6"
THOUGHT = "The user wants the capital of France.\n\nThat is Paris, no doubt about it."


@dataclass
class World:
    fakes: dict[str, FakeServer]
    http: httpx.AsyncClient
    headers: dict[str, str]


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    with ExitStack() as stack:
        names = ("claude", "gemini", "mistral", "openai", "ollama")
        fakes = {p: stack.enter_context(fake_for(p)) for p in names}
        server = LiveServer(chat_settings(settings, **provider_overrides(fakes))).start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                yield World(fakes, http, await register(http, "alice"))
        finally:
            server.stop()


async def _stream(world: World, body: dict[str, Any]) -> SSE:
    r, sse = await read_sse(
        world.http, "POST", "/api/chat/stream", json=body, headers=world.headers
    )
    assert r.status_code == 200, r.text
    return sse


async def _conversation(world: World, conv_id: int) -> dict[str, Any]:
    r = await world.http.get(f"/api/conversations/{conv_id}", headers=world.headers)
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def _thinking_text(sse: SSE) -> str:
    return "".join(d["text"] for d in sse.of("thinking"))


def _keys(node: Any) -> set[str]:
    """Every key of every object in a request body (where a thinking parameter would be)."""
    if isinstance(node, dict):
        return set(node).union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node))
    return set()


# The thinking-token budget the Claude adapter asks per effort (budget form).
_BUDGET_EFFORT = {2048: "low", 8192: "medium", 24576: "high"}


def claude_effort(body: dict[str, Any]) -> str | None:
    """The effort a Claude request asked for, in either of Anthropic's forms: adaptive
    (`output_config.effort`) or a thinking budget; None when it did not ask to think. The
    adapter picks the form per model (provider tests cover that); here what matters is that
    the conversation's effort reached the provider."""
    thinking = body.get("thinking")
    if not isinstance(thinking, dict):
        return None
    if thinking.get("type") == "adaptive":
        return str(body.get("output_config", {}).get("effort"))
    if thinking.get("type") == "enabled":
        return _BUDGET_EFFORT.get(thinking.get("budget_tokens"), "unknown budget")
    return None


def _thinking_params(body: Any) -> set[str]:
    return {k for k in _keys(body) if "think" in k.lower() or "reason" in k.lower()}


async def test_thinking_streams_first_is_saved_apart_and_never_goes_back_upstream(
    world: World,
) -> None:
    claude = world.fakes["claude"]
    claude.queue(Reply(text="Paris.", thinking=THOUGHT, thinking_chunks=4))
    sse = await _stream(
        world, {"model": CLAUDE, "content": "Capital of France?", "reasoning": "medium"}
    )

    # The reasoning streams as `thinking` events, all before the answer's first `delta`.
    names = sse.names
    assert names.count("thinking") == 4
    assert max(i for i, n in enumerate(names) if n == "thinking") < names.index("delta")
    assert _thinking_text(sse) == THOUGHT and sse.text == "Paris."
    assert claude_effort(chat_requests(claude)[-1]) == "medium"

    conv_id = sse.first("start")["conversation_id"]
    conv = await _conversation(world, conv_id)
    assert conv["params"]["reasoning"] == "medium"
    answer = conv["messages"][-1]
    assert answer["content"] == "Paris." and answer["status"] == "complete"
    thinking, text = answer["parts"]
    assert thinking["kind"] == "thinking" and thinking["text"] == THOUGHT
    assert isinstance(thinking["duration_ms"], int) and thinking["duration_ms"] >= 0
    assert text == {"v": 1, "kind": "text", "text": "Paris."}

    # The next turn does not re-send the toggle: the conversation's saved one applies. The
    # history it sends holds the answer's text, never its thinking.
    claude.queue(Reply(text="Lyon.", thinking="Second city: Lyon."))
    sse = await _stream(
        world, {"model": CLAUDE, "content": "And the second city?", "conversation_id": conv_id}
    )
    assert _thinking_text(sse) == "Second city: Lyon." and sse.text == "Lyon."
    sent = chat_requests(claude)[-1]
    assert claude_effort(sent) == "medium"
    assert texts_in(sent) == ["Capital of France?", "Paris.", "And the second city?"]
    blocks = [b for m in sent["messages"] if isinstance(m["content"], list) for b in m["content"]]
    assert all(b.get("type") not in ("thinking", "redacted_thinking") for b in blocks)
    assert THOUGHT not in str(sent)

    # Switched off: saved as "off", nothing asked upstream, nothing thought.
    claude.queue(Reply(text="Marseille.", thinking="never shown"))
    sse = await _stream(
        world,
        {"model": CLAUDE, "content": "Third?", "conversation_id": conv_id, "reasoning": "off"},
    )
    assert sse.of("thinking") == [] and sse.text == "Marseille."
    assert _thinking_params(chat_requests(claude)[-1]) == set()
    conv = await _conversation(world, conv_id)
    assert conv["params"]["reasoning"] == "off"
    assert [p["kind"] for p in conv["messages"][-1]["parts"]] == ["text"]

    # The JSON endpoint returns the thinking beside the answer.
    claude.queue(Reply(text="Toulouse.", thinking="Fourth: Toulouse."))
    r = await world.http.post(
        "/api/chat",
        json={
            "model": CLAUDE,
            "content": "Fourth?",
            "conversation_id": conv_id,
            "reasoning": "low",
        },
        headers=world.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["thinking"] == "Fourth: Toulouse." and r.json()["content"] == "Toulouse."
    assert claude_effort(chat_requests(claude)[-1]) == "low"

    # Re-attaching to a finished answer replays its thinking before its text (from memory
    # here; test_chat_recovery covers the replay rebuilt from the saved message).
    first_answer = conv["messages"][1]["id"]
    _, replay = await read_sse(
        world.http, "GET", f"/api/chat/{first_answer}/stream", headers=world.headers
    )
    assert replay.names[:2] == ["start", "thinking"]
    assert replay.names.index("delta") > max(
        i for i, n in enumerate(replay.names) if n == "thinking"
    )
    assert _thinking_text(replay) == THOUGHT and replay.text == "Paris."

    # Export: the Markdown quotes the thinking under the model heading; JSON keeps the part.
    r = await world.http.get(f"/api/conversations/{conv_id}/export", headers=world.headers)
    md = r.text
    assert "## Claude Sonnet 4.6 (`claude-sonnet-4-6`, claude)\n\n> **Thinking**\n>\n" in md
    assert "> The user wants the capital of France.\n>\n> That is Paris" in md
    assert md.index("> **Thinking**") < md.index("Paris.\n")
    assert md.count("> **Thinking**") == 3  # not for the answer that did not think
    r = await world.http.get(
        f"/api/conversations/{conv_id}/export?format=json", headers=world.headers
    )
    exported = r.json()["messages"][1]
    assert exported["parts"][0] == thinking and exported["content"] == "Paris."

    # The conversation settings set it too (and refuse what a chat request would refuse).
    url = f"/api/conversations/{conv_id}"
    bad = await world.http.put(url, json={"params": {"reasoning": "max"}}, headers=world.headers)
    assert bad.status_code == 422
    r = await world.http.put(url, json={"params": {"reasoning": "high"}}, headers=world.headers)
    assert r.status_code == 200 and r.json()["params"] == {"reasoning": "high"}
    claude.queue(Reply(text="Nice.", thinking="Fifth: Nice."))
    sse = await _stream(world, {"model": CLAUDE, "content": "Fifth?", "conversation_id": conv_id})
    assert _thinking_text(sse) == "Fifth: Nice."
    assert claude_effort(chat_requests(claude)[-1]) == "high"


@pytest.mark.parametrize("model,provider", [("gemini-2.0-flash", "gemini"),
                                            ("mistral-small-latest", "mistral"),
                                            ("gpt-4o-mini", "openai"),
                                            ("llama3.2:latest", "ollama")])  # fmt: skip
async def test_thinking_on_with_a_model_that_cannot_think_just_answers(
    world: World, model: str, provider: str
) -> None:
    fake = world.fakes[provider]
    fake.queue(Reply(text="Bonjour !"))
    sse = await _stream(world, {"model": model, "content": "Salut", "reasoning": "high"})
    assert sse.first("done")["status"] == "complete" and sse.text == "Bonjour !"
    assert sse.of("thinking") == [] and sse.of("error") == []
    assert _thinking_params(chat_requests(fake)[-1]) == set()
    conv_id = sse.first("start")["conversation_id"]
    conv = await _conversation(world, conv_id)
    # The choice stays saved: switching this conversation to a model that thinks uses it.
    assert conv["params"]["reasoning"] == "high"
    assert [p["kind"] for p in conv["messages"][-1]["parts"]] == ["text"]
    world.fakes["claude"].queue(Reply(text="Hello!", thinking="They greeted me in French."))
    sse = await _stream(
        world, {"model": CLAUDE, "content": "In English?", "conversation_id": conv_id}
    )
    assert _thinking_text(sse) == "They greeted me in French." and sse.text == "Hello!"
    assert claude_effort(chat_requests(world.fakes["claude"])[-1]) == "high"


async def test_a_claude_model_that_cannot_think_gets_no_thinking_parameter(
    settings: Settings,
) -> None:
    """The adapter sends Claude's `thinking` whenever asked; the chat layer asks only models
    known to think (here Claude 3 Haiku, seen only in the live list)."""
    old = ("claude-3-haiku-20240307", "Claude Haiku 3", "active", 200000, 4096)
    fake = FakeAnthropic(models=(*DEFAULT_MODELS, old))
    with fake:
        server = LiveServer(chat_settings(settings, **provider_overrides({"claude": fake})))
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                world = World({"claude": fake}, http, await register(http, "alice"))
                models = (await http.get("/api/models", headers=world.headers)).json()["models"]
                caps = {m["id"]: m["capabilities"]["reasoning"] for m in models}
                assert caps[old[0]] is False and caps[CLAUDE] is True
                fake.queue(Reply(text="Hi!", thinking="not asked for"))
                sse = await _stream(world, {"model": old[0], "content": "Hi", "reasoning": "high"})
                assert sse.text == "Hi!" and sse.of("thinking") == []
                assert sse.first("done")["status"] == "complete"
                assert _thinking_params(chat_requests(fake)[-1]) == set()
        finally:
            server.stop()


async def test_a_stop_mid_thought_keeps_what_was_thought(world: World) -> None:
    pieces = [f"step {i}, " for i in range(40)]
    world.fakes["claude"].queue(
        Reply(text="never reached", thinking="".join(pieces), thinking_chunks=40, chunk_delay_s=0.1)
    )
    seen = SSE()
    async with world.http.stream(
        "POST",
        "/api/chat/stream",
        json={"model": CLAUDE, "content": "Count slowly", "reasoning": "high"},
        headers=world.headers,
    ) as response:
        events = iter_sse(response)
        while len(seen.of("thinking")) < 3:
            seen.events.append(await asyncio.wait_for(anext(events), 10))
        start = seen.first("start")
        msg_id = start["assistant_message_id"]

        # A reader of the conversation (a reload) sees the thinking so far.
        live = (await _conversation(world, start["conversation_id"]))["messages"][-1]
        assert live["status"] == "streaming" and live["content"] == ""
        assert live["parts"][0]["kind"] == "thinking"
        assert live["parts"][0]["text"].startswith("step 0, step 1, step 2, ")
        assert live["parts"][0]["duration_ms"] is None  # still thinking

        stop = await world.http.post(f"/api/chat/{msg_id}/stop", headers=world.headers)
        assert stop.status_code == 200 and stop.json()["status"] == "stopped"
        async for item in events:
            seen.events.append(item)

    assert seen.names[-1] == "done" and seen.first("done")["status"] == "stopped"
    assert seen.of("delta") == []
    thought = _thinking_text(seen)
    assert 0 < len(thought) < len("".join(pieces))
    saved = (await _conversation(world, start["conversation_id"]))["messages"][-1]
    assert saved["status"] == "stopped" and saved["content"] == ""
    assert len(saved["parts"]) == 1
    assert saved["parts"][0]["text"] == thought
    assert isinstance(saved["parts"][0]["duration_ms"], int)
    assert saved["parts"][0]["duration_ms"] >= 200  # thought for several 0.1 s pieces

    # The stopped answer's thinking never reaches a provider either.
    world.fakes["claude"].queue(Reply(text="Done."))
    sse = await _stream(
        world,
        {"model": CLAUDE, "content": "Just answer", "conversation_id": start["conversation_id"]},
    )
    assert sse.text == "Done."
    sent = chat_requests(world.fakes["claude"])[-1]
    assert "step 0" not in str(sent["messages"])
    assert "".join(texts_in(sent)) == "Count slowly\n\nJust answer"


async def test_models_api_says_which_models_can_think(world: World) -> None:
    r = await world.http.get("/api/models", headers=world.headers)
    assert r.status_code == 200
    caps = {(m["provider"], m["id"]): m["capabilities"] for m in r.json()["models"]}
    assert caps[("claude", CLAUDE)]["reasoning"] is True
    assert caps[("gemini", "gemini-2.0-flash")]["reasoning"] is False
    assert caps[("mistral", "mistral-small-latest")]["reasoning"] is False
    assert caps[("openai", "gpt-4o-mini")]["reasoning"] is False
    assert caps[("ollama", "llama3.2:latest")]["reasoning"] is False
    providers = (await world.http.get("/api/providers", headers=world.headers)).json()
    claude = next(p for p in providers if p["id"] == "claude")
    assert claude["capabilities"]["reasoning"] is True


def test_helpers_find_thinking_parameters() -> None:
    """The absence checks above can fail: a thinking parameter anywhere is found."""
    assert _thinking_params({"thinking": {"type": "enabled"}}) == {"thinking"}
    assert _thinking_params({"generationConfig": {"thinkingConfig": {}}}) == {"thinkingConfig"}
    assert _thinking_params({"reasoning_effort": "high"}) == {"reasoning_effort"}
    assert claude_effort({"thinking": {"type": "enabled", "budget_tokens": 2048}}) == "low"
    adaptive = {"thinking": {"type": "adaptive"}, "output_config": {"effort": "high"}}
    assert claude_effort(adaptive) == "high"
    assert claude_effort({"max_tokens": 10}) is None
    assert _thinking_params({"messages": [{"role": "user", "content": "hi"}]}) == set()
