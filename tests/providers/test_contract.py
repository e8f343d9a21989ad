"""The provider contract: every harness (tests/providers/harnesses/*.py) passes these tests.

Each test talks to the provider's real wire-faithful fake over HTTP and asserts what a user
would see (text, tool calls, usage, the error kind) and what reached the upstream, read back
in that provider's own wire format through the harness's `WireView`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from polychat.providers.base import (
    BaseProvider,
    ChatRequest,
    FinishEvent,
    ImagePart,
    Message,
    ProviderCapabilityError,
    ProviderError,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCallEnd,
    ToolCallPart,
    ToolCallStart,
    ToolResultPart,
    ToolSpec,
    UsageEvent,
)
from polychat.providers.catalog import load_catalog
from tests.fakes.script import Failure, Reply, ToolCallScript
from tests.fakes.server import FakeServer
from tests.providers.harness import ProviderHarness, all_harnesses

HARNESSES = all_harnesses()
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
WEATHER = ToolSpec(
    "get_weather",
    "Current weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
STATUS_FAILURES = (
    Failure.BAD_KEY,
    Failure.RATE_LIMIT,
    Failure.QUOTA,
    Failure.OVERLOADED,
    Failure.SERVER_ERROR,
    Failure.MODEL_NOT_FOUND,
)
MID_STREAM_FAILURES = (Failure.ERROR_MID_STREAM, Failure.CUT_MID_STREAM, Failure.MALFORMED_CHUNK)


def each(
    pred: Callable[[ProviderHarness], object] = lambda h: True,
) -> pytest.MarkDecorator:
    chosen = [h for h in HARNESSES if pred(h)]
    return pytest.mark.parametrize("h", chosen, ids=[h.id for h in chosen])


def each_failure(failures: tuple[Failure, ...]) -> pytest.MarkDecorator:
    cases = [
        pytest.param(h, f, id=f"{h.id}-{f.value}")
        for h in HARNESSES
        for f in failures
        if f not in h.unsupported_failures
    ]
    return pytest.mark.parametrize(("h", "failure"), cases)


async def collect(stream: AsyncIterator[StreamEvent], limit_s: float = 10.0) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    async with asyncio.timeout(limit_s):
        async for event in stream:
            events.append(event)
    return events


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def ask(h: ProviderHarness, text: str = "Hi", **kw: object) -> ChatRequest:
    model = kw.pop("model", h.chat_model)
    return ChatRequest(model=str(model), messages=(Message.user(text),), **kw)  # type: ignore[arg-type]


# -- happy paths ---------------------------------------------------------------------------


@each()
async def test_send_returns_text_usage_and_finish(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="Hello there!", input_tokens=12, output_tokens=5))
    response = await provider.send_message(ask(h))
    assert response.text == "Hello there!"
    assert response.finish_reason == "stop"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (12, 5)
    assert response.provider == provider.get_name()
    assert len(h.chat_requests(fake)) == 1


@each()
async def test_stream_delivers_chunks_in_order_then_finish(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="One two three four", chunks=4, input_tokens=9, output_tokens=4))
    events = await collect(provider.stream_message(ask(h)))
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert "".join(d.text for d in deltas) == "One two three four"
    assert len(deltas) == 4
    finish = events[-1]
    assert isinstance(finish, FinishEvent)
    assert finish.reason == "stop"
    assert finish.usage is not None
    assert (finish.usage.input_tokens, finish.usage.output_tokens) == (9, 4)
    usage_events = [e for e in events if isinstance(e, UsageEvent)]
    assert all(e.usage.output_tokens <= 4 for e in usage_events)


@each()
async def test_history_and_system_prompt_reach_the_upstream(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    request = ChatRequest(
        model=h.chat_model,
        system="You are terse.",
        messages=(
            Message.user("What is 2+2?"),
            Message.assistant("4"),
            Message.user("And 3+3?"),
        ),
    )
    await collect(provider.stream_message(request))
    body = h.last_chat_body(fake)
    assert h.wire.system(body) == "You are terse."
    turns = [t for t in h.wire.turns(body) if t[0] != "system"]
    assert turns == [("user", "What is 2+2?"), ("assistant", "4"), ("user", "And 3+3?")]


@each()
async def test_parameters_are_mapped(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    await provider.send_message(ask(h, temperature=0.25, max_tokens=77))
    body = h.last_chat_body(fake)
    assert h.wire.max_tokens(body) == 77
    assert h.wire.temperature(body) == 0.25


@each(lambda h: h.vision_model)
async def test_image_reaches_a_vision_model(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    message = Message("user", (TextPart("What is this?"), ImagePart("image/png", PNG_1PX)))
    assert h.vision_model is not None
    await provider.send_message(ChatRequest(model=h.vision_model, messages=(message,)))
    assert h.wire.images(h.last_chat_body(fake)) == [("image/png", PNG_1PX)]


@each(lambda h: h.text_only_model)
async def test_image_for_text_only_model_fails_before_any_request(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    message = Message("user", (TextPart("What is this?"), ImagePart("image/png", PNG_1PX)))
    assert h.text_only_model is not None
    request = ChatRequest(model=h.text_only_model, messages=(message,))
    with pytest.raises(ProviderCapabilityError):
        await provider.send_message(request)
    with pytest.raises(ProviderCapabilityError):
        await collect(provider.stream_message(request))
    assert h.chat_requests(fake) == []


@each(lambda h: h.supports_tools)
async def test_tool_call_round_trip(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(
        Reply(text="", tool_calls=[ToolCallScript("get_weather", {"city": "Paris"})]),
        Reply(text="It is sunny in Paris."),
    )
    first = ChatRequest(
        model=h.chat_model, messages=(Message.user("Weather in Paris?"),), tools=(WEATHER,)
    )
    events = await collect(provider.stream_message(first))
    assert h.wire.tool_names(h.last_chat_body(fake)) == ["get_weather"]
    starts = [e for e in events if isinstance(e, ToolCallStart)]
    ends = [e for e in events if isinstance(e, ToolCallEnd)]
    assert [s.name for s in starts] == ["get_weather"]
    assert [(e.call.name, e.call.arguments) for e in ends] == [("get_weather", {"city": "Paris"})]
    assert ends[0].call.id
    finish = events[-1]
    assert isinstance(finish, FinishEvent) and finish.reason == "tool_calls"

    call = ends[0].call
    second = ChatRequest(
        model=h.chat_model,
        tools=(WEATHER,),
        messages=(
            first.messages[0],
            Message("assistant", (call,)),
            Message("user", (ToolResultPart(call.id, call.name, "sunny, 24C"),)),
        ),
    )
    response = await provider.send_message(second)
    assert response.text == "It is sunny in Paris."
    body = h.last_chat_body(fake)
    assert h.wire.tool_calls(body) == [("get_weather", {"city": "Paris"})]
    assert h.wire.tool_results(body) == ["sunny, 24C"]


@each(lambda h: h.supports_tools)
async def test_send_message_returns_tool_calls(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="", tool_calls=[ToolCallScript("get_weather", {"city": "Oslo"})]))
    response = await provider.send_message(
        ChatRequest(model=h.chat_model, messages=(Message.user("Oslo?"),), tools=(WEATHER,))
    )
    assert [(c.name, c.arguments) for c in response.tool_calls] == [
        ("get_weather", {"city": "Oslo"})
    ]
    assert response.finish_reason == "tool_calls"


# -- failures ------------------------------------------------------------------------------


@each_failure(STATUS_FAILURES)
async def test_status_failures_are_mapped(
    h: ProviderHarness, failure: Failure, fake: FakeServer
) -> None:
    provider = h.build(fake, max_retries=0)
    try:
        fake.queue(Reply(failure=failure, retry_after_s=3), Reply(failure=failure, retry_after_s=3))
        with pytest.raises(ProviderError) as sent:
            await provider.send_message(ask(h))
        with pytest.raises(ProviderError) as streamed:
            await collect(provider.stream_message(ask(h)))
    finally:
        await provider.aclose()
    for error in (sent.value, streamed.value):
        assert isinstance(error, h.expected_error(failure)), repr(error)
        assert error.provider == provider.get_name()
        assert error.message
        if failure is Failure.RATE_LIMIT:
            assert error.retry_after == 3
            assert error.retryable


@each_failure(MID_STREAM_FAILURES)
async def test_mid_stream_failure_keeps_partial_text_and_raises(
    h: ProviderHarness, failure: Failure, fake: FakeServer, provider: BaseProvider
) -> None:
    reply = Reply(text="Hello brave new world", chunks=4, failure=failure, chunks_before_failure=2)
    fake.queue(reply)
    events: list[StreamEvent] = []
    with pytest.raises(ProviderError) as raised:
        async with asyncio.timeout(10):
            async for event in provider.stream_message(ask(h)):
                events.append(event)
    assert isinstance(raised.value, h.expected_error(failure)), repr(raised.value)
    assert text_of(events) == "".join(reply.text_chunks()[:2]) == "Hello brave"
    assert not any(isinstance(e, FinishEvent) for e in events)
    assert len(h.chat_requests(fake)) == 1  # text had streamed: never retried


@each(lambda h: Failure.SLOW_FIRST_BYTE not in h.unsupported_failures)
async def test_slow_first_byte_times_out(h: ProviderHarness, fake: FakeServer) -> None:
    provider = h.build(fake, timeout_s=0.25, max_retries=0)
    fake.queue(Reply(failure=Failure.SLOW_FIRST_BYTE, first_byte_delay_s=0.8))
    started = asyncio.get_running_loop().time()
    try:
        with pytest.raises(ProviderError) as raised:
            await collect(provider.stream_message(ask(h)))
    finally:
        await provider.aclose()
    waited = asyncio.get_running_loop().time() - started
    assert isinstance(raised.value, h.expected_error(Failure.SLOW_FIRST_BYTE))
    assert waited < 0.75  # gave up at the timeout, not when the upstream finally answered
    # Let the fake's delayed handler finish so it cannot open a stream during the next test.
    await asyncio.sleep(0.85 - waited)


# -- retries -------------------------------------------------------------------------------


@each(lambda h: Failure.RATE_LIMIT not in h.unsupported_failures)
async def test_retry_before_first_token_then_answer(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(failure=Failure.RATE_LIMIT, retry_after_s=1), Reply(text="Second try"))
    events = await collect(provider.stream_message(ask(h)))
    assert text_of(events) == "Second try"
    assert len(h.chat_requests(fake)) == 2

    fake.queue(Reply(failure=Failure.RATE_LIMIT, retry_after_s=1), Reply(text="Sent"))
    assert (await provider.send_message(ask(h))).text == "Sent"
    assert len(h.chat_requests(fake)) == 4


@each(lambda h: Failure.SERVER_ERROR not in h.unsupported_failures)
async def test_retries_stop_after_max_retries(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(*(Reply(failure=Failure.SERVER_ERROR) for _ in range(4)))
    with pytest.raises(ProviderError) as raised:
        await collect(provider.stream_message(ask(h)))
    assert isinstance(raised.value, h.expected_error(Failure.SERVER_ERROR))
    assert len(h.chat_requests(fake)) == 3  # first try + config.max_retries (2)


@each(lambda h: h.bad_key is not None)
async def test_auth_error_is_not_retried(h: ProviderHarness, fake: FakeServer) -> None:
    provider = h.build(fake, key=h.bad_key)
    try:
        with pytest.raises(ProviderError) as raised:
            await provider.send_message(ask(h))
    finally:
        await provider.aclose()
    assert isinstance(raised.value, h.expected_error(Failure.BAD_KEY))
    assert not raised.value.retryable
    assert len(h.chat_requests(fake)) == 1


# -- cancellation --------------------------------------------------------------------------


@each()
async def test_closing_the_stream_closes_the_upstream_connection(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="x" * 200, chunks=200, chunk_delay_s=0.05))
    stream = provider.stream_message(ask(h))
    async with asyncio.timeout(5):
        async for event in stream:
            if isinstance(event, TextDelta):
                break
    await stream.aclose()  # type: ignore[attr-defined]
    for _ in range(150):  # up to 3 s; the full reply would take 10 s
        if fake.state.closed_streams >= 1:
            break
        await asyncio.sleep(0.02)
    assert fake.state.closed_streams == 1
    assert fake.state.open_streams == 0


# -- keys and models -----------------------------------------------------------------------


@each()
async def test_validate_good_key(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    result = await provider.validate_api_key()
    assert result.success, result.error
    assert result.error is None
    assert result.latency_ms >= 0
    assert result.provider == provider.get_name()
    if h.key_check_path:
        assert any(r.path.endswith(h.key_check_path) for r in fake.requests)
    assert h.chat_requests(fake) == []


@each(lambda h: h.bad_key is not None)
async def test_validate_bad_key_never_raises(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    result = await provider.validate_api_key(h.bad_key)
    assert not result.success
    assert isinstance(result.error, h.expected_error(Failure.BAD_KEY))
    assert (await provider.validate_api_key()).success  # the instance's own key still works


@each()
async def test_get_models_live_list(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    models = await provider.get_models()
    ids = [m.id for m in models]
    assert h.chat_model in ids
    assert all("embed" not in i and "tts" not in i for i in ids)
    assert sum(m.is_default for m in models) <= 1
    assert all(m.provider == provider.get_name() for m in models)
    if h.models_path:
        seen = len([r for r in fake.requests if r.path.endswith(h.models_path)])
        await provider.get_models()  # cached: no second call
        assert len([r for r in fake.requests if r.path.endswith(h.models_path)]) == seen


@each(lambda h: h.models_path)
async def test_get_models_falls_back_to_catalog(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.state.models_failure = Failure.SERVER_ERROR
    models = await provider.get_models()
    catalog = load_catalog(h.provider_cls.name)
    expected = [m.id for m in catalog.models] or list(h.config(fake).model_allowlist)
    assert [m.id for m in models] == expected
    assert models


@each()
async def test_capabilities_and_default_model(h: ProviderHarness, provider: BaseProvider) -> None:
    caps = provider.get_capabilities(h.chat_model)
    assert caps.streaming
    assert caps.tools == h.supports_tools
    if h.vision_model:
        assert provider.get_capabilities(h.vision_model).vision
    if h.text_only_model:
        assert not provider.get_capabilities(h.text_only_model).vision
    assert provider.get_default_model()


# -- a conversation written by Claude continues everywhere --------------------------------


def claude_written_history() -> tuple[Message, ...]:
    call = ToolCallPart("toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", {"city": "Paris"})
    return (
        Message(
            "user",
            (
                TextPart("What is in this picture, and the weather?"),
                ImagePart("image/png", PNG_1PX),
            ),
        ),
        Message("assistant", (TextPart("A pixel. Let me check the weather."), call)),
        Message("user", (ToolResultPart(call.id, call.name, "sunny, 24C"),)),
        Message("assistant", (TextPart("It is sunny."),)),
        Message("user", (TextPart("Thanks! And tomorrow?"),)),
    )


@each(lambda h: h.supports_tools)
async def test_claude_written_history_continues(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    history = claude_written_history()
    model = h.vision_model
    if model is None:  # no vision here: the user would drop the image before switching
        history = tuple(
            Message(m.role, tuple(p for p in m.parts if not isinstance(p, ImagePart)))
            for m in history
        )
        model = h.chat_model
    fake.queue(Reply(text="Rain tomorrow."))
    events = await collect(
        provider.stream_message(
            ChatRequest(model=model, system="Be brief.", messages=history, tools=(WEATHER,))
        )
    )
    assert text_of(events) == "Rain tomorrow."
    body = h.last_chat_body(fake)
    assert h.wire.tool_calls(body) == [("get_weather", {"city": "Paris"})]
    assert h.wire.tool_results(body) == ["sunny, 24C"]
    assert h.wire.system(body) == "Be brief."
