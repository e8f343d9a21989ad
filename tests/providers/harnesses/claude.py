"""Claude in the contract suite: the Anthropic fake, read back in Messages API shapes."""

from __future__ import annotations

from typing import Any

from polychat.providers.base import ProviderOverloadedError
from polychat.providers.claude import ClaudeProvider
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.script import Failure
from tests.providers.harness import ProviderHarness


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


class AnthropicWire:
    def turns(self, body: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for message in body["messages"]:
            text = "".join(b["text"] for b in _blocks(message) if b["type"] == "text")
            if text:
                out.append((message["role"], text))
        return out

    def system(self, body: Any) -> str | None:
        system = body.get("system")
        if isinstance(system, list):
            return "".join(b["text"] for b in system)
        return system

    def images(self, body: Any) -> list[tuple[str, str]]:
        return [
            (b["source"]["media_type"], b["source"]["data"])
            for m in body["messages"]
            for b in _blocks(m)
            if b["type"] == "image"
        ]

    def tool_calls(self, body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [
            (b["name"], b["input"])
            for m in body["messages"]
            for b in _blocks(m)
            if b["type"] == "tool_use"
        ]

    def tool_results(self, body: Any) -> list[str]:
        return [
            b["content"] if isinstance(b["content"], str) else b["content"][0]["text"]
            for m in body["messages"]
            for b in _blocks(m)
            if b["type"] == "tool_result"
        ]

    def tool_names(self, body: Any) -> list[str]:
        return [t["name"] for t in body.get("tools", [])]

    def max_tokens(self, body: Any) -> int | None:
        return body.get("max_tokens")

    def temperature(self, body: Any) -> float | None:
        return body.get("temperature")

    def reasoning(self, body: Any) -> Any:
        """The thinking parameter with the effort that goes with it (adaptive models take
        the effort in `output_config`); None when the request does not ask to think."""
        thinking = body.get("thinking")
        if thinking is None:
            return None
        return {"thinking": thinking, "output_config": body.get("output_config")}


HARNESSES = [
    ProviderHarness(
        id="claude",
        provider_cls=ClaudeProvider,
        make_fake=FakeAnthropic,
        base_url=lambda fake: fake.url,
        wire=AnthropicWire(),
        chat_model="claude-sonnet-4-6",
        vision_model="claude-sonnet-4-6",
        text_only_model=None,  # every current Claude model takes images
        chat_path="/v1/messages",
        expected_errors={Failure.ERROR_MID_STREAM: ProviderOverloadedError},
        key_check_path="/v1/models",
        models_path="/v1/models",
        reasoning_model="claude-sonnet-4-6",
        # Sonnet 4.6 thinks adaptively: no budget, the effort itself, the summary shown.
        reasoning_wire={
            effort: {
                "thinking": {"type": "adaptive", "display": "summarized"},
                "output_config": {"effort": effort},
            }
            for effort in ("low", "medium", "high")
        },
    )
]
