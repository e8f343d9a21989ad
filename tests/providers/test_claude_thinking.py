"""Claude's extended thinking beyond the shared contract: which form each model is asked in
(adaptive + effort from Claude 4.6 on, a token budget before), the sampling parameters
Anthropic refuses with thinking on, the signature and redacted blocks that must stay
invisible, a tool-result turn, and which live models can think."""

from __future__ import annotations

import re
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import httpx
import pytest

from polychat.providers.base import (
    ChatRequest,
    Message,
    ProviderBadRequestError,
    ProviderConfig,
    ReasoningEffort,
    TextDelta,
    ThinkingDelta,
    ToolCallPart,
    ToolResultPart,
)
from polychat.providers.claude import (
    ClaudeProvider,
    _live_mode,
    _StreamState,
    catalog_thinking_modes,
    claude_version,
    thinking_limits,
    thinking_mode,
    thinks,
)
from tests.fakes.anthropic import (
    DEFAULT_MODELS,
    ENABLED_REFUSED,
    FakeAnthropic,
    ThinkingSupport,
    thinking_support,
    validate,
)
from tests.fakes.script import Reply
from tests.providers.test_contract import collect, text_of

MODEL = "claude-sonnet-4-6"  # catalog: 64000 output tokens, adaptive
# A model whose id names no version and that, like Opus 4.7+, refuses the budget form and
# omits its reasoning unless asked: only the Models API's capabilities can tell.
NOVA = "claude-nova-preview"
NOVA_SUPPORT = ThinkingSupport(enabled=False, adaptive=True, effort=True, omits_by_default=True)
THOUGHT = "Short wavelengths scatter more."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    models = (*DEFAULT_MODELS, (NOVA, "Claude Nova (preview)", "active", 200000, 32000))
    with FakeAnthropic(models=models, thinking={NOVA: NOVA_SUPPORT}) as server:
        yield server


@pytest.fixture
async def claude(fake: FakeAnthropic) -> AsyncIterator[ClaudeProvider]:
    fake.state.reset()
    provider = ClaudeProvider(
        ProviderConfig(api_key="test-key", base_url=fake.url, retry_max_delay_s=0.01)
    )
    yield provider
    await provider.aclose()


def ask(model: str = MODEL, **kw: object) -> ChatRequest:
    return ChatRequest(model=model, messages=(Message.user("Why is the sky blue?"),), **kw)  # type: ignore[arg-type]


def thought(events: list[Any]) -> str:
    return "".join(e.text for e in events if isinstance(e, ThinkingDelta))


def adaptive(effort: ReasoningEffort) -> dict[str, Any]:
    return {
        "thinking": {"type": "adaptive", "display": "summarized"},
        "output_config": {"effort": effort},
    }


def budget(tokens: int) -> dict[str, Any]:
    return {"thinking": {"type": "enabled", "budget_tokens": tokens}}


# model, effort, max_tokens asked -> the exact thinking fields and max_tokens on the wire
FAMILIES = [
    ("claude-sonnet-4-6", "medium", 500, adaptive("medium"), 500),
    ("claude-opus-4-6", "high", None, adaptive("high"), 32000),  # the SDK warns on "enabled"
    ("claude-opus-4-8", "low", None, adaptive("low"), 32000),  # refuses "enabled", omits
    ("claude-fable-5-2", "medium", 1000, adaptive("medium"), 1000),  # live list only: the id
    ("claude-sonnet-4-5", "medium", 500, budget(8192), 8192 + 500),
    ("claude-haiku-4-5", "high", None, budget(24576), 64000),
    ("claude-opus-4-5", "low", 1000, budget(2048), 2048 + 1000),
]


