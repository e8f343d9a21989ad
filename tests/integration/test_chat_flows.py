"""Flows across providers: model switches, validation, failover, isolation, titles."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from polychat.config import Settings
from tests.fakes.script import Failure, Reply
from tests.fakes.server import FakeServer
from tests.helpers import register
from tests.integration.chat_helpers import (
    PROVIDERS,
    LiveServer,
    available_providers,
    chat_requests,
    chat_settings,
    fake_for,
    iter_sse,
    provider_overrides,
    read_sse,
    texts_in,
    wait_for,
)

pytestmark = pytest.mark.db


@dataclass
class World:
    fakes: dict[str, FakeServer]
    server: LiveServer
    http: httpx.AsyncClient
    headers: dict[str, str]


@pytest.fixture
def fakes() -> Iterator[dict[str, FakeServer]]:
    with ExitStack() as stack:
        yield {p: stack.enter_context(fake_for(p)) for p in available_providers()}


async def _world(settings: Settings, fakes: dict[str, FakeServer], **extra: object) -> World:
    server = LiveServer(chat_settings(settings, **provider_overrides(fakes), **extra)).start()
    http = httpx.AsyncClient(base_url=server.url, timeout=30)
    return World(fakes, server, http, await register(http, "alice"))


@pytest.fixture
async def world(settings: Settings, fakes: dict[str, FakeServer]) -> AsyncIterator[World]:
    w = await _world(settings, fakes)
    try:
        yield w
    finally:
        await w.http.aclose()
        w.server.stop()


async def test_switching_model_mid_conversation_keeps_the_whole_history(world: World) -> None:
    order = available_providers()
    conv_id = None
    said: list[str] = []
    for i, provider in enumerate(order):
        model = PROVIDERS[provider][2]
        world.fakes[provider].queue(Reply(text=f"{provider} answers {i}"))
        body: dict[str, object] = {"model": model, "content": f"question {i}"}
        if conv_id is not None:
            body["conversation_id"] = conv_id
        r, sse = await read_sse(
            world.http, "POST", "/api/chat/stream", json=body, headers=world.headers
        )
        assert r.status_code == 200
        conv_id = sse.first("start")["conversation_id"]
        assert sse.first("done")["provider"] == provider
        said += [f"question {i}", f"{provider} answers {i}"]
        # This provider received every earlier turn, whoever wrote it.
        assert texts_in(chat_requests(world.fakes[provider])[-1]) == said[:-1]
    conv = (await world.http.get(f"/api/conversations/{conv_id}", headers=world.headers)).json()
    assert [m["content"] for m in conv["messages"]] == said
    answers = [m for m in conv["messages"] if m["role"] == "assistant"]
    assert [m["provider"] for m in answers] == order
    assert conv["provider"] == order[-1]


async def test_bad_requests_get_clear_4xx_errors(world: World) -> None:
    async def post(body: dict[str, object]) -> httpx.Response:
        return await world.http.post("/api/chat/stream", json=body, headers=world.headers)

    r = await post({"model": "no-such-model-anywhere", "content": "hi"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_model"
    r = await post({"model": "claude-sonnet-4-6", "content": "hi", "temperature": 7})
    assert r.status_code == 422 and "temperature" in r.json()["error"]["message"]
    r = await post({"model": "claude-sonnet-4-6", "content": "   "})
    assert r.status_code == 400 and r.json()["error"]["code"] == "empty_message"
    r = await post({"model": "claude-sonnet-4-6"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "empty_message"
    r = await post({"model": "claude-sonnet-4-6", "content": "hi", "conversation_id": 999})
    assert r.status_code == 404
    image = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 32).decode()
    r = await post(
        {
            "model": "codestral-latest",
            "content": "what is this?",
            "attachments": [{"media_type": "image/png", "data": image}],
        }
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "capability_unsupported"
    # Nothing was sent upstream for any of them.
    assert all(not chat_requests(f) for f in world.fakes.values())


async def test_provider_not_configured_is_refused(
    settings: Settings, fakes: dict[str, FakeServer]
) -> None:
    only_claude = {"claude": fakes["claude"]}
    w = await _world(settings, only_claude)
    try:
        r = await w.http.post(
            "/api/chat",
            json={"model": "mistral-small-latest", "content": "hi"},
            headers=w.headers,
        )
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "provider_not_configured"
        assert "MISTRAL_API_KEY" in r.json()["error"]["message"]
    finally:
        await w.http.aclose()
        w.server.stop()


async def test_failover_takes_over_only_before_the_first_token(world: World) -> None:
    claude, mistral = world.fakes["claude"], world.fakes["mistral"]
    claude.queue(*[Reply(failure=Failure.SERVER_ERROR) for _ in range(3)])
    mistral.queue(Reply(text="mistral saved the day", chunks=3))
    body = {
        "model": "claude-sonnet-4-6",
        "content": "hello?",
        "failover": [{"provider": "mistral", "model": "mistral-small-latest"}],
    }
    r, sse = await read_sse(
        world.http, "POST", "/api/chat/stream", json=body, headers=world.headers
    )
    assert r.status_code == 200
    assert sse.first("start")["provider"] == "claude"
    assert sse.first("failover")["provider"] == "mistral"
    assert sse.first("done")["provider"] == "mistral" and sse.first("done")["status"] == "complete"
    assert sse.text == "mistral saved the day"
    assert len(chat_requests(claude)) == 3  # the first try and two retries, all before any text
    conv_id = sse.first("start")["conversation_id"]
    conv = (await world.http.get(f"/api/conversations/{conv_id}", headers=world.headers)).json()
    assert conv["failover"] == [{"provider": "mistral", "model": "mistral-small-latest"}]
    assert conv["messages"][-1]["provider"] == "mistral"

    # Once text has streamed, a failure is that provider's answer: no failover, no retry.
    claude.queue(Reply(text="half of it", chunks=2, failure=Failure.CUT_MID_STREAM))
    before = len(chat_requests(mistral))
    r, sse = await read_sse(
        world.http,
        "POST",
        "/api/chat/stream",
        json={"model": "claude-sonnet-4-6", "content": "again", "conversation_id": conv_id},
        headers=world.headers,
    )
    assert sse.first("done")["status"] == "error" and sse.first("done")["provider"] == "claude"
    assert sse.text == "half "
    assert len(chat_requests(mistral)) == before


async def test_a_key_refused_while_chatting_turns_its_provider_red(world: World) -> None:
    claude, mistral = world.fakes["claude"], world.fakes["mistral"]

    async def status(provider: str) -> dict[str, Any]:
        r = await world.http.get(f"/api/providers/{provider}/status", headers=world.headers)
        result: dict[str, Any] = r.json()
        return result

    assert (await status("claude"))["status"] != "error"
    claude.queue(Reply(failure=Failure.BAD_KEY))
    mistral.queue(Reply(text="covered for claude", chunks=2))
    body = {
        "model": "claude-sonnet-4-6",
        "content": "hello?",
        "failover": [{"provider": "mistral", "model": "mistral-small-latest"}],
    }
    _, sse = await read_sse(
        world.http, "POST", "/api/chat/stream", json=body, headers=world.headers
    )
    # The answer came from the failover, and the refused key still shows on Claude's card.
    assert sse.first("failover")["code"] == "auth_failed"
    assert sse.text == "covered for claude"
    claude_status = await status("claude")
    assert claude_status["status"] == "error" and claude_status["last_test"]["success"] is False
    assert claude_status["message"]
    assert (await status("mistral"))["status"] != "error"


async def test_a_hanging_provider_does_not_slow_another(world: World) -> None:
    claude, mistral = world.fakes["claude"], world.fakes["mistral"]
    claude.queue(Reply(failure=Failure.SLOW_FIRST_BYTE, first_byte_delay_s=30))
    mistral.state.default_reply = Reply(text="quick " * 8, chunks=8)

    async with world.http.stream(
        "POST",
        "/api/chat/stream",
        json={"model": "claude-sonnet-4-6", "content": "hang"},
        headers=world.headers,
    ) as hanging:
        start = (await anext(iter_sse(hanging)))[1]
        t0 = time.monotonic()
        results = await asyncio.gather(
            *(
                read_sse(
                    world.http,
                    "POST",
                    "/api/chat/stream",
                    json={"model": "mistral-small-latest", "content": f"q{i}"},
                    headers=world.headers,
                )
                for i in range(8)
            )
        )
        elapsed = time.monotonic() - t0
        assert all(sse.first("done")["status"] == "complete" for _, sse in results)
        assert elapsed < 5, elapsed
        stop = await world.http.post(
            f"/api/chat/{start['assistant_message_id']}/stop", headers=world.headers
        )
        assert stop.json()["status"] == "stopped"


async def test_title_is_generated_after_the_first_exchange(
    settings: Settings, fakes: dict[str, FakeServer]
) -> None:
    w = await _world(settings, fakes, chat_titles="generate")
    try:
        claude = w.fakes["claude"]
        claude.queue(Reply(text="Sourdough needs a starter."), Reply(text='"Sourdough Basics."'))
        r = await w.http.post(
            "/api/chat",
            json={"model": "claude-sonnet-4-6", "content": "How do I bake sourdough bread?"},
            headers=w.headers,
        )
        assert r.status_code == 200
        conv_id = r.json()["conversation_id"]

        async def titled() -> bool:
            got = await w.http.get(f"/api/conversations/{conv_id}", headers=w.headers)
            return bool(got.json()["title"] == "Sourdough Basics")

        await wait_for(titled, limit_s=10)
        # Written by the same provider's cheap model, not by the one that answered.
        assert chat_requests(claude)[-1]["model"] == "claude-haiku-4-5"
        # The title request is paid for too, so the month's usage counts it.
        usage = await w.http.get("/api/users/usage?group_by=model", headers=w.headers)
        by_model = {b["key"]: b for b in usage.json()["items"]}
        assert by_model["claude-sonnet-4-6"]["requests"] == 1
        assert by_model["claude-haiku-4-5"]["requests"] == 1
        assert by_model["claude-haiku-4-5"]["input_tokens"] > 0
        # A provider that cannot write the title leaves the first words instead.
        claude.queue(Reply(text="ok"), Reply(failure=Failure.BAD_KEY))
        r = await w.http.post(
            "/api/chat",
            json={"model": "claude-sonnet-4-6", "content": "Plan a three day trip to Lyon please"},
            headers=w.headers,
        )
        conv2 = r.json()["conversation_id"]

        async def fallback() -> bool:
            got = await w.http.get(f"/api/conversations/{conv2}", headers=w.headers)
            return bool(got.json()["title"] == "Plan a three day trip to…")

        await wait_for(fallback, limit_s=10)
    finally:
        await w.http.aclose()
        w.server.stop()


async def test_an_image_reaches_a_vision_model_and_stays_in_the_history(world: World) -> None:
    image = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
    claude = world.fakes["claude"]
    claude.queue(Reply(text="A tiny black square."), Reply(text="Yes."))
    r = await world.http.post(
        "/api/chat",
        json={
            "model": "claude-sonnet-4-6",
            "content": "What is this?",
            "attachments": [{"media_type": "image/png", "data": image}],
        },
        headers=world.headers,
    )
    assert r.status_code == 200, r.text
    sent = chat_requests(claude)[-1]["messages"][0]["content"]
    assert {"type": "text", "text": "What is this?"} in sent
    assert any(b.get("type") == "image" and b["source"]["data"] == image for b in sent)
    conv_id = r.json()["conversation_id"]
    conv = (await world.http.get(f"/api/conversations/{conv_id}", headers=world.headers)).json()
    assert [p["kind"] for p in conv["messages"][0]["parts"]] == ["text", "image"]
    # The next turn sends the image again with the history.
    r = await world.http.post(
        "/api/chat",
        json={"model": "claude-sonnet-4-6", "content": "Sure?", "conversation_id": conv_id},
        headers=world.headers,
    )
    assert r.status_code == 200
    first_turn = chat_requests(claude)[-1]["messages"][0]["content"]
    assert any(b.get("type") == "image" for b in first_turn)
    # A page that starts after the image says the branch before it holds one.
    url = f"/api/conversations/{conv_id}"
    newest = (await world.http.get(f"{url}?limit=2", headers=world.headers)).json()
    whole = (await world.http.get(f"{url}?limit=4", headers=world.headers)).json()
    assert newest["has_more"] is True and newest["images_before"] is True
    assert whole["has_more"] is False and whole["images_before"] is False
    # A text-only model refuses that history up front instead of failing upstream.
    r = await world.http.post(
        "/api/chat",
        json={"model": "codestral-latest", "content": "And you?", "conversation_id": conv_id},
        headers=world.headers,
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "capability_unsupported"


async def test_custom_instructions_become_the_system_prompt_of_new_chats_only(
    world: World,
) -> None:
    claude = world.fakes["claude"]
    claude.queue(Reply(text="Hello."), Reply(text="Bonjour."), Reply(text="Still French."))

    async def ask(content: str, conv_id: int | None = None) -> int:
        body: dict[str, object] = {"model": "claude-sonnet-4-6", "content": content}
        if conv_id is not None:
            body["conversation_id"] = conv_id
        r = await world.http.post("/api/chat", json=body, headers=world.headers)
        assert r.status_code == 200, r.text
        return int(r.json()["conversation_id"])

    # A chat started before the preference exists has no system prompt, now or later.
    before = await ask("Hi")
    assert "system" not in chat_requests(claude)[-1]

    instructions = "Answer in French. I am a chemist."
    r = await world.http.put(
        "/api/users/profile",
        json={"preferences": {"custom_instructions": f"  {instructions}\n"}},
        headers=world.headers,
    )
    assert r.status_code == 200, r.text

    after = await ask("Hello")
    assert chat_requests(claude)[-1]["system"] == instructions
    # It is the new conversation's own system prompt: a later turn keeps it...
    await ask("And then?", after)
    assert chat_requests(claude)[-1]["system"] == instructions
    conv = (await world.http.get(f"/api/conversations/{after}", headers=world.headers)).json()
    assert conv["system_prompt"] == instructions
    # ...and the older chat did not silently gain it.
    old = (await world.http.get(f"/api/conversations/{before}", headers=world.headers)).json()
    assert old["system_prompt"] is None

    # An explicit `system` wins over the preference.
    claude.queue(Reply(text="Ok."))
    r = await world.http.post(
        "/api/chat",
        json={"model": "claude-sonnet-4-6", "content": "Hey", "system": "Be terse."},
        headers=world.headers,
    )
    assert r.status_code == 200
    assert chat_requests(claude)[-1]["system"] == "Be terse."
