"""Ollama in the contract suite: the ollama SDK against the native-API fake."""

from __future__ import annotations

from typing import Any

from polychat.providers.ollama import OllamaProvider
from tests.fakes.ollama import FakeOllama
from tests.fakes.server import FakeServer
from tests.providers.harness import ProviderHarness


class OllamaWire:
    """Reads an /api/chat body: OpenAI-like roles, raw base64 images, `options`."""

    def turns(self, body: Any) -> list[tuple[str, str]]:
        return [(m["role"], m["content"]) for m in body["messages"] if m.get("content")]

    def system(self, body: Any) -> str | None:
        found = [m["content"] for m in body["messages"] if m["role"] == "system"]
        return found[0] if found else None

    def images(self, body: Any) -> list[tuple[str, str]]:
        # Ollama carries no media type; it sniffs the bytes. PNG is all the suite sends.
        return [("image/png", i) for m in body["messages"] for i in m.get("images") or []]

    def tool_calls(self, body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [
            (c["function"]["name"], c["function"]["arguments"])
            for m in body["messages"]
            for c in m.get("tool_calls") or []
        ]

    def tool_results(self, body: Any) -> list[str]:
        return [m["content"] for m in body["messages"] if m["role"] == "tool"]

    def tool_names(self, body: Any) -> list[str]:
        return [t["function"]["name"] for t in body.get("tools") or []]

    def max_tokens(self, body: Any) -> int | None:
        return (body.get("options") or {}).get("num_predict")

    def temperature(self, body: Any) -> float | None:
        return (body.get("options") or {}).get("temperature")

    def reasoning(self, body: Any) -> Any:
        return body.get("think")


def _root(fake: FakeServer) -> str:
    return fake.url


HARNESSES = [
    ProviderHarness(
        id="ollama",
        provider_cls=OllamaProvider,
        make_fake=FakeOllama,
        base_url=_root,
        wire=OllamaWire(),
        chat_model="llama3.2:latest",
        chat_path="/api/chat",
        vision_model="mistral-small3.2:latest",
        text_only_model="llama3.2:latest",
        good_key=None,
        bad_key=None,  # a local server has no key to get wrong
        key_check_path="/api/tags",
        models_path="/api/tags",
        reasoning_model="qwen3:8b",
        reasoning_wire={"low": True, "medium": True, "high": True},
    )
]
