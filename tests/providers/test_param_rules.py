"""Parameters a model refuses are never sent, and the fakes refuse them as the real APIs do.

Each adapter states its rules once (`ignored_params`); the request it builds follows them, and
the same rules are what the model list reports. The fakes' own refusals are checked through the
official SDKs, so a regression in an adapter fails here with the API's real 400."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from polychat.providers.base import (
    ChatRequest,
    IgnoredParam,
    Message,
    ProviderConfig,
    drop_ignored,
)
from polychat.providers.claude import ClaudeProvider
from polychat.providers.gemini import GeminiProvider
from polychat.providers.openai import OpenAIProvider
from polychat.providers.openai_compatible import OpenAICompatibleProvider
from polychat.providers.openrouter import OpenRouterProvider
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.gemini import FakeGemini
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.script import Reply
from tests.providers.test_contract import collect, text_of

# The SDK's notice that Sonnet 4.5 reaches end-of-life says nothing about parameters.
pytestmark = pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")

SAMPLING = {"temperature": 0.7, "top_p": 0.9}
REFUSED_BY_REASONING = {"temperature", "top_p", "max_tokens", "presence_penalty",
                        "frequency_penalty", "logprobs"}  # fmt: skip


@pytest.fixture(scope="module")
def oai() -> Iterator[FakeOpenAIChat]:
    with FakeOpenAIChat("openai") as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(scope="module")
def router() -> Iterator[FakeOpenAIChat]:
    with FakeOpenAIChat("openrouter") as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(scope="module")
def ant() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture(scope="module")
def gem() -> Iterator[FakeGemini]:
    with FakeGemini() as fake:
        yield fake  # type: ignore[misc]


def ask(model: str, **kw: Any) -> ChatRequest:
    return ChatRequest(model=model, messages=(Message.user("Hi"),), **kw)


def params_of(rules: tuple[IgnoredParam, ...]) -> dict[str, str]:
    return {r.param: r.when for r in rules}


# -- OpenAI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["o1", "o3", "o4-mini", "gpt-5", "gpt-5-mini"])
async def test_a_reasoning_model_gets_no_sampling_and_max_completion_tokens(
    oai: FakeOpenAIChat, model: str
) -> None:
    oai.state.reset()
    oai.queue(Reply(text="Hello."))
    provider = OpenAIProvider(ProviderConfig(api_key="test-key", base_url=f"{oai.url}/v1"))
    try:
        events = await collect(
            provider.stream_message(ask(model, max_tokens=500, reasoning="low", **SAMPLING))
        )
    finally:
        await provider.aclose()
    body = oai.requests[-1].body
    assert text_of(events) == "Hello."
    assert not REFUSED_BY_REASONING & set(body)
    assert body["max_completion_tokens"] == 500 and body["reasoning_effort"] == "low"
    assert params_of(provider.ignored_params(model)) == {"temperature": "always", "top_p": "always"}


async def test_other_openai_models_keep_their_sampling(oai: FakeOpenAIChat) -> None:
    oai.state.reset()
    oai.queue(Reply(text="Hello."))
    provider = OpenAIProvider(ProviderConfig(api_key="test-key", base_url=f"{oai.url}/v1"))
    try:
        await collect(provider.stream_message(ask("gpt-4o", max_tokens=500, **SAMPLING)))
    finally:
        await provider.aclose()
    body = oai.requests[-1].body
    assert (body["temperature"], body["top_p"], body["max_completion_tokens"]) == (0.7, 0.9, 500)
    assert provider.ignored_params("gpt-4o") == ()


@pytest.mark.parametrize(
    "extra,param,code,message",
    [
        ({"max_tokens": 500}, "max_tokens", "unsupported_parameter",
         "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
         "'max_completion_tokens' instead."),
        ({"temperature": 0.7}, "temperature", "unsupported_value",
         "Unsupported value: 'temperature' does not support 0.7 with this model. Only the "
         "default (1) value is supported."),
        ({"top_p": 0.9}, "top_p", "unsupported_parameter",
         "Unsupported parameter: 'top_p' is not supported with this model."),
        ({"presence_penalty": 0.5}, "presence_penalty", "unsupported_parameter",
         "Unsupported parameter: 'presence_penalty' is not supported with this model."),
        ({"frequency_penalty": 0.5}, "frequency_penalty", "unsupported_parameter",
         "Unsupported parameter: 'frequency_penalty' is not supported with this model."),
        ({"logprobs": True}, "logprobs", "unsupported_parameter",
         "Unsupported parameter: 'logprobs' is not supported with this model."),
    ],
)  # fmt: skip
async def test_the_openai_fake_refuses_what_reasoning_models_refuse(
    oai: FakeOpenAIChat, extra: dict[str, Any], param: str, code: str, message: str
) -> None:
    client = openai.AsyncOpenAI(api_key="test-key", base_url=f"{oai.url}/v1", max_retries=0)
    messages: Any = [{"role": "user", "content": "Hi"}]
    try:
        with pytest.raises(openai.BadRequestError) as refused:
            await client.chat.completions.create(model="o3", messages=messages, **extra)
        accepted = await client.chat.completions.create(model="gpt-4o", messages=messages, **extra)
        default = await client.chat.completions.create(model="o3", messages=messages, temperature=1)
    finally:
        await client.close()
    assert refused.value.status_code == 400
    assert refused.value.body == {
        "message": message, "type": "invalid_request_error", "param": param, "code": code
    }  # fmt: skip
    assert accepted.choices and default.choices  # other models, and the default value, pass


# -- OpenRouter and OpenAI-compatible servers ----------------------------------------------


async def test_openrouter_follows_the_supported_parameters_of_its_list(
    router: FakeOpenAIChat,
) -> None:
    router.state.reset()
    router.queue(Reply(text="One."), Reply(text="Two."))
    provider = OpenRouterProvider(
        ProviderConfig(api_key="test-key", base_url=f"{router.url}/api/v1")
    )
    try:
        await provider.get_models()
        await collect(provider.stream_message(ask("openai/o4-mini", max_tokens=50, **SAMPLING)))
        reasoning = router.requests[-1].body
        await collect(provider.stream_message(ask("openai/gpt-4o", max_tokens=50, **SAMPLING)))
        plain = router.requests[-1].body
    finally:
        await provider.aclose()
    assert "temperature" not in reasoning and "top_p" not in reasoning
    assert reasoning["max_tokens"] == 50
    assert (plain["temperature"], plain["top_p"], plain["max_tokens"]) == (0.7, 0.9, 50)
    rules = provider.ignored_params("openai/o4-mini")
    assert params_of(rules) == {"temperature": "always", "top_p": "always", "stop": "always"}
    assert {r.code for r in rules} == {"not_supported"}
    assert provider.ignored_params("anthropic/claude-sonnet-4.6") == ()  # OpenAI's rule is not its


async def test_a_compatible_server_gets_every_parameter_whatever_the_model_id() -> None:
    with FakeOpenAIChat("ollama") as fake:
        fake.queue(Reply(text="Hi."))
        provider = OpenAICompatibleProvider(
            ProviderConfig(base_url=f"{fake.url}/v1", instance_id="local")
        )
        try:
            await collect(provider.stream_message(ask("o3-mini", max_tokens=50, **SAMPLING)))
        finally:
            await provider.aclose()
        body = fake.requests[-1].body
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.9, 50)
    assert provider.ignored_params("o3-mini") == ()


# -- Claude ----------------------------------------------------------------------------------

CLAUDE_CASES = [
    # (model, request extras, sampling sent)
    ("claude-opus-4-8", SAMPLING, {}),
    ("claude-fable-5-2", {"temperature": 0.2}, {}),
    ("claude-sonnet-4-5", SAMPLING, {"temperature": 0.7}),
    ("claude-sonnet-4-6", {"top_p": 0.9}, {"top_p": 0.9}),
    ("claude-sonnet-4-6", {**SAMPLING, "reasoning": "high"}, {}),
    ("claude-haiku-4-5", {**SAMPLING, "reasoning": "low"}, {}),
]


@pytest.mark.parametrize("model,extra,sent", CLAUDE_CASES)
async def test_claude_gets_only_the_sampling_its_model_takes(
    ant: FakeAnthropic, model: str, extra: dict[str, Any], sent: dict[str, float]
) -> None:
    ant.state.reset()
    ant.queue(Reply(text="Hello."))
    claude = ClaudeProvider(ProviderConfig(api_key="test-key", base_url=ant.url))
    try:
        events = await collect(claude.stream_message(ask(model, **extra)))
    finally:
        await claude.aclose()
    body = ant.requests[-1].body
    assert text_of(events) == "Hello."  # the fake accepted it
    assert {k: body[k] for k in ("temperature", "top_p", "top_k") if k in body} == sent


def test_claude_states_its_rules_per_generation() -> None:
    claude = ClaudeProvider(ProviderConfig(api_key="k"))
    assert params_of(claude.ignored_params("claude-opus-4-8")) == {
        "temperature": "always", "top_p": "always"
    }  # fmt: skip
    sonnet = claude.ignored_params("claude-sonnet-4-5")
    assert {(r.param, r.when) for r in sonnet} == {
        ("temperature", "thinking"), ("top_p", "thinking"), ("top_p", "temperature_set")
    }  # fmt: skip
    assert {(r.param, r.when) for r in claude.ignored_params("claude-3-7-sonnet-latest")} == {
        ("temperature", "thinking"), ("top_p", "thinking")
    }  # fmt: skip


@pytest.mark.parametrize(
    "model,extra,message",
    [
        ("claude-opus-4-8", {"temperature": 0.5}, "`temperature` is deprecated for this model."),
        ("claude-opus-4-8", {"top_p": 0.9}, "`top_p` is deprecated for this model."),
        ("claude-fable-5-2", {"top_k": 40}, "`top_k` is deprecated for this model."),
        ("claude-sonnet-4-5", SAMPLING, "`temperature` and `top_p` cannot both be specified for "
         "this model. Please use only one."),
        ("claude-sonnet-4-6", {"temperature": 0.5, "thinking": {"type": "adaptive"}},
         "`temperature` may only be set to 1 when thinking is enabled"),
    ],
)  # fmt: skip
async def test_the_anthropic_fake_refuses_what_claude_refuses(
    ant: FakeAnthropic, model: str, extra: dict[str, Any], message: str
) -> None:
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=ant.url, max_retries=0)
    messages: Any = [{"role": "user", "content": "Hi"}]
    try:
        with pytest.raises(anthropic.BadRequestError) as refused:
            await client.messages.create(
                model=model, max_tokens=64, messages=messages, extra_body=extra
            )
        default = await client.messages.create(
            model="claude-opus-4-8", max_tokens=64, messages=messages, extra_body={"temperature": 1}
        )
    finally:
        await client.close()
    assert refused.value.status_code == 400
    body = refused.value.body
    assert isinstance(body, dict) and body["error"] == {
        "type": "invalid_request_error", "message": message
    }  # fmt: skip
    assert default.content  # 1 is still accepted, for backward compatibility


# -- Gemini ----------------------------------------------------------------------------------


async def test_gemini_3_gets_its_default_sampling_and_2_5_the_conversations(
    gem: FakeGemini,
) -> None:
    gem.state.reset()
    gem.queue(Reply(text="One."), Reply(text="Two."))
    provider = GeminiProvider(ProviderConfig(api_key="test-key", base_url=gem.url + "/v1beta"))
    try:
        await collect(
            provider.stream_message(ask("gemini-3-pro-preview", max_tokens=64, **SAMPLING))
        )
        three = gem.requests[-1].body["generationConfig"]
        await collect(provider.stream_message(ask("gemini-2.5-flash", max_tokens=64, **SAMPLING)))
        two = gem.requests[-1].body["generationConfig"]
    finally:
        await provider.aclose()
    assert "temperature" not in three and "topP" not in three and three["maxOutputTokens"] == 64
    assert (two["temperature"], two["topP"], two["maxOutputTokens"]) == (0.7, 0.9, 64)
    assert provider.ignored_params("gemini-2.5-pro") == ()


# -- the shared rule -------------------------------------------------------------------------


def test_a_temperature_set_rule_follows_the_temperature_actually_sent() -> None:
    rules = (
        IgnoredParam("temperature", "thinking", "…", when="thinking"),
        IgnoredParam("top_p", "one_sampler", "…", when="temperature_set"),
    )
    both = ask("m", temperature=0.5, top_p=0.9, max_tokens=9, stop=("END",))
    thinking = drop_ignored(both, rules, thinking=True)
    assert (thinking.temperature, thinking.top_p) == (None, 0.9)  # top_p kept: no temperature
    plain = drop_ignored(both, rules, thinking=False)
    assert (plain.temperature, plain.top_p, plain.max_tokens, plain.stop) == (
        0.5,
        None,
        9,
        ("END",),
    )
    assert drop_ignored(both, (), thinking=True) is both
