"""Reading a recorded Chat Completions request body back (OpenAI, OpenRouter, compatibles)."""

from __future__ import annotations

import json
from typing import Any


class ChatCompletionsWire:
    def __init__(self, max_tokens_field: str = "max_completion_tokens") -> None:
        self.max_tokens_field = max_tokens_field

    def turns(self, body: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for m in body["messages"]:
            content = m.get("content")
            if isinstance(content, list):
                content = "".join(p["text"] for p in content if p.get("type") == "text")
            if content and m["role"] != "tool":
                out.append((m["role"], content))
        return out

    def system(self, body: Any) -> str | None:
        systems = [m["content"] for m in body["messages"] if m["role"] in ("system", "developer")]
        return systems[0] if systems else None

    def images(self, body: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for m in body["messages"]:
            if isinstance(m.get("content"), list):
                for p in m["content"]:
                    if p.get("type") == "image_url":
                        head, _, data = p["image_url"]["url"].partition(",")
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
        return [t["function"]["name"] for t in body.get("tools", [])]

    def max_tokens(self, body: Any) -> int | None:
        return body.get(self.max_tokens_field)

    def temperature(self, body: Any) -> float | None:
        return body.get("temperature")

    def reasoning(self, body: Any) -> Any:
        """OpenAI's `reasoning_effort`, or OpenRouter's `reasoning` object."""
        if "reasoning_effort" in body:
            return body["reasoning_effort"]
        return body.get("reasoning")
