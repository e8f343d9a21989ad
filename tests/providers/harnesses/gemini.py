"""Gemini in the contract suite: the google-genai SDK against the Gemini fake."""

from __future__ import annotations

import re
from typing import Any

from polychat.providers.gemini import GeminiProvider
from tests.fakes.gemini import FakeGemini
from tests.fakes.server import FakeServer
from tests.providers.harness import ProviderHarness


def _get(d: dict[str, Any], camel: str, snake: str) -> Any:
    """The JSON API accepts both spellings; the SDK sends either, depending on the field."""
    return d.get(camel, d.get(snake))


class GeminiWire:
    """Reads a generateContent body: `contents` with user/model roles, `systemInstruction`."""

    def _parts(self, body: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(c.get("role", "user"), p) for c in body["contents"] for p in c["parts"]]

    def turns(self, body: Any) -> list[tuple[str, str]]:
        out = []
        for c in body["contents"]:
            text = "".join(p.get("text", "") for p in c["parts"])
            if text:
                out.append(("assistant" if c.get("role") == "model" else "user", text))
        return out

    def system(self, body: Any) -> str | None:
        si = _get(body, "systemInstruction", "system_instruction")
        return "".join(p.get("text", "") for p in si["parts"]) if si else None

    def images(self, body: Any) -> list[tuple[str, str]]:
        out = []
        for _, p in self._parts(body):
            blob = _get(p, "inlineData", "inline_data")
            if blob is not None:
                out.append((_get(blob, "mimeType", "mime_type"), blob["data"]))
        return out

    def tool_calls(self, body: Any) -> list[tuple[str, dict[str, Any]]]:
        calls = [_get(p, "functionCall", "function_call") for _, p in self._parts(body)]
        return [(c["name"], c.get("args", {})) for c in calls if c is not None]

    def tool_results(self, body: Any) -> list[str]:
        out = []
        for _, p in self._parts(body):
            r = _get(p, "functionResponse", "function_response")
            if r is not None:
                out.append(r["response"].get("result", r["response"].get("error")))
        return out

    def tool_names(self, body: Any) -> list[str]:
        return [
            d["name"]
            for t in body.get("tools") or []
            for d in _get(t, "functionDeclarations", "function_declarations") or []
        ]

    def _config(self, body: Any) -> dict[str, Any]:
        return _get(body, "generationConfig", "generation_config") or {}

    def max_tokens(self, body: Any) -> int | None:
        return _get(self._config(body), "maxOutputTokens", "max_output_tokens")

    def temperature(self, body: Any) -> float | None:
        return self._config(body).get("temperature")

    def reasoning(self, body: Any) -> Any:
        """`thinkingConfig`, keys in the API's camelCase whichever spelling was sent (the SDK
        sends this one object's keys in snake_case; the API takes both)."""
        config = _get(self._config(body), "thinkingConfig", "thinking_config")
        if config is None:
            return None
        return {re.sub(r"_(\w)", lambda m: m.group(1).upper(), k): v for k, v in config.items()}


def _root(fake: FakeServer) -> str:
    return fake.url


HARNESSES = [
    ProviderHarness(
        id="gemini",
        provider_cls=GeminiProvider,
        make_fake=FakeGemini,
        base_url=_root,
        wire=GeminiWire(),
        chat_model="gemini-2.5-flash",
        chat_path="enerateContent",  # both :generateContent and :streamGenerateContent
        vision_model="gemini-2.5-flash",
        text_only_model=None,
        key_check_path="/v1beta/models",
        models_path="/v1beta/models",
        reasoning_model="gemini-2.5-flash",
        reasoning_wire={
            effort: {"includeThoughts": True, "thinkingBudget": budget}
            for effort, budget in (("low", 1024), ("medium", 8192), ("high", 24576))
        },
    )
]
