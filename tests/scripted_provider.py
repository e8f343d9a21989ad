"""A scripted, in-process provider for chat-layer tests (the way pydantic-ai's FunctionModel
stands in for a model), beside the wire-faithful fakes of `tests/fakes/`.

The fakes prove that an adapter speaks a vendor's wire format. Tests of the chat layer (what
history a turn sends after an edit, a failed or stopped answer, failover, what is saved when a
stream breaks) do not need a wire at all: they need a provider that says exactly what the test
wants, when it wants, and tells afterwards what it was asked. That is this module:

- `ScriptedProvider` is a real `BaseProvider`; the chat service drives it like any other.
- Its answers are *steps*: the neutral stream events of `providers.base` (`TextDelta`,
  `ThinkingDelta`, `ToolCallEnd`, `UsageEvent`, `FinishEvent`, ...) plus `Fail` (raise a
  `ProviderError` at that point), `Sleep` and `Hold` (pause until the test releases it, so a
  test can stop or inspect an answer mid-stream). An answer that ends without a
  `FinishEvent` gets one (`stop`), as every real adapter sends one.
- The script is a list of answers (one per request, in order) or a function of the
  `ChatRequest` returning an answer.
- Every request is recorded (`requests`); a stream closed by its consumer before its last
  step (a stop, a shutdown) is recorded again in `abandoned`.

The app builds provider instances itself, from a class and a `ProviderConfig` (the pool in
`keys/pool.py`), so a script is bound to a class: `ScriptedProvider.bind(...)` returns a new
subclass, and every instance the app builds of it shares the script and the records.
`install(app, cls)` registers such classes with a running app through its registry, exactly
as an entry-point plugin is registered, with no HTTP server and no change to the app.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fastapi import FastAPI

from polychat.providers.base import (
    BaseProvider,
    Capabilities,
    ChatRequest,
    ChatResponse,
    ContentPart,
    FinishEvent,
    FinishReason,
    KeyValidation,
    ModelInfo,
    ProviderError,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ToolCallEnd,
    Usage,
    UsageEvent,
)


@dataclass(frozen=True, slots=True)
class Fail:
    """Raise `error` at this point of the answer (before any text: a failover case; after
    some text: a broken stream)."""

    error: ProviderError


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(eq=False)
class Hold:
    """Pause the answer here until the test calls `release()`. `reached` is set when the
    stream gets here, so a test can act mid-answer (stop it, read it) at a known point."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.released.set()


Step = StreamEvent | Fail | Sleep | Hold
Answer = Sequence[Step]
Script = Sequence[Answer] | Callable[[ChatRequest], Iterable[Step]]


def say(
    *chunks: str,
    usage: Usage | None = None,
    finish: FinishReason = "stop",
    thinking: Sequence[str] = (),
) -> list[Step]:
    """An ordinary answer: its thinking pieces, its text pieces, usage, then the finish."""
    steps: list[Step] = [ThinkingDelta(t) for t in thinking]
    steps += [TextDelta(c) for c in chunks]
    return [*steps, FinishEvent(finish, usage or Usage(12, len(chunks)))]


def fail(error: type[ProviderError], message: str = "scripted failure", **kw: Any) -> Fail:
    """`Fail` with an error of the provider family, e.g. `fail(ProviderOverloadedError)`.
    The provider named in the error is filled in when the step runs."""
    return Fail(error(message, provider="", **kw))


class ScriptExhaustedError(AssertionError):
    """The provider was asked more often than its script has answers: a test bug, said
    plainly rather than turned into a provider error the chat layer would swallow."""


@dataclass(frozen=True, slots=True)
class _Answers:
    """A script as one callable (an object, not a function, so that as a class attribute it
    is not bound as a method)."""

    script: Script
    name: str
    turns: Iterator[int] = field(default_factory=itertools.count)

    def __call__(self, request: ChatRequest) -> list[Step]:
        if callable(self.script):
            return list(self.script(request))
        turn = next(self.turns)
        if turn >= len(self.script):
            raise ScriptExhaustedError(
                f"{self.name} was asked {turn + 1} times; its script has {len(self.script)}"
                f" answers. Last request: {request!r}"
            )
        return list(self.script[turn])


