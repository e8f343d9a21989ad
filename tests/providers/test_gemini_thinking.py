"""Gemini thinking beyond the shared contract: the SDK reads the fake's thought parts, Gemini 3
takes levels instead of budgets, models that cannot think get no thinking config, and the live
list's `thinking` flag marks the models that can."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from google import genai
from google.genai import types

from polychat.providers.base import ChatRequest, Message, ProviderConfig, ThinkingDelta
from polychat.providers.gemini import GeminiProvider, thinks
from tests.fakes.gemini import FakeGemini
from tests.fakes.script import Reply
from tests.providers.test_contract import collect, text_of

THOUGHT = "**Weighing the question** The sky scatters blue light the most."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGemini]:
    with FakeGemini() as server:
        yield server


@pytest.fixture
async def gemini(fake: FakeGemini) -> AsyncIterator[GeminiProvider]:
    fake.state.reset()
    provider = GeminiProvider(ProviderConfig(api_key="test-key", base_url=fake.url))
    yield provider
    await provider.aclose()


def thinking_sent(fake: FakeGemini) -> dict[str, object] | None:
    config = fake.requests[-1].body.get("generationConfig") or {}
    sent = config.get("thinkingConfig")
    return sent if isinstance(sent, dict) else None


async def test_the_sdk_reads_thought_parts_apart_from_the_answer(fake: FakeGemini) -> None:
    fake.state.reset()
    fake.queue(Reply(text="Blue.", thinking=THOUGHT, thinking_chunks=2))
    client = genai.Client(
        api_key="test-key", http_options={"base_url": fake.url + "/", "api_version": "v1beta"}
    )
    config = types.GenerateContentConfig(
        thinking_config=types.ThinkingConfig(include_thoughts=True, thinking_budget=1024)
    )
    chunks = [
        c
        async for c in await client.aio.models.generate_content_stream(
            model="gemini-2.5-flash", contents="Why is the sky blue?", config=config
        )
    ]
    parts = [p for c in chunks for p in (c.candidates or [])[0].content.parts or []]  # type: ignore[union-attr]
    assert "".join(p.text or "" for p in parts if p.thought) == THOUGHT
    assert "".join(p.text or "" for p in parts if not p.thought) == "Blue."
    usage = chunks[-1].usage_metadata
    assert usage is not None and usage.thoughts_token_count == len(THOUGHT) // 4


async def test_gemini_3_gets_a_level_and_medium_asks_for_high(
    fake: FakeGemini, gemini: GeminiProvider
) -> None:
    fake.queue(Reply(text="Blue.", thinking=THOUGHT))
    request = ChatRequest(
        model="gemini-3-pro-preview", messages=(Message.user("Sky?"),), reasoning="medium"
    )
    events = await collect(gemini.stream_message(request))
    sent = thinking_sent(fake)
    assert sent is not None
    assert sent.get("thinking_level", sent.get("thinkingLevel")) == "HIGH"
    assert "thinking_budget" not in sent and "thinkingBudget" not in sent
    assert "".join(e.text for e in events if isinstance(e, ThinkingDelta)) == THOUGHT
    assert text_of(events) == "Blue."


async def test_a_model_that_cannot_think_gets_no_thinking_config(
    fake: FakeGemini, gemini: GeminiProvider
) -> None:
    fake.queue(Reply(text="Blue."))
    request = ChatRequest(
        model="gemini-2.0-flash", messages=(Message.user("Sky?"),), reasoning="high"
    )
    events = await collect(gemini.stream_message(request))
    assert text_of(events) == "Blue."  # the fake refuses thinking for 2.0, as the API does
    assert thinking_sent(fake) is None


async def test_thoughts_stay_hidden_without_reasoning(
    fake: FakeGemini, gemini: GeminiProvider
) -> None:
    fake.queue(Reply(text="Blue.", thinking=THOUGHT))
    request = ChatRequest(model="gemini-2.5-pro", messages=(Message.user("Sky?"),))
    events = await collect(gemini.stream_message(request))
    assert not any(isinstance(e, ThinkingDelta) for e in events)
    assert thinking_sent(fake) is None


async def test_live_list_marks_thinking_models(gemini: GeminiProvider) -> None:
    models = {m.id: m for m in await gemini.get_models()}
    assert models["gemini-3-flash-preview"].reasoning  # not in the catalog: the API's flag
    assert models["gemini-2.5-pro"].reasoning
    assert not models["gemini-2.0-flash"].reasoning
    assert not models["gemma-3-27b-it"].reasoning


def test_id_rule() -> None:
    assert thinks("gemini-2.5-flash-lite") and thinks("gemini-3-pro-preview")
    assert not thinks("gemini-2.0-flash") and not thinks("gemma-3-27b-it")
