"""Mistral in the contract suite: the native SDK against the Mistral fake."""

from __future__ import annotations

import json
from typing import Any

from polychat.providers.mistral import MistralProvider
from tests.fakes.mistral import FakeMistral
from tests.fakes.server import FakeServer
from tests.providers.harness import ProviderHarness


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if c.get("type") == "text")
    return ""


class MistralWire:
    """Reads a Mistral chat request body (OpenAI-like messages, `tool` role, string args)."""

    def turns(self, body: Any) -> list[tuple[str, str]]:
        return [
            (m["role"], _text(m.get("content")))
            for m in body["messages"]
            if _text(m.get("content"))
        ]

    def system(self, body: Any) -> str | None:
        found = [m["content"] for m in body["messages"] if m["role"] == "system"]
        return found[0] if found else None

    def images(self, body: Any) -> list[tuple[str, str]]:
        out = []
        for m in body["messages"]:
            content = m.get("content")
            for c in content if isinstance(content, list) else []:
                if c.get("type") == "image_url":
                    url = (
                        c["image_url"] if isinstance(c["image_url"], str) else c["image_url"]["url"]
                    )
                    head, _, data = url.partition(",")
                    out.append((head.removeprefix("data:").removesuffix(";base64"), data))
        return out

    def tool_calls(self, body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [
            (c["function"]["name"], json.loads(c["function"]["arguments"]))
            for m in body["messages"]
            for c in m.get("tool_calls") or []
        ]

    def tool_results(self, body: Any) -> list[str]:
        return [m["content"] for m in body["messages"] if m["role"] == "tool"]

    def tool_names(self, body: Any) -> list[str]:
        return [t["function"]["name"] for t in body.get("tools") or []]

    def max_tokens(self, body: Any) -> int | None:
        return body.get("max_tokens")

    def temperature(self, body: Any) -> float | None:
        return body.get("temperature")

    def reasoning(self, body: Any) -> Any:
        """Mistral's reasoning knobs (`reasoning_effort`, `prompt_mode`); Magistral thinks
        without them, so the adapter sends neither."""
        sent = {k: body[k] for k in ("reasoning_effort", "prompt_mode") if k in body}
        return sent or None


def _root(fake: FakeServer) -> str:
    return fake.url


HARNESSES = [
    ProviderHarness(
        id="mistral",
        provider_cls=MistralProvider,
        make_fake=FakeMistral,
        base_url=_root,
        wire=MistralWire(),
        chat_model="mistral-large-latest",
        chat_path="/v1/chat/completions",
        vision_model="mistral-small-latest",
        text_only_model="open-mistral-7b",
        reasoning_model="magistral-medium-latest",  # always thinks: nothing on the wire
        key_check_path="/v1/models",
        models_path="/v1/models",
    )
]