@pytest.mark.parametrize("model,effort,asked,wire,max_tokens", FAMILIES)
async def test_each_family_is_asked_in_its_own_form_without_sdk_warnings(
    fake: FakeAnthropic,
    claude: ClaudeProvider,
    model: str,
    effort: ReasoningEffort,
    asked: int | None,
    wire: dict[str, Any],
    max_tokens: int,
) -> None:
    fake.queue(Reply(text="Rayleigh scattering.", chunks=1, thinking=THOUGHT, thinking_chunks=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the SDK's "thinking.type=enabled is deprecated"
        # ...but not its notice that Sonnet 4.5 itself reaches end-of-life in 2026.
        warnings.filterwarnings("ignore", "The model '.*' is deprecated", DeprecationWarning)
        events = await collect(
            claude.stream_message(ask(model, reasoning=effort, max_tokens=asked, temperature=0.3))
        )
    body = fake.requests[-1].body
    sent = {k: body[k] for k in ("thinking", "output_config") if k in body}
    assert sent == wire
    assert body["max_tokens"] == max_tokens
    assert "temperature" not in body and "top_k" not in body and "top_p" not in body
    assert text_of(events) == "Rayleigh scattering."
    assert thought(events) == THOUGHT  # visible, Opus 4.8 included
    assert [type(e) for e in events if isinstance(e, ThinkingDelta | TextDelta)] == [
        ThinkingDelta
    ] * 3 + [TextDelta]


def test_the_sdk_warns_about_the_budget_form_on_opus_4_6(fake: FakeAnthropic) -> None:
    """What the family test's `simplefilter("error")` would catch if the adapter still
    asked Opus 4.6 for a budget."""
    fake.state.reset()
    client = anthropic.Anthropic(api_key="test-key", base_url=fake.url, max_retries=0)
    with pytest.warns(UserWarning, match=re.escape("thinking.type=enabled' is deprecated")):
        client.messages.create(
            model="claude-opus-4-6",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 2048},
            messages=[{"role": "user", "content": "Hi"}],
        )
    client.close()


def test_the_fake_refuses_the_budget_form_as_opus_4_8_does(fake: FakeAnthropic) -> None:
    body = {
        "model": "claude-opus-4-8",
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "messages": [{"role": "user", "content": "Hi"}],
    }
    headers = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
    r = httpx.post(f"{fake.url}/v1/messages", json=body, headers=headers)
    assert r.status_code == 400
    error = r.json()
    assert error["type"] == "error" and error["request_id"].startswith("req_")
    assert error["error"] == {"type": "invalid_request_error", "message": ENABLED_REFUSED}


async def test_opus_4_8_omits_its_reasoning_unless_display_asks(fake: FakeAnthropic) -> None:
    """The API's default for Opus 4.7+: a thinking block with a signature and no text."""
    fake.state.reset()
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=fake.url, max_retries=0)
    reply = Reply(text="Blue.", thinking=THOUGHT)
    fake.queue(reply, reply)
    shown: dict[str, str] = {}
    for display in (None, "summarized"):
        thinking: dict[str, Any] = {"type": "adaptive"}
        if display is not None:
            thinking["display"] = display
        message = await client.messages.create(
            model="claude-opus-4-8",
            max_tokens=4096,
            thinking=thinking,  # type: ignore[arg-type]
            output_config={"effort": "low"},
            messages=[{"role": "user", "content": "Why is the sky blue?"}],
        )
        block = message.content[0]
        assert block.type == "thinking" and block.signature.startswith("Eq")
        shown[str(display)] = block.thinking
    await client.close()
    assert shown == {"None": "", "summarized": THOUGHT}


