"""Ollama thinking beyond the shared contract: the SDK reads the fake's `message.thinking`, a
model that cannot think is asked again without `think` (and remembered), gpt-oss gets the
effort itself, and the name rule marks the pulled models that can think."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import ollama
import pytest

from polychat.providers.base import (
    ChatRequest,
    Message,
    ProviderConfig,
    ReasoningEffort,
    ThinkingDelta,
)
from polychat.providers.ollama import OllamaProvider, think_value, thinks
from tests.fakes.ollama import FakeOllama
from tests.fakes.script import Reply
from tests.providers.test_contract import collect, text_of

THOUGHT = "Okay, the user wants a greeting. Keep it short."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        yield server


@pytest.fixture
async def local(fake: FakeOllama) -> AsyncIterator[OllamaProvider]:
    fake.state.reset()
    provider = OllamaProvider(ProviderConfig(base_url=fake.url, retry_max_delay_s=0.01))
    yield provider
    await provider.aclose()


def ask(model: str, effort: ReasoningEffort | None = "medium") -> ChatRequest:
    return ChatRequest(model=model, messages=(Message.user("Hi"),), reasoning=effort)


async def test_the_sdk_reads_message_thinking(fake: FakeOllama) -> None:
    fake.state.reset()
    fake.queue(
        Reply(text="Hello!", thinking=THOUGHT, thinking_chunks=2),
        Reply(text="Hi.", thinking=THOUGHT),
    )
    client = ollama.AsyncClient(host=fake.url)
    lines = [
        r
        async for r in await client.chat(
            model="qwen3:8b", messages=[{"role": "user", "content": "Hi"}], think=True, stream=True
        )
    ]
    assert "".join(r.message.thinking or "" for r in lines) == THOUGHT
    assert "".join(r.message.content or "" for r in lines) == "Hello!"
    whole = await client.chat(
        model="qwen3:8b", messages=[{"role": "user", "content": "Hi"}], think=True
    )
    assert whole.message.thinking == THOUGHT and whole.message.content == "Hi."
    with pytest.raises(ollama.ResponseError) as refused:
        await client.chat(
            model="llama3.2:latest", messages=[{"role": "user", "content": "Hi"}], think=True
        )
    assert refused.value.status_code == 400
    assert refused.value.error == '"llama3.2:latest" does not support thinking'


async def test_a_model_that_cannot_think_is_asked_again_without_think(
    fake: FakeOllama, local: OllamaProvider
) -> None:
    fake.queue(Reply(text="Hello from llama."), Reply(text="Still llama."))
    events = await collect(local.stream_message(ask("llama3.2:latest")))
    assert text_of(events) == "Hello from llama."
    assert not any(isinstance(e, ThinkingDelta) for e in events)
    bodies = [r.body for r in fake.requests if r.path == "/api/chat"]
    assert [b.get("think") for b in bodies] == [True, None]

    # Remembered: the next turn goes straight to the request without `think`.
    response = await local.send_message(ask("llama3.2:latest", "high"))
    assert response.text == "Still llama."
    bodies = [r.body for r in fake.requests if r.path == "/api/chat"]
    assert len(bodies) == 3 and "think" not in bodies[-1]


async def test_send_message_also_retries_without_think(
    fake: FakeOllama, local: OllamaProvider
) -> None:
    fake.queue(Reply(text="No thoughts here."))
    response = await local.send_message(ask("mistral-small3.2:latest", "low"))
    assert response.text == "No thoughts here."
    bodies = [r.body for r in fake.requests if r.path == "/api/chat"]
    assert [b.get("think") for b in bodies] == [True, None]


async def test_thinking_streams_from_a_thinking_model(
    fake: FakeOllama, local: OllamaProvider
) -> None:
    fake.queue(Reply(text="Hello!", thinking=THOUGHT))
    events = await collect(local.stream_message(ask("deepseek-r1:8b", "high")))
    assert "".join(e.text for e in events if isinstance(e, ThinkingDelta)) == THOUGHT
    assert text_of(events) == "Hello!"
    assert fake.requests[-1].body["think"] is True


def test_gpt_oss_gets_the_effort_and_others_a_boolean() -> None:
    assert think_value("gpt-oss:20b", "low") == "low"
    assert think_value("gpt-oss", "high") == "high"
    assert think_value("qwen3:8b", "low") is True


def test_name_rule() -> None:
    assert thinks("qwen3:8b") and thinks("library/deepseek-r1:latest") and thinks("gpt-oss")
    assert not thinks("llama3.2:latest") and not thinks("qwen3-coder:30b")


async def test_live_list_marks_the_models_that_think(local: OllamaProvider) -> None:
    models = {m.id: m for m in await local.get_models()}
    assert models["qwen3:8b"].reasoning and models["deepseek-r1:8b"].reasoning
    assert not models["llama3.2:latest"].reasoning
    assert not models["mistral-small3.2:latest"].reasoning
