"""Magistral's thinking beyond the shared contract: the official SDK reads the fake's thinking
chunks, a content array is split into reasoning and answer in order, only reasoning models
think, and the live list's `capabilities.reasoning` marks them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from mistralai.client import Mistral

from polychat.providers._mistral_wire import content_events
from polychat.providers.base import (
    ChatRequest,
    Message,
    ProviderConfig,
    TextDelta,
    ThinkingDelta,
)
from polychat.providers.mistral import MistralProvider
from tests.fakes.mistral import FakeMistral
from tests.fakes.script import Reply
from tests.providers.test_contract import collect, text_of

THOUGHT = "Okay, the user says hello. I should greet them back."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeMistral]:
    with FakeMistral() as server:
        yield server


@pytest.fixture
async def mistral(fake: FakeMistral) -> AsyncIterator[MistralProvider]:
    fake.state.reset()
    provider = MistralProvider(ProviderConfig(api_key="test-key", base_url=fake.url))
    yield provider
    await provider.aclose()


async def test_the_sdk_reads_thinking_chunks(fake: FakeMistral) -> None:
    fake.state.reset()
    fake.queue(
        Reply(text="Hello!", thinking=THOUGHT, thinking_chunks=2),
        Reply(text="Hi.", thinking=THOUGHT),
    )
    client = Mistral(api_key="test-key", server_url=fake.url)
    stream = await client.chat.stream_async(
        model="magistral-medium-latest", messages=[{"role": "user", "content": "Hello"}]
    )
    contents = [e.data.choices[0].delta.content async for e in stream]
    thinking = [
        t.text
        for c in contents
        if isinstance(c, list)
        for chunk in c
        if chunk.type == "thinking"
        for t in chunk.thinking
    ]
    assert "".join(thinking) == THOUGHT
    assert "".join(c for c in contents if isinstance(c, str)) == "Hello!"
    done = await client.chat.complete_async(
        model="magistral-medium-latest", messages=[{"role": "user", "content": "Hello"}]
    )
    content = done.choices[0].message.content
    assert isinstance(content, list)
    assert [c.type for c in content] == ["thinking", "text"]


async def test_a_non_reasoning_model_never_thinks(
    fake: FakeMistral, mistral: MistralProvider
) -> None:
    fake.queue(Reply(text="Hello!", thinking=THOUGHT))
    request = ChatRequest(
        model="mistral-small-latest", messages=(Message.user("Hi"),), reasoning="high"
    )
    events = await collect(mistral.stream_message(request))
    assert text_of(events) == "Hello!"
    assert not any(isinstance(e, ThinkingDelta) for e in events)
    assert set(fake.requests[-1].body) == {"model", "messages", "stream"}  # nothing extra


async def test_magistral_thinks_even_without_reasoning(
    fake: FakeMistral, mistral: MistralProvider
) -> None:
    fake.queue(Reply(text="Hello!", thinking=THOUGHT))
    request = ChatRequest(model="magistral-medium-latest", messages=(Message.user("Hi"),))
    events = await collect(mistral.stream_message(request))
    assert "".join(e.text for e in events if isinstance(e, ThinkingDelta)) == THOUGHT
    assert text_of(events) == "Hello!"


def test_a_content_array_keeps_its_order() -> None:
    content = [
        {
            "type": "thinking",
            "thinking": [{"type": "text", "text": "Hmm, "}, {"type": "text", "text": "yes."}],
        },
        {"type": "text", "text": "Yes."},
        {"type": "thinking", "thinking": "bare string"},
        {"type": "image_url", "image_url": "ignored"},
        "not a chunk",
    ]
    assert content_events(content) == [
        ThinkingDelta("Hmm, yes."),
        TextDelta("Yes."),
        ThinkingDelta("bare string"),
    ]
    assert content_events("") == [] and content_events(None) == []


async def test_live_list_marks_reasoning_models(mistral: MistralProvider) -> None:
    models = {m.id: m for m in await mistral.get_models()}
    assert models["magistral-medium-latest"].reasoning
    assert models["magistral-small-2509"].reasoning  # not in the catalog: the API's flag
    assert not models["mistral-small-latest"].reasoning
