"""Reasoning in the Chat Completions family beyond the shared contract: which OpenAI models get
`reasoning_effort`, OpenRouter's `reasoning_details` never doubling the text, servers that send
both `reasoning` and `reasoning_content`, and the official SDK reading the fakes' fields."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from polychat.providers.base import (
    ChatRequest,
    Message,
    ProviderConfig,
    TextDelta,
    ThinkingDelta,
)
from polychat.providers.openai import OpenAIProvider
from polychat.providers.openai_wire import ChunkMapper, is_reasoning_model
from polychat.providers.openrouter import OpenRouterProvider
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.script import Reply
from tests.providers.test_contract import collect, text_of

THOUGHT = "The user asks for a haiku; count five, seven, five."


@pytest.fixture(scope="module")
def openai_fake() -> Iterator[FakeOpenAIChat]:
    with FakeOpenAIChat("openai") as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="module")
def router_fake() -> Iterator[FakeOpenAIChat]:
    with FakeOpenAIChat("openrouter") as server:
        yield server  # type: ignore[misc]


def ask(model: str) -> ChatRequest:
    return ChatRequest(model=model, messages=(Message.user("A haiku?"),), reasoning="high")


async def test_openai_sends_reasoning_effort_only_to_reasoning_models(
    openai_fake: FakeOpenAIChat,
) -> None:
    openai_fake.state.reset()
    provider = OpenAIProvider(ProviderConfig(api_key="test-key", base_url=f"{openai_fake.url}/v1"))
    try:
        openai_fake.queue(Reply(text="Old pond."), Reply(text="Frog jumps.", thinking=THOUGHT))
        plain = await collect(provider.stream_message(ask("gpt-4o")))
        assert "reasoning_effort" not in openai_fake.requests[-1].body  # gpt-4o would 400
        thought = await collect(provider.stream_message(ask("gpt-5")))
        assert openai_fake.requests[-1].body["reasoning_effort"] == "high"
        models = {m.id: m for m in await provider.get_models()}
    finally:
        await provider.aclose()
    assert text_of(plain) == "Old pond." and text_of(thought) == "Frog jumps."
    assert not any(isinstance(e, ThinkingDelta) for e in thought)  # hidden by the API
    assert models["gpt-5"].reasoning and models["o3-mini"].reasoning
    assert not models["gpt-4o"].reasoning


def test_which_openai_ids_reason() -> None:
    assert all(map(is_reasoning_model, ("o1", "o3", "o3-mini", "o4-mini-2025-04-16", "gpt-5")))
    assert is_reasoning_model("gpt-5-mini")
    assert not any(map(is_reasoning_model, ("gpt-4o", "gpt-4.1", "gpt-5-chat-latest", "omni")))


def test_the_openai_fake_refuses_reasoning_effort_for_other_models() -> None:
    fake = FakeOpenAIChat("openai")
    body = {"model": "gpt-4o", "messages": [], "reasoning_effort": "low"}
    assert "reasoning_effort" in str(fake.validate(body))
    assert fake.validate({**body, "model": "o3"}) is None
    assert "Invalid value" in str(fake.validate({**body, "model": "o3", "reasoning_effort": "x"}))


async def test_openrouter_reasoning_is_shown_once_and_can_be_excluded(
    router_fake: FakeOpenAIChat,
) -> None:
    router_fake.state.reset()
    router_fake.queue(Reply(text="Frog jumps.", thinking=THOUGHT))
    provider = OpenRouterProvider(
        ProviderConfig(api_key="test-key", base_url=f"{router_fake.url}/api/v1")
    )
    try:
        events = await collect(provider.stream_message(ask("anthropic/claude-sonnet-4.6")))
        live = {m.id: m for m in await provider._live_models()}
    finally:
        await provider.aclose()
    assert "".join(e.text for e in events if isinstance(e, ThinkingDelta)) == THOUGHT
    assert router_fake.requests[0].body["reasoning"] == {"effort": "high"}
    assert live["anthropic/claude-sonnet-4.6"].reasoning  # supported_parameters has it
    assert not live["openai/gpt-4o"].reasoning
    assert not router_fake._thinking_shown({"reasoning": {"exclude": True}}, Reply(thinking="x"))
    assert "only one" in str(
        router_fake.validate(
            {"model": "m", "messages": [], "reasoning": {"effort": "low", "max_tokens": 10}}
        )
    )


def test_the_openai_sdk_reads_the_reasoning_fields(router_fake: FakeOpenAIChat) -> None:
    router_fake.state.reset()
    router_fake.queue(Reply(text="Frog.", thinking=THOUGHT), Reply(text="Pond.", thinking=THOUGHT))
    client = openai.OpenAI(api_key="test-key", base_url=f"{router_fake.url}/api/v1")
    stream = client.chat.completions.create(
        model="deepseek/deepseek-r1",
        messages=[{"role": "user", "content": "Haiku?"}],
        stream=True,
    )
    reasoning = [
        (c.choices[0].delta.model_extra or {}).get("reasoning") or "" for c in stream if c.choices
    ]
    assert "".join(reasoning) == THOUGHT
    whole = client.chat.completions.create(
        model="deepseek/deepseek-r1", messages=[{"role": "user", "content": "Haiku?"}]
    )
    message = whole.choices[0].message
    assert (message.model_extra or {})["reasoning"] == THOUGHT and message.content == "Pond."


def test_one_thinking_piece_when_a_server_sends_both_fields() -> None:
    mapper = ChunkMapper("vllm")
    chunk = {
        "choices": [
            {
                "index": 0,
                "delta": {"reasoning_content": "Hmm.", "reasoning": "Hmm.", "content": "Hi"},
                "finish_reason": None,
            }
        ]
    }
    assert list(mapper.feed(chunk)) == [ThinkingDelta("Hmm."), TextDelta("Hi")]
    empty = {"choices": [{"index": 0, "delta": {"reasoning": None, "content": ""}}]}
    assert list(mapper.feed(empty)) == []
