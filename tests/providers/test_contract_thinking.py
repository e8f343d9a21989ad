"""Visible thinking, the provider half of the contract: every harness with a reasoning model.

A reply that thinks streams its reasoning as `ThinkingDelta`s before the first `TextDelta`
(what the UI shows as "Thinking…" above the answer); each effort puts that provider's own
thinking parameter on the wire; `reasoning=None` sends none at all; the catalog says which
models can think.
"""

from __future__ import annotations

import asyncio

import pytest

from polychat.providers.base import (
    BaseProvider,
    FinishEvent,
    ReasoningEffort,
    TextDelta,
    ThinkingDelta,
)
from polychat.providers.catalog import load_catalog
from tests.fakes.script import Reply
from tests.fakes.server import FakeServer
from tests.providers.harness import ProviderHarness
from tests.providers.test_contract import ask, collect, each, text_of

EFFORTS: tuple[ReasoningEffort, ...] = ("low", "medium", "high")
REASONING = "The user greets me. A short, warm greeting back is enough."


def reasons(h: ProviderHarness) -> bool:
    return h.reasoning_model is not None


@each(reasons)
async def test_thinking_streams_before_the_answer(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="Hello! How can I help?", chunks=3, thinking=REASONING))
    events = await collect(
        provider.stream_message(ask(h, model=h.reasoning_model, reasoning="medium"))
    )
    thinking = [e for e in events if isinstance(e, ThinkingDelta)]
    assert text_of(events) == "Hello! How can I help?"
    assert isinstance(events[-1], FinishEvent) and events[-1].reason == "stop"
    if not h.streams_thinking:
        assert thinking == []  # the API never returns reasoning text: nothing to show
        return
    assert "".join(e.text for e in thinking) == REASONING
    assert len(thinking) == 3
    first_text = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    last_thought = max(i for i, e in enumerate(events) if isinstance(e, ThinkingDelta))
    assert last_thought < first_text


@each(reasons)
@pytest.mark.parametrize("effort", EFFORTS)
async def test_each_effort_puts_the_thinking_parameter_on_the_wire(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider, effort: ReasoningEffort
) -> None:
    await collect(provider.stream_message(ask(h, model=h.reasoning_model, reasoning=effort)))
    assert h.wire.reasoning(h.last_chat_body(fake)) == h.reasoning_wire.get(effort)


@each(reasons)
async def test_no_reasoning_sends_no_thinking_parameter(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="Plain answer."))
    events = await collect(provider.stream_message(ask(h, model=h.reasoning_model)))
    assert text_of(events) == "Plain answer."
    assert h.wire.reasoning(h.last_chat_body(fake)) is None


@each(reasons)
async def test_send_message_with_reasoning_returns_the_answer_text(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="Forty-two.", thinking=REASONING))
    response = await provider.send_message(ask(h, model=h.reasoning_model, reasoning="high"))
    assert response.text == "Forty-two."  # reasoning is never mixed into the answer
    assert h.wire.reasoning(h.last_chat_body(fake)) == h.reasoning_wire.get("high")


@each(lambda h: reasons(h) and load_catalog(h.provider_cls.name).models)
async def test_catalog_marks_the_reasoning_model(h: ProviderHarness) -> None:
    catalog = load_catalog(h.provider_cls.name)
    model = str(h.reasoning_model)
    # Ollama's catalog names the model, its list names model:tag.
    info = catalog.get(model) or catalog.get(model.split(":", 1)[0])
    assert info is not None and info.reasoning


@each(reasons)
async def test_model_list_marks_the_reasoning_model(
    h: ProviderHarness, provider: BaseProvider
) -> None:
    models = {m.id: m for m in await provider.get_models()}
    assert models[str(h.reasoning_model)].reasoning is h.reasoning_listed


@each(lambda h: reasons(h) and h.streams_thinking)
async def test_closing_the_stream_while_thinking_closes_the_upstream(
    h: ProviderHarness, fake: FakeServer, provider: BaseProvider
) -> None:
    fake.queue(Reply(text="late", thinking="y" * 200, thinking_chunks=200, chunk_delay_s=0.05))
    stream = provider.stream_message(ask(h, model=h.reasoning_model, reasoning="low"))
    async with asyncio.timeout(5):
        async for event in stream:
            if isinstance(event, ThinkingDelta):
                break
    await stream.aclose()  # type: ignore[attr-defined]
    for _ in range(150):  # up to 3 s; the whole reasoning would take 10 s
        if fake.state.closed_streams >= 1:
            break
        await asyncio.sleep(0.02)
    assert fake.state.closed_streams == 1
    assert fake.state.open_streams == 0
