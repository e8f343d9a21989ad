"""Mistral's wire format, both ways: neutral requests in, response JSON out.

Kept apart from the provider so `mistral.py` reads as plumbing and error mapping. The rules
that matter: send only documented fields (Mistral answers anything else with 422), rewrite
foreign tool-call ids to its nine-alphanumeric rule, arguments as JSON strings, and treat
`finish_reason: "error"` as the in-band failure it is. Reasoning models (Magistral) always
think, with no request parameter: their content is then an array whose `thinking` chunks
(themselves lists of text chunks) come before the `text` ones.

Responses are read as plain JSON dicts, not SDK objects: the SDK builds a new pydantic model
class for every streamed event (about 1-3 ms each), so the stream is decoded here instead.
"""

from __future__ import annotations

import hashlib
import re
import string
from typing import Any, cast

from polychat.providers._native_support import arguments_from_json, dump_json
from polychat.providers.base import (
    ChatRequest,
    FinishReason,
    ImagePart,
    Message,
    ProviderUnavailableError,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ToolCallPart,
    ToolResultPart,
    Usage,
)

NAME = "mistral"

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "model_length": "length",
    "tool_calls": "tool_calls",
}

# ---------------------------------------------------------------------------------------------
# Tool-call ids: Mistral's nine-alphanumeric rule
# ---------------------------------------------------------------------------------------------

_ID_ALPHABET = string.ascii_letters + string.digits
_MISTRAL_ID = re.compile(r"[A-Za-z0-9]{9}")


def mistral_tool_id(original: str) -> str:
    """A valid Mistral id for `original`: itself if already valid, else a stable hash of it.

    Stable so that an assistant's call and the later tool result, converted separately, still
    point at each other; hashed so that two different foreign ids do not collide in practice.
    """
    if _MISTRAL_ID.fullmatch(original):
        return original
    number = int.from_bytes(hashlib.sha256(original.encode("utf-8")).digest()[:8], "big")
    out = []
    for _ in range(9):
        number, digit = divmod(number, 62)
        out.append(_ID_ALPHABET[digit])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Neutral request -> Mistral request (plain dicts: exactly the documented fields, nothing more)
# ---------------------------------------------------------------------------------------------


TOOL_BRIDGE = "(tool results received)"
"""The assistant turn placed between tool results and the user text that follows them in one
neutral turn: Mistral answers `user` right after `tool` with 400 "Unexpected role 'user' after
role 'tool'", and an assistant turn needs some content ("Assistant message must have either
content or tool_calls")."""


def _user_content(parts: list[TextPart | ImagePart]) -> str | list[dict[str, Any]]:
    if all(isinstance(p, TextPart) for p in parts):
        return "".join(cast(TextPart, p).text for p in parts)
    chunks: list[dict[str, Any]] = []
    for p in parts:
        if isinstance(p, TextPart):
            chunks.append({"type": "text", "text": p.text})
        else:
            chunks.append(
                {"type": "image_url", "image_url": f"data:{p.media_type};base64,{p.data}"}
            )
    return chunks


def _convert_message(message: Message) -> list[dict[str, Any]]:
    """One neutral message may become several Mistral messages: tool results are `tool` role
    messages, which must come right after the assistant turn that asked for them."""
    out: list[dict[str, Any]] = []
    if message.role == "assistant":
        text = "".join(p.text for p in message.parts if isinstance(p, TextPart))
        calls = [p for p in message.parts if isinstance(p, ToolCallPart)]
        assistant: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            assistant["tool_calls"] = [
                {
                    "id": mistral_tool_id(c.id),
                    "type": "function",
                    "function": {"name": c.name, "arguments": dump_json(c.arguments)},
                }
                for c in calls
            ]
        elif not text:
            return out  # an empty turn (e.g. a stopped stream): Mistral rejects it, skip it
        out.append(assistant)
        return out
    rest: list[TextPart | ImagePart] = []
    for p in message.parts:
        if isinstance(p, ToolResultPart):
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": mistral_tool_id(p.tool_call_id),
                    "name": p.name,
                    "content": p.content,
                }
            )
        elif isinstance(p, TextPart | ImagePart):
            rest.append(p)
    if rest:
        if out:  # Mistral refuses a user message right after `tool` ones: bridge them
            out.append({"role": "assistant", "content": TOOL_BRIDGE})
        out.append({"role": "user", "content": _user_content(rest)})
    return out


def build_request(request: ChatRequest, model: str) -> dict[str, Any]:
    """Keyword arguments for `chat.complete_async` / `chat.stream_async`."""
    messages: list[dict[str, Any]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    for message in request.messages:
        messages.extend(_convert_message(message))
    kwargs: dict[str, Any] = {"model": model, "messages": messages}
    if request.temperature is not None:
        kwargs["temperature"] = request.temperature
    if request.top_p is not None:
        kwargs["top_p"] = request.top_p
    if request.max_tokens is not None:
        kwargs["max_tokens"] = request.max_tokens
    if request.stop:
        kwargs["stop"] = list(request.stop)
    if request.tools:
        kwargs["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                },
            }
            for t in request.tools
        ]
    return kwargs


# ---------------------------------------------------------------------------------------------
# Mistral response -> neutral
# ---------------------------------------------------------------------------------------------


def text_of(content: Any) -> str:
    """The text of a content string or chunk list (reasoning models), keeping `text` chunks.
    A `thinking` chunk's body has the same shape (a list of text chunks, or a bare string)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(c.get("text", ""))
            for c in content
            if isinstance(c, dict) and c.get("type") == "text"
        )
    return ""


def content_events(content: Any) -> list[TextDelta | ThinkingDelta]:
    """A (delta) content as events in order: a string is answer text; in an array, `text`
    chunks are answer text and `thinking` chunks are reasoning."""
    if isinstance(content, str):
        return [TextDelta(content)] if content else []
    out: list[TextDelta | ThinkingDelta] = []
    for chunk in content if isinstance(content, list) else ():
        if not isinstance(chunk, dict):
            continue
        kind = chunk.get("type")
        if kind == "text" and chunk.get("text"):
            out.append(TextDelta(str(chunk["text"])))
        elif kind == "thinking":
            text = text_of(chunk.get("thinking"))
            if text:
                out.append(ThinkingDelta(text))
    return out


def usage_of(usage: Any) -> Usage:
    if not isinstance(usage, dict):
        return Usage()
    details = usage.get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else None
    return Usage(
        input_tokens=usage.get("prompt_tokens") or 0,
        output_tokens=usage.get("completion_tokens") or 0,
        cache_read_tokens=cached or 0,
    )


def finish_reason(reason: Any, saw_calls: bool) -> FinishReason:
    value = str(reason) if reason is not None else "stop"
    if value == "error":
        raise ProviderUnavailableError(
            "Mistral stopped generating because of an error on its side; try again.",
            provider=NAME,
        )
    mapped = _FINISH.get(value, "other")
    return "tool_calls" if saw_calls and mapped == "stop" else mapped


def tool_call_part(call: dict[str, Any], index: int) -> ToolCallPart:
    function = call.get("function") or {}
    name = str(function.get("name") or "")
    call_id = call.get("id")
    return ToolCallPart(
        id=str(call_id) if call_id and call_id != "null" else mistral_tool_id(f"{name}-{index}"),
        name=name,
        arguments=arguments_from_json(function.get("arguments")),
    )
