"""Ollama-only behaviour: the fake against the ollama SDK, no key, a server that is down."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import ollama
import pytest

from polychat.providers.base import (
    ChatRequest,
    ImagePart,
    Message,
    ProviderConfig,
    ProviderUnavailableError,
    TextPart,
)
from polychat.providers.ollama import OllamaProvider
from tests.fakes.ollama import FakeOllama
from tests.fakes.script import Failure, Reply, ToolCallScript

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        yield server  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _clean(fake: FakeOllama) -> None:
    fake.state.reset()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the fake, read by the official SDK used directly ---------------------------------------


async def test_sdk_streams_ndjson_and_reads_the_done_line(fake: FakeOllama) -> None:
    fake.queue(Reply(text="Hello there!", chunks=2, input_tokens=26, output_tokens=3))
    client = ollama.AsyncClient(host=fake.url)
    parts = [
        p
        async for p in await client.chat(
            "llama3.2", [{"role": "user", "content": "hi"}], stream=True
        )
    ]
    assert "".join(p.message.content or "" for p in parts) == "Hello there!"
    assert [p.done for p in parts] == [False, False, True]
    assert (parts[-1].done_reason, parts[-1].prompt_eval_count, parts[-1].eval_count) == (
        "stop",
        26,
        3,
    )
    assert fake.requests[-1].body["stream"] is True


async def test_sdk_reads_whole_tool_calls_with_object_arguments(fake: FakeOllama) -> None:
    fake.queue(Reply(text="", tool_calls=[ToolCallScript("get_weather", {"city": "Tokyo"})]))
    res = await ollama.AsyncClient(host=fake.url).chat(
        "llama3.2", [{"role": "user", "content": "x"}]
    )
    call = res.message.tool_calls[0]  # type: ignore[index]
    assert (call.function.name, dict(call.function.arguments)) == ("get_weather", {"city": "Tokyo"})
    assert res.done_reason == "stop"


async def test_sdk_sees_errors_as_bare_strings(fake: FakeOllama) -> None:
    client = ollama.AsyncClient(host=fake.url)
    fake.queue(Reply(failure=Failure.MODEL_NOT_FOUND))
    with pytest.raises(ollama.ResponseError) as missing:
        await client.chat("nope", [{"role": "user", "content": "x"}])
    assert (missing.value.status_code, missing.value.error) == (404, "model 'nope' not found")
    fake.queue(Reply(failure=Failure.ERROR_MID_STREAM, text="a b c", chunks=3))
    with pytest.raises(ollama.ResponseError) as mid:
        async for _ in await client.chat(
            "llama3.2", [{"role": "user", "content": "x"}], stream=True
        ):
            pass
    assert mid.value.error == "an error was encountered while running the model"


async def test_the_fake_speaks_ndjson_and_checks_the_request_shape(fake: FakeOllama) -> None:
    async with httpx.AsyncClient(base_url=fake.url) as client:
        ok = await client.post("/api/chat", json={"model": "llama3.2", "messages": []})
        no_model = await client.post("/api/chat", json={"messages": []})
        data_url = await client.post(
            "/api/chat",
            json={
                "model": "llava",
                "messages": [
                    {"role": "user", "content": "x", "images": ["data:image/png;base64,AAAA"]}
                ],
            },
        )
        version = await client.get("/api/version")
    assert ok.headers["content-type"] == "application/x-ndjson"
    assert ok.text.count("\n") == 4 and '"done":true' in ok.text.splitlines()[-1]
    assert (no_model.status_code, no_model.json()) == (400, {"error": "model is required"})
    assert data_url.status_code == 400
    assert version.json() == {"version": "0.12.6"}


# -- the adapter ----------------------------------------------------------------------------


async def test_images_go_as_raw_base64_and_options_carry_parameters(fake: FakeOllama) -> None:
    provider = OllamaProvider(ProviderConfig(base_url=fake.url))
    message = Message("user", (TextPart("What is it?"), ImagePart("image/png", PNG)))
    try:
        await provider.send_message(
            ChatRequest(
                model="llava:latest", messages=(message,), max_tokens=9, top_p=0.9, stop=("END",)
            )
        )
    finally:
        await provider.aclose()
    body = fake.requests[-1].body
    assert body["messages"] == [{"role": "user", "content": "What is it?", "images": [PNG]}]
    assert body["options"] == {"num_predict": 9, "top_p": 0.9, "stop": ["END"]}
    assert body["stream"] is False
    assert "authorization" not in fake.requests[-1].headers


async def test_an_unknown_pulled_model_gets_vision_from_its_families(fake: FakeOllama) -> None:
    provider = OllamaProvider(ProviderConfig(base_url=fake.url))
    try:
        models = {m.id: m for m in await provider.get_models()}
    finally:
        await provider.aclose()
    assert "nomic-embed-text:latest" not in models
    assert models["llama3.2:latest"].is_default
    assert provider.get_capabilities("llava:latest").vision
    assert not provider.get_capabilities("qwen3:8b").vision


async def test_a_server_that_is_down_says_how_to_start_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    provider = OllamaProvider(ProviderConfig(base_url=url, max_retries=0))
    request = ChatRequest(model="llama3.2", messages=(Message.user("hi"),))
    try:
        with pytest.raises(ProviderUnavailableError) as sent:
            await provider.send_message(request)
        with pytest.raises(ProviderUnavailableError) as streamed:
            async for _ in provider.stream_message(request):
                pass
        check = await provider.validate_api_key()
        models = await provider.get_models()
    finally:
        await provider.aclose()
    for error in (sent.value, streamed.value, check.error):
        assert error is not None and "ollama serve" in error.message and url in error.message
    assert not check.success
    assert models[0].id == "llama3.2"  # the shipped catalog
