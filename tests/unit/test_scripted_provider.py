"""The scripted provider keeps its promises: answers in script order, errors raised where the
script puts them (with its name), requests recorded, early closes noticed, a test that asks
more than its script holds told so plainly."""

from __future__ import annotations

import asyncio

import pytest

from polychat.providers.base import (
    ChatRequest,
    FinishEvent,
    Message,
    ProviderConfig,
    ProviderRateLimitError,
    StreamEvent,
    TextDelta,
    Usage,
)
from tests.scripted_provider import Hold, ScriptedProvider, ScriptExhaustedError, fail, say


def request(text: str) -> ChatRequest:
    return ChatRequest(model="scripted-1", messages=(Message.user(text),))


async def events(provider: ScriptedProvider, text: str) -> list[StreamEvent]:
    return [e async for e in provider.stream_message(request(text))]


async def test_answers_follow_the_script_and_every_request_is_recorded() -> None:
    cls = ScriptedProvider.bind([say("a", "b", usage=Usage(3, 2)), [TextDelta("c")]])
    provider = cls(ProviderConfig())
    assert await events(provider, "one") == [
        TextDelta("a"),
        TextDelta("b"),
        FinishEvent("stop", Usage(3, 2)),
    ]
    # An answer without a finish gets one, as every adapter sends it.
    assert await events(provider, "two") == [
        TextDelta("c"),
        FinishEvent("stop", None, "scripted-0", "scripted-1"),
    ]
    assert cls.requests == [request("one"), request("two")]
    with pytest.raises(ScriptExhaustedError, match="asked 3 times; its script has 2 answers"):
        await events(provider, "three")


async def test_a_failure_is_raised_after_the_events_before_it_with_the_provider_named() -> None:
    cls = ScriptedProvider.bind(
        [[TextDelta("x"), fail(ProviderRateLimitError, retry_after=2)]], name="beta"
    )
    seen: list[StreamEvent] = []
    with pytest.raises(ProviderRateLimitError) as caught:
        async for event in cls(ProviderConfig()).stream_message(request("hi")):
            seen.append(event)
    assert seen == [TextDelta("x")]
    assert (caught.value.provider, caught.value.retry_after) == ("beta", 2)
    assert cls.abandoned == []  # it ended as scripted


async def test_a_stream_closed_at_a_hold_is_recorded_as_abandoned() -> None:
    hold = Hold()
    cls = ScriptedProvider.bind([[TextDelta("x"), hold, TextDelta("never")]])
    stream = cls(ProviderConfig()).stream_message(request("hi"))
    assert await anext(stream) == TextDelta("x")
    pending = anext(stream)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pending, 0.05)  # cancelled at the hold, like a stop
    assert hold.reached.is_set()
    assert cls.abandoned == [request("hi")]


async def test_a_function_script_sees_each_request_and_send_message_collects_it() -> None:
    cls = ScriptedProvider.bind(lambda r: say(f"you said {r.messages[-1].text}", finish="length"))
    response = await cls(ProviderConfig()).send_message(request("hello"))
    assert (response.text, response.finish_reason) == ("you said hello", "length")
    assert response.usage == Usage(12, 1)
    assert cls.requests == [request("hello")]
