"""Mistral-only behaviour: the fake against the official SDK, id rewriting, strict fields."""

from __future__ import annotations

import httpx
import httpx2
import pytest
from mistralai.client import Mistral
from mistralai.client.errors import SDKError

from polychat.providers._mistral_wire import mistral_tool_id
from polychat.providers.base import (
    ChatRequest,
    Message,
    ProviderConfig,
    ProviderModelNotFoundError,
    ToolCallPart,
    ToolResultPart,
)
from polychat.providers.mistral import MistralProvider, map_mistral_error
from tests.fakes.mistral import FakeMistral
from tests.fakes.script import Failure, Reply, ToolCallScript


@pytest.fixture(scope="module")
def fake() -> FakeMistral:
    with FakeMistral() as server:
        yield server  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _clean(fake: FakeMistral) -> None:
    fake.state.reset()


def sdk(fake: FakeMistral, key: str = "test-key") -> Mistral:
    return Mistral(api_key=key, server_url=fake.url)


# -- the fake, read by the official SDK used directly ---------------------------------------


async def test_sdk_parses_the_fake_stream_with_usage_on_the_finish_chunk(fake: FakeMistral) -> None:
    fake.queue(Reply(text="Bonjour à tous", chunks=3, input_tokens=7, output_tokens=4))
    stream = await sdk(fake).chat.stream_async(
        model="mistral-small-latest", messages=[{"role": "user", "content": "Salut"}]
    )
    chunks = [event.data async for event in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks)  # type: ignore[operator]
    assert text == "Bonjour à tous"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (7, 4)
    assert all(c.usage is None for c in chunks[:-1])


async def test_sdk_parses_a_whole_tool_call_with_a_nine_character_id(fake: FakeMistral) -> None:
    fake.queue(Reply(text="", tool_calls=[ToolCallScript("get_weather", {"city": "Lyon"})]))
    res = await sdk(fake).chat.complete_async(
        model="mistral-large-latest", messages=[{"role": "user", "content": "Lyon?"}]
    )
    call = res.choices[0].message.tool_calls[0]  # type: ignore[index, union-attr]
    assert call.function.name == "get_weather"
    assert call.function.arguments == '{"city": "Lyon"}'
    assert len(call.id) == 9 and call.id.isalnum()  # type: ignore[arg-type]
    assert res.choices[0].finish_reason == "tool_calls"


async def test_sdk_sees_the_real_error_shapes(fake: FakeMistral) -> None:
    with pytest.raises(SDKError) as unauthorized:
        await sdk(fake, key="nope").models.list_async()
    assert unauthorized.value.status_code == 401
    assert '"Unauthorized"' in unauthorized.value.body

    fake.queue(Reply(failure=Failure.RATE_LIMIT, retry_after_s=2))
    with pytest.raises(SDKError) as limited:
        await sdk(fake).chat.complete_async(
            model="mistral-large-latest", messages=[{"role": "user", "content": "x"}]
        )
    assert limited.value.status_code == 429
    assert limited.value.headers["retry-after"] == "2"
    assert map_mistral_error(limited.value).retry_after == 2


async def test_unknown_fields_are_a_422_extra_forbidden(fake: FakeMistral) -> None:
    body = {
        "model": "mistral-large-latest",
        "messages": [{"role": "user", "content": "x", "name": "bob"}],
        "stream_options": {"include_usage": True},
    }
    async with httpx.AsyncClient(base_url=fake.url) as client:
        res = await client.post(
            "/v1/chat/completions", json=body, headers={"authorization": "Bearer test-key"}
        )
    assert res.status_code == 422
    detail = res.json()["message"]["detail"]
    assert {d["type"] for d in detail} == {"extra_forbidden"}
    assert [d["loc"][-1] for d in detail] == ["stream_options", "name"]


def test_every_mistral_error_body_shape_reads_as_a_clear_message() -> None:
    """Mistral's `message` is a string, an object with `detail`, or a list (§4e)."""
    shapes = {
        422: {
            "object": "error",
            "message": {
                "detail": [
                    {
                        "type": "extra_forbidden",
                        "loc": ["body", "x"],
                        "msg": "Extra inputs are not permitted",
                    }
                ]
            },
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        },
        400: {"object": "Error", "message": [{"loc": ["body", "y"], "msg": "bad"}], "code": 3001},
        401: {"detail": "Unauthorized"},
        402: {"object": "error", "message": "No credits left", "type": "payment_required"},
        503: {"object": "error", "message": "overloaded", "type": "service_unavailable"},
        502: {"object": "error", "message": "bad gateway", "type": "internal"},
        408: {"object": "error", "message": "slow", "type": "timeout"},
    }
    kinds = {}
    for status, body in shapes.items():
        error = map_mistral_error(
            SDKError("API error occurred", httpx2.Response(status, json=body))
        )
        kinds[status] = (error.code, error.message)
    assert kinds[422] == (
        "bad_request",
        "Mistral refused the request: body.x: Extra inputs are not permitted",
    )
    assert kinds[400][1].endswith("body.y: bad")
    assert kinds[401][0] == "auth_failed"
    assert kinds[402][0] == "quota_exhausted"
    assert kinds[503][0] == "overloaded"
    assert kinds[502][0] == "unavailable"
    assert kinds[408][0] == "timeout"


