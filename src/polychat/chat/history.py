"""Stored messages -> the provider-neutral history every adapter receives: the one place the
history rules live.

Parts are read through the typed union of `chat/parts.py`, tagged by `kind` (the same tags as
`providers.base`), so a conversation written by one provider replays intact to any other.
Whatever came before (an answer that failed, was stopped or was cut off, a tool call nobody
ran, a provider switch), `to_provider_messages` returns a history every built-in provider
accepts. The rules, in order:

1. Only `user` and `assistant` turns travel; a system prompt goes in `ChatRequest.system`.
2. An answer's `thinking` part is never sent back: it is for people, and every provider
   accepts a history without it. (Claude wants its own *signed* thinking block before a tool
   call it is continuing; we keep no signatures, so `providers/claude.py` asks such a turn
   without thinking instead.) Unknown part kinds are dropped too.
3. No empty or whitespace-only text ever: such text parts are dropped (Anthropic refuses them
   with a 400, Gemini refuses a content without parts).
4. A turn left with nothing to send is left out, whatever its status: a failed, stopped or
   interrupted answer that produced no text is not in the history, while a partial answer
   keeps the text the user saw.
5. Neighbours of the same role are merged (adjacent texts joined into one text by a blank
   line, never a separate whitespace part), so the roles always alternate: the user turn
   whose answer was left out and the next user turn become one.
6. Every tool call is answered in the very next user turn, results first and in call order.
   A call with no stored result gets a result saying it was not run (`NOT_RUN`, marked as an
   error); a result that answers no call of the turn before is dropped. We pair rather than
   drop because pairing keeps the model's own turn as it was (its words and the call it made)
   and tells it plainly the call never ran, so it neither invents a result nor loses its
   reasoning; and a call followed by its result is the one shape every tool protocol
   (Anthropic, OpenAI, Mistral, Gemini, Ollama) accepts, so the rule is the same on every
   provider.

A user's attached text file (`file` part) reaches every provider as plain text, a
`<document name=… media_type=…>` block placed before the message's own text, so no provider
needs a capability for it. Images stay images: sending one to a model without vision is the
chat service's clear 400 (`has_images`), never silently dropped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from polychat.chat.parts import (
    StoredFile,
    StoredImage,
    StoredPart,
    StoredText,
    StoredThinking,
    StoredToolCall,
    StoredToolResult,
    read_parts,
)
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


def thinking_part(text: str, duration_ms: int | None) -> StoredThinking:
    """An answer's reasoning as stored: first in its parts, shown to people, never sent back."""
    return StoredThinking(text=text, duration_ms=duration_ms)


def part_from_stored(p: StoredPart) -> ContentPart | None:
    """The provider-neutral part of a stored one; None for what is never sent back to a
    provider: a `thinking` part (the model's own reasoning is display only, and every
    provider accepts a history without it)."""
    if isinstance(p, StoredText):
        return TextPart(p.text)
    if isinstance(p, StoredImage):
        return ImagePart(p.media_type, p.data)
    if isinstance(p, StoredFile):
        return TextPart(document_text(p.name, p.media_type, p.text))
    if isinstance(p, StoredToolCall):
        return ToolCallPart(p.id, p.name, dict(p.arguments))
    if isinstance(p, StoredToolResult):
        return ToolResultPart(p.tool_call_id, p.name, p.content, p.is_error)
    return None


def part_to_stored(p: ContentPart) -> StoredPart:
    if isinstance(p, TextPart):
        return StoredText(text=p.text)
    if isinstance(p, ImagePart):
        return StoredImage(media_type=p.media_type, data=p.data)
    if isinstance(p, ToolCallPart):
        return StoredToolCall(id=p.id, name=p.name, arguments=p.arguments)
    return StoredToolResult(
        tool_call_id=p.tool_call_id, name=p.name, content=p.content, is_error=p.is_error
    )


NOT_RUN = "This tool call was not run: no result is available."
"""The result given to a tool call that has none (rule 6)."""


def _sendable(p: StoredPart) -> bool:
    """False for what never goes to a provider: thinking, and blank text (rules 2 and 3)."""
    if isinstance(p, StoredThinking):
        return False
    return not isinstance(p, StoredText) or bool(p.text.strip())


def _neutral(parts: Iterable[StoredPart]) -> tuple[ContentPart, ...]:
    """The sendable parts as the provider-neutral ones: the one conversion from stored."""
    stored = [p for p in parts if _sendable(p)]
    # Files go first: a model reads the documents, then the question about them.
    stored.sort(key=lambda p: 0 if isinstance(p, StoredFile) else 1)
    parsed = [part_from_stored(p) for p in stored]
    return tuple(p for p in parsed if p is not None)


def _parts(m: StoredMessage) -> tuple[ContentPart, ...]:
    if m.parts:
        out = _neutral(read_parts(m.parts))
        # An answer saved by a checkpoint has text in `content` but no parts yet.
        if out:
            return out
    return (TextPart(m.content),) if m.content.strip() else ()


def _append(out: list[Message], role: Role, parts: tuple[ContentPart, ...]) -> None:
    """Add a turn, merged into the last one when it has the same role (rule 5)."""
    if not parts:
        return
    if out and out[-1].role == role:
        prev, first = out[-1].parts, parts[0]
        if isinstance(prev[-1], TextPart) and isinstance(first, TextPart):
            # One text block, never a separate whitespace-only joiner (rule 3).
            joined = TextPart(f"{prev[-1].text}\n\n{first.text}")
            out[-1] = Message(role, (*prev[:-1], joined, *parts[1:]))
        else:
            out[-1] = Message(role, (*prev, *parts))
    else:
        out.append(Message(role, parts))


def _answer_calls(
    calls: list[ToolCallPart], parts: tuple[ContentPart, ...]
) -> tuple[ContentPart, ...]:
    """A user turn's parts with each of `calls` answered first, in call order (rule 6)."""
    given = {p.tool_call_id: p for p in parts if isinstance(p, ToolResultPart)}
    results = [given.get(c.id) or ToolResultPart(c.id, c.name, NOT_RUN, True) for c in calls]
    rest = [p for p in parts if not isinstance(p, ToolResultPart)]
    return (*results, *rest)


def to_provider_messages(
    path: Iterable[StoredMessage], new_turn: Sequence[StoredPart] = ()
) -> list[Message]:
    """The history to send for `path` (oldest first), following the rules above.

    `new_turn` is the user's new message as the typed parts about to be stored (the chat
    planner's `user_parts`): it joins the history from the same typed parts the writer saves,
    with no trip through JSON and back."""
    merged: list[Message] = []
    for m in path:
        if m.role in ("user", "assistant"):
            _append(merged, "user" if m.role == "user" else "assistant", _parts(m))
    _append(merged, "user", _neutral(new_turn))
    out: list[Message] = []
    calls: list[ToolCallPart] = []
    for msg in merged:
        if msg.role == "assistant":
            calls = [p for p in msg.parts if isinstance(p, ToolCallPart)]
            _append(out, "assistant", msg.parts)
            continue
        _append(out, "user", _answer_calls(calls, msg.parts))
        calls = []
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
