"""A third-party provider, as a plugin package would ship it: one class, one entry point.

It knows nothing of Polychat's registry; the only thing tying it in is the line
`echo = tests.plugins.polychat_echo:EchoProvider` under `[polychat.providers]` in its
distribution's entry_points.txt. It echoes the last user message back, word by word.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import ClassVar

from polychat.providers.base import (
    BaseProvider,
    Capabilities,
    ChatRequest,
    ChatResponse,
    FinishEvent,
    KeyValidation,
    ModelInfo,
    StreamEvent,
    TextDelta,
    TextPart,
    Usage,
)


class EchoProvider(BaseProvider):
    name: ClassVar[str] = "echo"
    display_name: ClassVar[str] = "Echo (plugin)"
    requires_key: ClassVar[bool] = False
    default_base_url: ClassVar[str] = "memory://echo"

    def get_default_model(self) -> str:
        return "echo-1"

    def get_capabilities(self, model: str | None = None) -> Capabilities:
        return Capabilities()

    async def get_models(self) -> list[ModelInfo]:
        return [ModelInfo("echo-1", self.instance_id, "Echo 1", is_default=True)]

    async def validate_api_key(self, api_key: str | None = None) -> KeyValidation:
        return KeyValidation(True, self.instance_id, 0.0)

    def _answer(self, request: ChatRequest) -> str:
        return f"echo: {request.messages[-1].text}"

    async def send_message(self, request: ChatRequest) -> ChatResponse:
        text = self._answer(request)
        return ChatResponse("echo-0", self.instance_id, request.model, (TextPart(text),),
                            Usage(), "stop")  # fmt: skip

    async def stream_message(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        for word in self._answer(request).split(" "):
            yield TextDelta(word + " ")
        yield FinishEvent("stop", Usage(), "echo-0", request.model)