async def test_a_foreign_tool_id_is_a_400_at_the_fake(fake: FakeMistral) -> None:
    with pytest.raises(SDKError) as raised:
        await sdk(fake).chat.complete_async(
            model="mistral-large-latest",
            messages=[
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "call_abc123", "function": {"name": "f", "arguments": "{}"}}
                    ],
                },
                {"role": "tool", "tool_call_id": "call_abc123", "name": "f", "content": "1"},
            ],
        )
    assert raised.value.status_code == 400
    assert "must be a-z, A-Z, 0-9, with a length of 9" in raised.value.body


# -- the adapter ----------------------------------------------------------------------------


def test_tool_ids_are_rewritten_deterministically() -> None:
    assert mistral_tool_id("D681PevKs") == "D681PevKs"  # already valid: untouched
    rewritten = mistral_tool_id("toolu_01NRLabsLyVHZPKxbKvkfSMn")
    assert len(rewritten) == 9 and rewritten.isalnum() and rewritten.isascii()
    assert rewritten == mistral_tool_id("toolu_01NRLabsLyVHZPKxbKvkfSMn")
    assert rewritten != mistral_tool_id("call_JMW1whyEaYG438VE1OIflxA2")


async def test_openai_written_tool_history_is_accepted(fake: FakeMistral) -> None:
    call = ToolCallPart("call_JMW1whyEaYG438VE1OIflxA2", "get_weather", {"city": "Nice"})
    provider = MistralProvider(ProviderConfig(api_key="test-key", base_url=fake.url + "/v1"))
    try:
        response = await provider.send_message(
            ChatRequest(
                model="mistral-large-latest",
                messages=(
                    Message.user("Nice?"),
                    Message("assistant", (call,)),
                    Message("user", (ToolResultPart(call.id, call.name, "warm"),)),
                ),
            )
        )
    finally:
        await provider.aclose()
    assert response.text == "Hello there!"
    sent = fake.requests[-1].body["messages"]
    assert sent[1]["tool_calls"][0]["id"] == sent[2]["tool_call_id"] == mistral_tool_id(call.id)
    assert sent[1]["tool_calls"][0]["function"]["arguments"] == '{"city":"Nice"}'


async def test_seven_b_alias_and_only_documented_fields(fake: FakeMistral) -> None:
    provider = MistralProvider(ProviderConfig(api_key="test-key", base_url=fake.url))
    try:
        await provider.send_message(
            ChatRequest(model="mistral-7b-instruct", messages=(Message.user("hi"),), top_p=0.5)
        )
        models = {m.id for m in await provider.get_models()}
    finally:
        await provider.aclose()
    body = fake.requests[0].body
    assert body["model"] == "open-mistral-7b"
    assert set(body) == {"model", "messages", "top_p", "stream"}
    assert {"mistral-large-latest", "mistral-medium-latest", "mistral-small-latest"} <= models
    assert "open-mistral-7b" in models and "mistral-embed" not in models
    assert provider.get_default_model() == "mistral-large-latest"
    assert not provider.get_capabilities("mistral-7b-instruct").vision


async def test_invalid_model_maps_to_model_not_found(fake: FakeMistral) -> None:
    fake.queue(Reply(failure=Failure.MODEL_NOT_FOUND))
    provider = MistralProvider(ProviderConfig(api_key="test-key", base_url=fake.url))
    try:
        with pytest.raises(ProviderModelNotFoundError) as raised:
            await provider.send_message(
                ChatRequest(model="mistral-huge", messages=(Message.user("x"),))
            )
    finally:
        await provider.aclose()
    assert "Invalid model: mistral-huge" in raised.value.message


async def test_an_empty_assistant_turn_is_not_sent(fake: FakeMistral) -> None:
    provider = MistralProvider(ProviderConfig(api_key="test-key", base_url=fake.url))
    history = (Message.user("hi"), Message("assistant", ()), Message.user("still there?"))
    try:
        await provider.send_message(ChatRequest(model="mistral-small-latest", messages=history))
    finally:
        await provider.aclose()
    sent = fake.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "user"]