async def test_the_live_list_decides_for_an_id_without_a_version(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    """Before the model list is read, an unknown id gets the budget form (what every model
    before Opus 4.7 takes); this one refuses it, as the API would. Once the list has said
    `thinking.types.adaptive.supported`, it is asked adaptively and its reasoning shows."""
    with pytest.raises(ProviderBadRequestError, match=re.escape(ENABLED_REFUSED)):
        await collect(claude.stream_message(ask(NOVA, reasoning="high")))
    models = {m.id: m for m in await claude.get_models()}
    assert models[NOVA].reasoning
    fake.queue(Reply(text="Because.", thinking=THOUGHT))
    events = await collect(claude.stream_message(ask(NOVA, reasoning="high")))
    body = fake.requests[-1].body
    assert {k: body[k] for k in ("thinking", "output_config")} == adaptive("high")
    assert thought(events) == THOUGHT and text_of(events) == "Because."


async def test_send_message_asks_adaptively_too(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    fake.queue(Reply(text="Forty-two.", thinking=THOUGHT))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = await claude.send_message(ask("claude-opus-4-6", reasoning="medium"))
    assert response.text == "Forty-two."
    assert fake.requests[-1].body["output_config"] == {"effort": "medium"}


async def test_adaptive_thinking_leaves_top_p_out_and_caps_max_tokens(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    await collect(claude.stream_message(ask(reasoning="high", top_p=0.97, max_tokens=100_000)))
    body = fake.requests[-1].body
    assert "top_p" not in body  # refused below 0.95 while thinking: never sent then
    assert body["max_tokens"] == 64000  # the model's limit, not the 100000 asked
    assert body["thinking"]["type"] == "adaptive"


async def test_budget_thinking_leaves_top_p_out_and_caps_max_tokens_at_the_model_limit(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    await collect(claude.stream_message(ask("claude-opus-4-5", reasoning="high", top_p=0.97)))
    body = fake.requests[-1].body
    assert "top_p" not in body
    assert body["max_tokens"] == 64000  # budget + model default, capped at the model's limit
    assert body["thinking"]["budget_tokens"] == 24576


async def test_without_reasoning_temperature_is_sent_and_no_thinking_streams(
    fake: FakeAnthropic, claude: ClaudeProvider
) -> None:
    fake.queue(Reply(text="Blue light scatters.", thinking="ignored without the parameter"))
    events = await collect(claude.stream_message(ask(temperature=0.3)))
    body = fake.requests[-1].body
    assert body["temperature"] == 0.3
    assert "thinking" not in body and "output_config" not in body
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
    assert "output_config" not in fake.requests[-1].body


def test_the_fake_refuses_what_the_api_refuses_with_thinking() -> None:
    base = {"model": MODEL, "max_tokens": 4000, "messages": [{"role": "user", "content": "x"}]}
    on = {"type": "enabled", "budget_tokens": 2048}
    assert validate({**base, "thinking": on}) is None  # 4.6 still takes it (deprecated)
    assert "temperature" in str(validate({**base, "thinking": on, "temperature": 0.5}))
    assert "top_k" in str(validate({**base, "thinking": on, "top_k": 5}))
    assert "top_p" in str(validate({**base, "thinking": on, "top_p": 0.5}))
    assert "max_tokens" in str(validate({**base, "max_tokens": 2048, "thinking": on}))
    low = {"type": "enabled", "budget_tokens": 512}
    assert "1024" in str(validate({**base, "thinking": low}))
    ada = {"type": "adaptive", "display": "summarized"}
    assert validate({**base, "thinking": ada, "output_config": {"effort": "high"}}) is None
    assert "temperature" in str(validate({**base, "thinking": ada, "temperature": 0.5}))
    assert "effort" in str(validate({**base, "thinking": ada, "output_config": {"effort": "x"}}))
    assert "budget_tokens" in str(validate({**base, "thinking": {**ada, "budget_tokens": 2048}}))
    assert "display" in str(validate({**base, "thinking": {**ada, "display": "full"}}))
    assert "Extra inputs" in str(validate({**base, "output_config": {"budget": 1}}))
    old = {**base, "model": "claude-sonnet-4-5"}
    assert "adaptive is not supported" in str(validate({**old, "thinking": ada}))
    assert "effort" in str(validate({**old, "output_config": {"effort": "low"}}))
    assert validate({**base, "model": "claude-opus-4-8", "thinking": on}) == ENABLED_REFUSED


def test_the_fake_reads_each_generation_like_the_api() -> None:
    assert thinking_support("claude-sonnet-4-6") == ThinkingSupport(True, True, True)
    assert thinking_support("claude-opus-4-8") == ThinkingSupport(False, True, True, True)
    assert thinking_support("claude-fable-5-2").omits_by_default
    assert thinking_support("claude-haiku-4-5-20251001") == ThinkingSupport(True, False, False)
    assert thinking_support("claude-opus-4-5").effort
    assert thinking_support("claude-3-7-sonnet-20250219").enabled
    assert not thinking_support("claude-3-haiku-20240307").thinks
    assert not thinking_support("claude-nova-preview").thinks


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


def test_claude_versions_from_ids() -> None:
    assert claude_version("claude-sonnet-4-6") == (4, 6)
    assert claude_version("claude-haiku-4-5-20251001") == (4, 5)
    assert claude_version("claude-3-7-sonnet-20250219") == (3, 7)
    assert claude_version("claude-opus-4-20250514") == (4, 0)  # a date is not a minor version
    assert claude_version("claude-opus-4-1-20250805") == (4, 1)
    assert claude_version("claude-sonnet-4-6@20260101") == (4, 6)
    assert claude_version("claude-fable-5") == (5, 0)
    assert claude_version("claude-nova-preview") is None
    assert claude_version("gpt-4o") is None


def test_thinking_mode_prefers_the_api_then_the_catalog_then_the_id() -> None:
    assert thinking_mode("claude-sonnet-4-6") == "adaptive"
    assert thinking_mode("claude-opus-4-7-20260301") == "adaptive"
    assert thinking_mode("claude-haiku-4-5-20251001") == "budget"
    assert thinking_mode("claude-3-7-sonnet-20250219") == "budget"
    assert thinking_mode("claude-nova-preview") == "budget"  # unknown: the older form
    assert thinking_mode("claude-nova-preview", catalog="adaptive") == "adaptive"
    assert thinking_mode("claude-sonnet-4-6", live="budget", catalog="adaptive") == "budget"
    assert catalog_thinking_modes() == {
        "claude-sonnet-4-6": "adaptive",
        "claude-opus-4-8": "adaptive",
        "claude-opus-4-6": "adaptive",
        "claude-haiku-4-5": "budget",
        "claude-opus-4-5": "budget",
        "claude-sonnet-4-5": "budget",
    }


def test_live_mode_reads_the_capabilities_thinking_types() -> None:
    def model(adaptive: bool, enabled: bool) -> anthropic.types.ModelInfo:
        types = {
            "adaptive": {"supported": adaptive},
            "enabled": {"supported": enabled},
            "disabled": {"supported": True},
            "between_tools": {"supported": False},
        }
        return anthropic.types.ModelInfo.construct(
            id="claude-x",
            capabilities={"thinking": {"supported": adaptive or enabled, "types": types}},
        )

    assert _live_mode(model(adaptive=True, enabled=True)) == "adaptive"
    assert _live_mode(model(adaptive=True, enabled=False)) == "adaptive"
    assert _live_mode(model(adaptive=False, enabled=True)) == "budget"
    assert _live_mode(model(adaptive=False, enabled=False)) is None
    assert _live_mode(anthropic.types.ModelInfo.construct(id="claude-y")) is None


def test_which_claude_ids_think() -> None:
    assert thinks("claude-sonnet-4-6") and thinks("claude-opus-4-1-20250805")
    assert thinks("claude-fable-5-2")
    assert not thinks("claude-3-5-haiku-20241022") and not thinks("claude-instant-1")


async def test_live_models_say_which_can_think(claude: ClaudeProvider) -> None:
    models = {m.id: m for m in await claude.get_models()}
    assert models["claude-sonnet-4-6"].reasoning  # from the catalog
    assert models["claude-fable-5-2"].reasoning  # not in the catalog: the API's capabilities
    assert claude.thinking_mode_for("claude-fable-5-2") == "adaptive"
    assert claude.thinking_mode_for("claude-haiku-4-5") == "budget"
