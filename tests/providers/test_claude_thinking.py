"""Claude's extended thinking beyond the shared contract: what the budget does to `max_tokens`
and the sampling parameters Anthropic refuses with thinking on, the signature and redacted
blocks that must stay invisible, a tool-result turn, and which live models can think."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from polychat.providers.base import (
    ChatRequest,
    Message,
    ProviderConfig,
    TextDelta,
    ThinkingDelta,
    ToolCallPart,
    ToolResultPart,
)
from polychat.providers.claude import (
    ClaudeProvider,
    _StreamState,
    thinking_limits,
    thinks,
)
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.script import Reply
from tests.providers.test_contract import collect, text_of

MODEL = "claude-sonnet-4-6"  # catalog: 64000 output tokens


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
async def claude(fake: FakeAnthropic) -> AsyncIterator[ClaudeProvider]:
    fake.state.reset()
    provider = ClaudeProvider(
        ProviderConfig(api_key="test-key", base_url=fake.url, retry_max_delay_s=0.01)
    )
    yield provider
    await provider.aclose()


def ask(**kw: object) -> ChatRequest:
    return ChatRequest(model=MODEL, messages=(Message.user("Why is the sky blue?"),), **kw)  # type: ignore[arg-type]


async def test_thinking_drops_temperature_and_keeps_max_tokens_above_the_budget(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    fake.queue(Reply(text="Rayleigh scattering.", thinking="Short wavelengths scatter more."))
    events = await collect(
        claude.stream_message(ask(reasoning="medium", temperature=0.3, top_p=0.5, max_tokens=500))
    )
    body = fake.requests[-1].body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 8192}
    assert body["max_tokens"] == 8192 + 500  # the answer keeps the 500 it asked for
    assert "temperature" not in body and "top_p" not in body and "top_k" not in body
    assert text_of(events) == "Rayleigh scattering."
    assert "".join(e.text for e in events if isinstance(e, ThinkingDelta)) == (
        "Short wavelengths scatter more."
    )


async def test_thinking_keeps_a_high_top_p_and_caps_max_tokens_at_the_model_limit(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    await collect(claude.stream_message(ask(reasoning="high", top_p=0.97)))
    body = fake.requests[-1].body
    assert body["top_p"] == 0.97
    assert body["max_tokens"] == 64000  # budget + model default, capped at the model's limit
    assert body["thinking"]["budget_tokens"] == 24576


async def test_without_reasoning_temperature_is_sent_and_no_thinking_streams(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    fake.queue(Reply(text="Blue light scatters.", thinking="ignored without the parameter"))
    events = await collect(claude.stream_message(ask(temperature=0.3)))
    body = fake.requests[-1].body
    assert body["temperature"] == 0.3 and "thinking" not in body
    assert not any(isinstance(e, ThinkingDelta) for e in events)


async def test_a_tool_result_turn_is_asked_without_thinking(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    """Anthropic refuses thinking on a turn answering tool calls unless the signed thinking
    block is replayed, and history never keeps it: the adapter leaves thinking off there."""
    call = ToolCallPart("toolu_01A", "get_weather", {"city": "Oslo"})
    request = ChatRequest(
        model=MODEL,
        reasoning="low",
        messages=(
            Message.user("Weather in Oslo?"),
            Message("assistant", (call,)),
            Message("user", (ToolResultPart(call.id, call.name, "snow"),)),
        ),
    )
    fake.queue(Reply(text="It snows."))
    events = await collect(claude.stream_message(request))
    assert text_of(events) == "It snows."
    assert "thinking" not in fake.requests[-1].body


def test_the_fake_refuses_what_the_api_refuses_with_thinking() -> None:
    from tests.fakes.anthropic import validate

    base = {"model": MODEL, "max_tokens": 4000, "messages": [{"role": "user", "content": "x"}]}
    on = {"type": "enabled", "budget_tokens": 2048}
    assert validate({**base, "thinking": on}) is None
    assert "temperature" in str(validate({**base, "thinking": on, "temperature": 0.5}))
    assert "top_k" in str(validate({**base, "thinking": on, "top_k": 5}))
    assert "top_p" in str(validate({**base, "thinking": on, "top_p": 0.5}))
    assert "max_tokens" in str(validate({**base, "max_tokens": 2048, "thinking": on}))
    low = {"type": "enabled", "budget_tokens": 512}
    assert "1024" in str(validate({**base, "thinking": low}))


def test_signature_and_redacted_thinking_show_nothing() -> None:
    state = _StreamState("claude")
    events = [
        *state.feed(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "redacted_thinking", "data": "EmwKAhgB"},
            }
        ),
        *state.feed({"type": "content_block_stop", "index": 0}),
        *state.feed(
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "signature_delta", "signature": "EqQBCgIYAhIM"},
            }
        ),
        *state.feed(
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "thinking_delta", "thinking": ""},
            }
        ),
    ]
    assert events == []
    delta = {"type": "thinking_delta", "thinking": "Hmm."}
    assert list(state.feed({"type": "content_block_delta", "index": 1, "delta": delta})) == [
        ThinkingDelta("Hmm.")
    ]


def test_thinking_limits() -> None:
    assert thinking_limits("low", None, None) == (2048, 2048 + 4096)
    assert thinking_limits("medium", 1000, 64000) == (8192, 9192)
    assert thinking_limits("high", None, 32000) == (24576, 32000)
    assert thinking_limits("high", None, 8192) == (4096, 8192)  # split a small limit
    assert thinking_limits("low", None, 1500) is None  # no room for the 1024 floor


def test_which_claude_ids_think() -> None:
    assert thinks("claude-sonnet-4-6") and thinks("claude-opus-4-1-20250805")
    assert thinks("claude-fable-5-2")
    assert not thinks("claude-3-5-haiku-20241022") and not thinks("claude-instant-1")


async def test_live_models_say_which_can_think(claude: ClaudeProvider) -> None:
    models = {m.id: m for m in await claude.get_models()}
    assert models["claude-sonnet-4-6"].reasoning  # from the catalog
    assert models["claude-fable-5-2"].reasoning  # not in the catalog: the id rule


async def test_stream_with_thinking_then_text_in_order(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    fake.queue(Reply(text="ab", chunks=2, thinking="xyz", thinking_chunks=3))
    events = await collect(claude.stream_message(ask(reasoning="low")))
    kinds = [type(e).__name__ for e in events if isinstance(e, TextDelta | ThinkingDelta)]
    assert kinds == ["ThinkingDelta"] * 3 + ["TextDelta"] * 2
