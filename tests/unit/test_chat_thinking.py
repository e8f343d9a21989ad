"""Visible thinking in the chat layer, without a server: the runner's frames and outcome, the
generation's saved parts and timing, history, and who gets a thinking parameter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from polychat.chat.history import to_provider_messages
from polychat.chat.hub import Generation
from polychat.chat.reasoning import model_reasons, wanted_effort
from polychat.chat.runner import Candidate, Outcome, run_generation
from polychat.chat.sse import frame, parse_frames, thinking_frame
from polychat.chat.store import StoredMessage
from polychat.providers.base import (
    BaseProvider,
    Capabilities,
    ChatRequest,
    ChatResponse,
    FinishEvent,
    KeyValidation,
    Message,
    ModelInfo,
    ProviderConfig,
    ProviderUnavailableError,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    Usage,
)
from polychat.providers.catalog import Catalog, ModelCache


class Scripted(BaseProvider):
    """Streams a fixed list of events (a `None` item waits until released); records requests."""

    name: ClassVar[str] = "scripted"
    display_name: ClassVar[str] = "Scripted"
    requires_key: ClassVar[bool] = False
    default_base_url: ClassVar[str] = "memory://scripted"

    def __init__(self, events: list[StreamEvent | None], *, fail: bool = False) -> None:
        super().__init__(ProviderConfig())
        self.events = events
        self.fail = fail
        self.requests: list[ChatRequest] = []
        self.release = asyncio.Event()
        self.waiting = asyncio.Event()  # set when the stream reaches a `None` pause
        self._models = ModelCache(
            "scripted",
            Catalog(
                "scripted",
                (
                    ModelInfo("thinker", "scripted", "Thinker", reasoning=True),
                    ModelInfo("plain", "scripted", "Plain"),
                ),
            ),
            ttl_s=60,
        )

    def get_default_model(self) -> str:
        return "thinker"

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        return Capabilities()

    async def get_models(self) -> list[ModelInfo]:
        return list(self._models.catalog.models)

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        return KeyValidation(True, self.instance_id, 0.0)

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        raise NotImplementedError

    async def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        if self.fail:
            raise ProviderUnavailableError("down", provider=self.instance_id)
        for ev in self.events:
            if ev is None:
                self.waiting.set()
                await self.release.wait()
                continue
            yield ev


def _gen() -> Generation:
    return Generation(
        message_id=5,
        conversation_id=1,
        user_id=1,
        user_message_id=4,
        provider="scripted",
        model="thinker",
        started_with=("scripted", "thinker"),
    )


def _request(model: str = "thinker") -> ChatRequest:
    return ChatRequest(model=model, messages=(Message.user("2+2?"),), reasoning="high")


async def _run(
    gen: Generation, candidates: list[Candidate], saved: list[Outcome], request: ChatRequest
) -> Outcome:
    async def finalize(_gen: Generation, outcome: Outcome) -> None:
        saved.append(outcome)

    return await run_generation(gen, request, candidates, finalize, prompt_chars=4, t0=0.0)


def test_thinking_frame_equals_generic_frame() -> None:
    for text in ["plain", 'quote " and \\ back', "line\nbreak", "émoji 🎉", ""]:
        assert thinking_frame(text) == frame("thinking", {"text": text})
        assert parse_frames(thinking_frame(text)) == [("thinking", {"text": text})]


async def test_thinking_streams_first_and_is_saved_apart_from_the_answer() -> None:
    provider = Scripted(
        [
            ThinkingDelta("Two and "),
            ThinkingDelta("two make four."),
            TextDelta("It is "),
            TextDelta("4."),
            FinishEvent("stop", Usage(3, 9)),
        ]
    )
    gen, saved = _gen(), []
    outcome = await _run(
        gen, [Candidate(provider, "scripted", "thinker", reasoning=True)], saved, _request()
    )
    names = [e for e, _ in parse_frames(b"".join(gen.frames))]
    assert names == ["thinking", "thinking", "delta", "delta", "usage", "done"]
    assert provider.requests[0].reasoning == "high"
    assert saved == [outcome]
    assert outcome.text == "It is 4." and outcome.thinking == "Two and two make four."
    assert outcome.thinking_ms is not None and outcome.thinking_ms >= 0
    assert gen.parts_so_far() == [
        {"v": 1, "kind": "thinking", "text": "Two and two make four.",
         "duration_ms": outcome.thinking_ms},
        {"v": 1, "kind": "text", "text": "It is 4."},
    ]  # fmt: skip


async def test_a_model_that_cannot_think_gets_no_thinking_parameter() -> None:
    down = Scripted([], fail=True)
    plain = Scripted([TextDelta("4"), FinishEvent("stop", Usage(1, 1))])
    gen, saved = _gen(), []
    candidates = [
        Candidate(down, "scripted", "thinker", reasoning=True),
        Candidate(plain, "other", "plain", reasoning=False),  # the failover target
    ]
    outcome = await _run(gen, candidates, saved, _request())
    assert down.requests[0].reasoning == "high"
    assert plain.requests[0].reasoning is None and plain.requests[0].model == "plain"
    assert outcome.text == "4" and outcome.thinking == "" and outcome.thinking_ms is None


async def test_a_stop_mid_thought_keeps_the_thinking_with_its_duration() -> None:
    provider = Scripted([ThinkingDelta("Hmm, let me"), None, TextDelta("never sent")])
    gen, saved = _gen(), []
    task = asyncio.create_task(
        _run(gen, [Candidate(provider, "scripted", "thinker", reasoning=True)], saved, _request())
    )
    await asyncio.wait_for(provider.waiting.wait(), 2)
    assert gen.parts_so_far() == [
        {"v": 1, "kind": "thinking", "text": "Hmm, let me", "duration_ms": None}
    ]
    assert gen.request_stop("user")
    outcome = await asyncio.wait_for(task, 2)
    assert outcome.status == "stopped" and outcome.text == ""
    assert outcome.thinking == "Hmm, let me"
    assert outcome.thinking_ms is not None  # thought until the stop
    events = parse_frames(b"".join(gen.frames))
    assert events[0] == ("thinking", {"text": "Hmm, let me"})
    assert events[-1][0] == "done" and events[-1][1]["status"] == "stopped"
    # Without counts from the provider, the reasoning counts as output.
    assert outcome.tokens.estimated and outcome.tokens.output_tokens > 0


def test_thinking_duration_runs_from_first_thought_to_first_text() -> None:
    gen = _gen()
    assert gen.thinking_ms(10.0) is None  # did not think
    gen.thinking_started = 1.0
    assert gen.thinking_ms() is None  # still thinking, end unknown
    assert gen.thinking_ms(3.5) == 2500  # stopped at 3.5 s without answering
    gen.text_started = 2.25
    assert gen.thinking_ms(9.0) == 1250
    gen.text_started = 0.5  # text before any thinking: only the end bounds it
    assert gen.thinking_ms(4.0) == 3000


def test_history_never_carries_thinking() -> None:
    answer = StoredMessage(
        2,
        1,
        "assistant",
        "It is 4.",
        [
            {"kind": "thinking", "text": "secret reasoning", "duration_ms": 900},
            {"kind": "text", "text": "It is 4."},
        ],
        "complete",
    )
    only_thought = StoredMessage(
        4, 3, "assistant", "", [{"kind": "thinking", "text": "hmm", "duration_ms": None}],
        "stopped",
    )  # fmt: skip
    out = to_provider_messages(
        [
            StoredMessage(1, None, "user", "2+2?", None, "complete"),
            answer,
            StoredMessage(3, 2, "user", "and 3+3?", None, "complete"),
            only_thought,
        ]
    )
    assert [(m.role, m.parts) for m in out] == [
        ("user", (TextPart("2+2?"),)),
        ("assistant", (TextPart("It is 4."),)),
        ("user", (TextPart("and 3+3?"),)),
    ]


def test_effort_and_model_knowledge() -> None:
    assert [wanted_effort(v) for v in ("off", "low", "medium", "high", None, "max", 3)] == [
        None,
        "low",
        "medium",
        "high",
        None,
        None,
        None,
    ]
    provider = Scripted([])
    info = provider.known_model("thinker")
    assert info is not None and info.reasoning
    assert model_reasons(provider, "thinker")
    assert not model_reasons(provider, "plain")
    assert not model_reasons(provider, "unknown-model")


def test_a_live_list_entry_decides_over_the_catalog() -> None:
    provider = Scripted([])
    cache: Any = provider._models
    cache._models = [ModelInfo("plain", "scripted", "Plain", reasoning=True)]
    assert model_reasons(provider, "plain")
