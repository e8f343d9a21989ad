"""What each of part A's providers does beyond the shared contract, checked on the wire."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from polychat.providers.base import (
    ChatRequest,
    FinishEvent,
    Message,
    ProviderConfig,
    ProviderUnavailableError,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    UsageEvent,
)
from polychat.providers.claude import ClaudeProvider
from polychat.providers.openai import OpenAIProvider
from polychat.providers.openai_compatible import OpenAICompatibleProvider
from polychat.providers.openrouter import OpenRouterProvider
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.script import Reply


@pytest.fixture(scope="module")
def ant() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture(scope="module")
def router() -> Iterator[FakeOpenAIChat]:
    with FakeOpenAIChat("openrouter") as fake:
        yield fake


def hi(model: str, **kw: object) -> ChatRequest:
    return ChatRequest(model=model, messages=(Message.user("Hi"),), **kw)  # type: ignore[arg-type]


async def test_claude_fills_max_tokens_and_maps_sampling(ant: FakeAnthropic) -> None:
    ant.state.reset()
    claude = ClaudeProvider(ProviderConfig(api_key="test-key", base_url=ant.url))
    try:
        await claude.send_message(hi("claude-opus-4-6", temperature=1.7, top_p=0.9))
        body = ant.requests[-1].body
        assert body["max_tokens"] == 32000  # the catalog's output limit for the model
        assert body["temperature"] == 1.0  # Anthropic's range is 0..1
        assert "top_p" not in body  # 4.1 to 4.6 refuse both together
        await claude.send_message(hi("claude-3-5-haiku-unlisted", top_p=0.5, stop=("END",)))
        body = ant.requests[-1].body
        assert body["max_tokens"] == 4096 and body["top_p"] == 0.5
        assert body["stop_sequences"] == ["END"]
        await claude.get_models()  # the live list knows limits the catalog does not
        await claude.send_message(hi("claude-fable-5-2"))
        assert ant.requests[-1].body["max_tokens"] == 128000
    finally:
        await claude.aclose()


async def test_claude_rewrites_foreign_tool_ids_and_reports_running_usage(
    ant: FakeAnthropic,
) -> None:
    ant.state.reset()
    claude = ClaudeProvider(ProviderConfig(api_key="test-key", base_url=ant.url))
    foreign = ToolCallPart("models/gemini:call#1", "lookup", {})
    history = (
        Message.user("Look it up"),
        Message("assistant", (TextPart(""), foreign)),
        Message("user", (TextPart("and then?"), ToolResultPart(foreign.id, "lookup", "42"))),
    )
    ant.queue(Reply(input_tokens=30, output_tokens=9))
    try:
        events = [e async for e in claude.stream_message(ChatRequest("claude-sonnet-4-6", history))]
    finally:
        await claude.aclose()
    body = ant.requests[-1].body
    assert body["messages"][1]["content"] == [
        {"type": "tool_use", "id": "models_gemini_call_1", "name": "lookup", "input": {}}
    ]
    assert [b["type"] for b in body["messages"][2]["content"]] == ["tool_result", "text"]
    usages = [e.usage.output_tokens for e in events if isinstance(e, UsageEvent)]
    assert usages == [1, 9]  # message_start, then the final running total
    finish = events[-1]
    assert isinstance(finish, FinishEvent) and finish.usage is not None
    assert finish.usage.input_tokens == 30 and finish.response_id


async def test_openai_asks_for_usage_and_uses_max_completion_tokens() -> None:
    with FakeOpenAIChat("openai") as fake:
        provider = OpenAIProvider(ProviderConfig(api_key="test-key", base_url=f"{fake.url}/v1"))
        try:
            events = [e async for e in provider.stream_message(hi("o3", max_tokens=50))]
        finally:
            await provider.aclose()
        body = fake.requests[-1].body
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 50 and "max_tokens" not in body
    finish = events[-1]
    assert isinstance(finish, FinishEvent) and finish.usage is not None
    assert finish.usage.output_tokens == 6


async def test_openrouter_attribution_cost_and_model_metadata(router: FakeOpenAIChat) -> None:
    router.state.reset()
    provider = OpenRouterProvider(
        ProviderConfig(api_key="test-key", base_url=f"{router.url}/api/v1")
    )
    router.queue(Reply(cost_usd=0.00333825), Reply(cost_usd=0.001))
    try:
        events = [e async for e in provider.stream_message(hi("x-ai/grok-4", max_tokens=9))]
        sent = await provider.send_message(hi("x-ai/grok-4"))
        models = {m.id: m for m in await provider.get_models()}
    finally:
        await provider.aclose()
    request = router.requests[0]
    assert request.headers["http-referer"].startswith("https://")
    assert request.headers["x-title"] == "Polychat"
    assert "stream_options" not in request.body and request.body["max_tokens"] == 9
    finish = events[-1]
    assert isinstance(finish, FinishEvent) and finish.usage is not None
    assert finish.usage.cost_usd == 0.00333825
    assert sent.usage.cost_usd == 0.001
    assert "openai/text-embedding-3-small" not in models
    assert models["openai/gpt-4o"].vision and models["openai/gpt-4o"].tools
    llama = models["meta-llama/llama-3.1-8b-instruct"]
    assert not llama.vision
    assert models["anthropic/claude-sonnet-4.6"].is_default


async def test_compatible_without_allowlist_lists_chat_models_and_unreachable_is_unavailable() -> (
    None
):
    with FakeOpenAIChat("ollama", models=("llama3.2:latest", "nomic-embed-text")) as fake:
        provider = OpenAICompatibleProvider(
            ProviderConfig(base_url=f"{fake.url}/v1", instance_id="lan")
        )
        try:
            assert provider.get_default_model() == ""  # nothing known before listing
            assert [m.id for m in await provider.get_models()] == ["llama3.2:latest"]
            assert provider.get_default_model() == "llama3.2:latest"
            assert fake.requests[-1].headers["authorization"] == "Bearer no-key"
        finally:
            await provider.aclose()
    dead = OpenAICompatibleProvider(
        ProviderConfig(base_url="http://127.0.0.1:9/v1", instance_id="dead", max_retries=0)
    )
    try:
        with pytest.raises(ProviderUnavailableError):
            await dead.send_message(hi("m"))
        check = await dead.validate_api_key()
        assert not check.success and isinstance(check.error, ProviderUnavailableError)
        assert await dead.get_models() == []  # no allowlist, no catalog: nothing to offer
    finally:
        await dead.aclose()