class ScriptedProvider(BaseProvider):
    """A provider whose answers come from a script; see the module docstring. Use `bind` to
    get a class with its own script, name and records."""

    name: ClassVar[str] = "scripted"
    display_name: ClassVar[str] = "Scripted (tests)"
    requires_key: ClassVar[bool] = False
    default_base_url: ClassVar[str] = "memory://scripted"

    answers: ClassVar[_Answers] = _Answers((), "scripted")
    models: ClassVar[tuple[ModelInfo, ...]] = (ModelInfo("scripted-1", "scripted", "scripted-1"),)
    requests: ClassVar[list[ChatRequest]] = []
    """Every request received, in order (streamed or not)."""
    abandoned: ClassVar[list[ChatRequest]] = []
    """Requests whose stream its consumer closed before the script's end (stop, shutdown)."""

    @classmethod
    def bind(
        cls,
        script: Script,
        *,
        name: str = "scripted",
        models: Iterable[ModelInfo | str] = ("scripted-1",),
    ) -> type[ScriptedProvider]:
        """A new provider class named `name` answering from `script`. `models` are its model
        list (ids, or `ModelInfo` for vision/reasoning models); the first is the default."""
        infos = tuple(
            m if isinstance(m, ModelInfo) else ModelInfo(m, name, m, is_default=i == 0)
            for i, m in enumerate(models)
        )
        attrs: dict[str, Any] = {
            "name": name,
            "display_name": f"Scripted {name}",
            "answers": _Answers(script, name),
            "models": infos,
            "requests": [],
            "abandoned": [],
        }
        return type(f"Scripted_{name}", (cls,), attrs)

    # -- what the app asks a provider ---------------------------------------------------------

    def get_default_model(self) -> str:
        return self.models[0].id

    def known_model(self, model_id: str) -> ModelInfo | None:
        return next((m for m in self.models if m.id == model_id), None)

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        info = self.known_model(model or self.get_default_model())
        return Capabilities(
            vision=info is not None and info.vision, tools=info is not None and info.tools
        )

    async def get_models(self) -> list[ModelInfo]:
        return list(self.models)

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        return KeyValidation(True, self.instance_id, 0.0)

    # -- answering ----------------------------------------------------------------------------

    async def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        steps = self.answers(request)
        ended = False
        try:
            for step in steps:
                if isinstance(step, Fail):
                    ended = True
                    step.error.provider = step.error.provider or self.instance_id
                    raise step.error
                if isinstance(step, Sleep):
                    await asyncio.sleep(step.seconds)
                elif isinstance(step, Hold):
                    step.reached.set()
                    await step.released.wait()
                else:
                    yield step
            if not any(isinstance(s, FinishEvent) for s in steps):
                yield FinishEvent("stop", None, "scripted-0", request.model)
            ended = True
        finally:
            if not ended:
                self.abandoned.append(request)

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        parts: list[ContentPart] = []
        text = ""
        usage = Usage()
        reason: FinishReason = "stop"
        async for event in self.stream_message(request):
            if isinstance(event, TextDelta):
                text += event.text
            elif isinstance(event, ToolCallEnd):
                parts.append(event.call)
            elif isinstance(event, UsageEvent):
                usage = event.usage
            elif isinstance(event, FinishEvent):
                reason = event.reason
                usage = event.usage or usage
        if text:
            parts.insert(0, TextPart(text))
        return ChatResponse(
            "scripted-0", self.instance_id, request.model, tuple(parts), usage, reason
        )


async def install(app: FastAPI, *providers: type[ScriptedProvider]) -> None:
    """Register scripted provider classes with a running app (its lifespan entered), the way
    an entry-point plugin is registered, and make the app see them at once."""
    access = app.state.provider_access
    for cls in providers:
        access.registry.register_class(cls)
    await access.invalidate()
