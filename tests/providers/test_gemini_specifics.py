"""Gemini-only behaviour: the fake against google-genai, key errors, pagination, signatures."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from google import genai
from google.genai import errors as genai_errors

from polychat.providers.base import (
    ChatRequest,
    Message,
    ProviderAuthError,
    ProviderConfig,
    ProviderRateLimitError,
    ToolCallPart,
    ToolResultPart,
)
from polychat.providers.gemini import SKIP_SIGNATURE, GeminiProvider, map_gemini_error
from tests.fakes.gemini import FakeGemini
from tests.fakes.script import Failure, Reply, ToolCallScript


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGemini]:
    with FakeGemini() as server:
        yield server  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _clean(fake: FakeGemini) -> None:
    fake.state.reset()


def sdk(fake: FakeGemini, key: str = "test-key") -> genai.Client:
    return genai.Client(
        api_key=key, http_options={"base_url": fake.url + "/", "api_version": "v1beta"}
    )


def provider(fake: FakeGemini, key: str = "test-key") -> GeminiProvider:
    return GeminiProvider(ProviderConfig(api_key=key, base_url=fake.url + "/v1beta"))


# -- the fake, read by the official SDK used directly ---------------------------------------


async def test_sdk_parses_the_crlf_stream_and_the_last_usage(fake: FakeGemini) -> None:
    fake.queue(
        Reply(text="The capital of France is Paris.", chunks=3, input_tokens=13, output_tokens=8)
    )
    chunks = [
        c
        async for c in await sdk(fake).aio.models.generate_content_stream(
            model="gemini-2.5-flash", contents="Capital of France?"
        )
    ]
    assert "".join(c.text or "" for c in chunks) == "The capital of France is Paris."
    assert [c.candidates[0].finish_reason for c in chunks][-1] == "STOP"  # type: ignore[index]
    assert chunks[0].usage_metadata.candidates_token_count is None  # type: ignore[union-attr]
    last = chunks[-1].usage_metadata
    assert last is not None and (last.prompt_token_count, last.candidates_token_count) == (13, 8)


async def test_the_stream_is_crlf_separated_with_no_terminator(fake: FakeGemini) -> None:
    fake.queue(Reply(text="ab", chunks=2))
    async with httpx.AsyncClient(base_url=fake.url) as client:
        res = await client.post(
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=test-key",
            json={"contents": [{"role": "user", "parts": [{"text": "x"}]}]},
        )
    assert res.headers["content-type"].startswith("text/event-stream")
    events = res.content.split(b"\r\n\r\n")
    assert events[-1] == b"" and len(events) == 3
    assert all(e.startswith(b"data: {") for e in events[:-1])
    assert b"[DONE]" not in res.content


async def test_sdk_parses_a_function_call_that_finishes_with_stop(fake: FakeGemini) -> None:
    fake.queue(Reply(text="", tool_calls=[ToolCallScript("get_capital", {"country": "France"})]))
    res = await sdk(fake).aio.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert res.function_calls is not None
    call = res.function_calls[0]
    assert (call.name, call.args, call.id) == ("get_capital", {"country": "France"}, None)
    assert res.candidates[0].finish_reason == "STOP"  # type: ignore[index]


async def test_sdk_sees_invalid_key_as_400_api_key_invalid(fake: FakeGemini) -> None:
    with pytest.raises(genai_errors.ClientError) as raised:
        await sdk(fake, key="wrong").aio.models.generate_content(
            model="gemini-2.5-flash", contents="x"
        )
    assert (raised.value.code, raised.value.status) == (400, "INVALID_ARGUMENT")
    assert "API_KEY_INVALID" in str(raised.value.details)
    assert isinstance(map_gemini_error(raised.value), ProviderAuthError)


async def test_sdk_sees_the_retry_delay_in_the_body(fake: FakeGemini) -> None:
    fake.queue(Reply(failure=Failure.RATE_LIMIT, retry_after_s=37))
    with pytest.raises(genai_errors.ClientError) as raised:
        await sdk(fake).aio.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert raised.value.status == "RESOURCE_EXHAUSTED"
    mapped = map_gemini_error(raised.value)
    assert isinstance(mapped, ProviderRateLimitError) and mapped.retry_after == 37


async def test_sdk_pages_through_the_model_list(fake: FakeGemini) -> None:
    pager = await sdk(fake).aio.models.list(config={"page_size": 50})
    names = [m.name async for m in pager]
    assert names[0] == "models/gemini-2.5-flash" and len(names) == 8
    assert len([r for r in fake.requests if r.path == "/v1beta/models"]) == 4


async def test_the_fake_checks_keys_and_roles_like_the_api(fake: FakeGemini) -> None:
    body = {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}
    url = "/v1beta/models/gemini-2.5-flash:generateContent"
    async with httpx.AsyncClient(base_url=fake.url) as client:
        missing = await client.post(url, json=body)
        role = await client.post(url, json=body, headers={"x-goog-api-key": "test-key"})
    assert missing.status_code == 403
    assert missing.json()["error"]["status"] == "PERMISSION_DENIED"
    assert role.status_code == 400
    assert role.json()["error"]["message"] == "Please use a valid role: user, model."


# -- the adapter ----------------------------------------------------------------------------


async def test_models_are_unprefixed_paginated_and_chat_only(fake: FakeGemini) -> None:
    p = provider(fake)
    try:
        ids = [m.id for m in await p.get_models()]
    finally:
        await p.aclose()
    assert ids == [
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gemini-3-flash-preview",
        "gemini-2.0-flash",
        "gemma-3-27b-it",
    ]


async def test_history_uses_model_role_and_named_function_responses(fake: FakeGemini) -> None:
    call = ToolCallPart("toolu_01NRLabs", "get_weather", {"city": "Rome"})
    p = provider(fake)
    try:
        await p.send_message(
            ChatRequest(
                model="gemini-3-pro-preview",
                system="Be brief.",
                messages=(
                    Message.user("Rome?"),
                    Message("assistant", (call,)),
                    Message("user", (ToolResultPart(call.id, "", "hot", is_error=True),)),
                ),
            )
        )
    finally:
        await p.aclose()
    body = fake.requests[-1].body
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    call_part = body["contents"][1]["parts"][0]
    assert call_part["functionCall"] == {"name": "get_weather", "args": {"city": "Rome"}}
    assert call_part["thoughtSignature"] == SKIP_SIGNATURE  # foreign history on Gemini 3
    response = body["contents"][2]["parts"][0]["functionResponse"]
    assert response == {"name": "get_weather", "response": {"error": "hot"}}
    assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}]


async def test_validate_reports_a_bad_key_without_raising(fake: FakeGemini) -> None:
    p = provider(fake, key="wrong")
    try:
        result = await p.validate_api_key()
    finally:
        await p.aclose()
    assert not result.success and isinstance(result.error, ProviderAuthError)
    assert fake.requests[-1].query == {"pageSize": "1"}


async def test_gemma_gets_its_system_prompt_as_a_first_user_turn(fake: FakeGemini) -> None:
    p = provider(fake)
    try:
        await p.send_message(
            ChatRequest(model="gemma-3-27b-it", system="Be brief.", messages=(Message.user("Hi"),))
        )
    finally:
        await p.aclose()
    body = fake.requests[-1].body
    assert "systemInstruction" not in body
    assert body["contents"][0] == {"role": "user", "parts": [{"text": "Be brief."}]}
    assert not p.get_capabilities("gemma-3-27b-it").tools
