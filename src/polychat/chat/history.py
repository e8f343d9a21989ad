"""Stored messages <-> provider-neutral `Message`s.

Parts are stored as JSON dicts tagged by `kind` (the same tags as `providers.base`), so a
conversation written by one provider replays intact to any other. An answer's `thinking` part
is for people only: it never goes back to a provider. Consecutive turns of the
same role (a user turn whose answer failed empty, then a new user turn) are merged, because
some providers reject two user turns in a row.

A user's attached text file (`file` part) reaches every provider as plain text, a
`<document name=… media_type=…>` block placed before the message's own text, so no provider
needs a capability for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from polychat.chat.store import StoredMessage
from polychat.providers.base import (
    ContentPart,
    ImagePart,
    Message,
    Role,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)


def document_text(name: str, media_type: str, text: str) -> str:
    """A file as the model reads it: wrapped in a `<document>` tag naming it (quotes in the
    name or type escaped so the tag stays well formed)."""
    name_attr = name.replace("&", "&amp;").replace('"', "&quot;")
    type_attr = media_type.replace("&", "&amp;").replace('"', "&quot;")
    return f'<document name="{name_attr}" media_type="{type_attr}">\n{text}\n</document>'


def thinking_part(text: str, duration_ms: int | None) -> dict[str, Any]:
    """An answer's reasoning as stored: first in its parts, shown to people, never sent back."""
    return {"kind": "thinking", "text": text, "duration_ms": duration_ms}


def thinking_of(parts: Any) -> str:
    """The reasoning text of a saved answer's parts ("" when the model did not think)."""
    for part in parts or ():
        if isinstance(part, dict) and part.get("kind") == "thinking":
            return str(part.get("text") or "")
    return ""


def part_from_dict(d: dict[str, Any]) -> ContentPart | None:
    """The provider-neutral part of a stored one; None for what is never sent back to a
    provider: a `thinking` part (the model's own reasoning is display only, and every
    provider accepts a history without it) or an unknown kind."""
    kind = d.get("kind")
    if kind == "text":
        return TextPart(str(d.get("text", "")))
    if kind == "image":
        return ImagePart(str(d["media_type"]), str(d["data"]))
    if kind == "file":
        return TextPart(
            document_text(str(d.get("name", "")), str(d.get("media_type", "")), str(d["text"]))
        )
    if kind == "tool_call":
        return ToolCallPart(str(d["id"]), str(d["name"]), dict(d.get("arguments") or {}))
    if kind == "tool_result":
        return ToolResultPart(
            str(d["tool_call_id"]), str(d["name"]), str(d["content"]), bool(d.get("is_error"))
        )
    return None


def part_to_dict(p: ContentPart) -> dict[str, Any]:
    if isinstance(p, TextPart):
        return {"kind": "text", "text": p.text}
    if isinstance(p, ImagePart):
        return {"kind": "image", "media_type": p.media_type, "data": p.data}
    if isinstance(p, ToolCallPart):
        return {"kind": "tool_call", "id": p.id, "name": p.name, "arguments": p.arguments}
    return {
        "kind": "tool_result",
        "tool_call_id": p.tool_call_id,
        "name": p.name,
        "content": p.content,
        "is_error": p.is_error,
    }


def _parts(m: StoredMessage) -> tuple[ContentPart, ...]:
    if m.parts:
        stored = [d for d in m.parts if isinstance(d, dict) and d.get("kind") != "thinking"]
        # Files go first: a model reads the documents, then the question about them.
        stored.sort(key=lambda d: 0 if d.get("kind") == "file" else 1)
        parsed = [part_from_dict(d) for d in stored]
        out = tuple(p for p in parsed if p is not None)
        # An answer saved by a checkpoint has text in `content` but no parts yet.
        if out:
            return out
    return (TextPart(m.content),) if m.content else ()


def to_provider_messages(path: Iterable[StoredMessage]) -> list[Message]:
    """History for the provider: empty turns dropped, same-role neighbours merged."""
    out: list[Message] = []
    for m in path:
        if m.role not in ("user", "assistant"):
            continue
        parts = _parts(m)
        if not parts:
            continue
        role: Role = "user" if m.role == "user" else "assistant"
        if out and out[-1].role == role:
            prev = out[-1]
            joiner: tuple[ContentPart, ...] = ()
            if isinstance(prev.parts[-1], TextPart) and isinstance(parts[0], TextPart):
                joiner = (TextPart("\n\n"),)
            out[-1] = Message(role, (*prev.parts, *joiner, *parts))
        else:
            out.append(Message(role, parts))
    return out


def has_images(messages: Iterable[Message]) -> bool:
    return any(isinstance(p, ImagePart) for m in messages for p in m.parts)


def prompt_chars(messages: Iterable[Message], system: str | None) -> int:
    """Characters of text sent, for estimating input tokens when a provider reports none."""
    total = len(system or "")
    for m in messages:
        for p in m.parts:
            if isinstance(p, TextPart):
                total += len(p.text)
            elif isinstance(p, ToolResultPart):
                total += len(p.content)
    return total
