"""The typed contract of the chat layer: SSE events encoded from their models (the hot frames
byte-equal to the models' encoding), stored parts read through one versioned union (old rows
included), one error record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter

from polychat.chat.errors import ErrorRecord
from polychat.chat.events import (
    AnyStreamEvent,
    ChatEvent,
    StreamDelta,
    StreamDone,
    StreamError,
    StreamFailover,
    StreamStart,
    StreamThinking,
)
from polychat.chat.history import to_provider_messages
from polychat.chat.parts import (
    StoredFile,
    StoredImage,
    StoredText,
    StoredThinking,
    StoredToolCall,
    StoredToolResult,
    dump_parts,
    read_parts,
    thinking_of,
)
from polychat.chat.schemas import UsageOut
from polychat.chat.sse import delta_frame, encode, parse_frames, thinking_frame
from polychat.chat.store import StoredMessage
from polychat.providers.base import ProviderRateLimitError, TextPart

TEXTS = [
    "",
    "Hello",
    'quote " and backslash \\ and slash /',
    "line\nbreak\ttab\r\x00\x1f",
    "café \u2013 東京 🎉 \u2028\u2029",
    "</script><b>&amp;</b>",
]


@pytest.mark.parametrize("text", TEXTS)
def test_hot_frames_are_the_bytes_their_models_encode(text: str) -> None:
    assert delta_frame(text) == encode(StreamDelta(text=text))
    assert thinking_frame(text) == encode(StreamThinking(text=text))
    assert parse_frames(delta_frame(text)) == [("delta", {"text": text})]


def test_a_frame_is_the_event_line_and_the_other_fields_as_compact_json() -> None:
    frame = encode(
        StreamFailover(
            from_provider="claude", from_model="claude-x", provider="openai", model="gpt-é",
            code="overloaded",
        )
    )  # fmt: skip
    assert frame == (
        b'event: failover\ndata: {"from_provider":"claude","from_model":"claude-x",'
        b'"provider":"openai","model":"gpt-\xc3\xa9","code":"overloaded"}\n\n'
    )


def test_every_frame_reads_back_as_its_event_model() -> None:
    usage = UsageOut(input_tokens=3, output_tokens=9, estimated=False, cost_usd=0.25)
    events: list[Any] = [
        StreamStart(conversation_id=1, user_message_id=2, assistant_message_id=3,
                    provider="claude", model="m"),
        StreamDelta(text="Hi"),
        StreamError(code="rate_limited", message="slow down", provider="claude",
                    retryable=True, retry_after=2.5, message_id=3, status="error"),
        StreamDone(finish_reason="error", status="error", usage=usage, provider="claude",
                   model="m", message_id=3, conversation_id=1, ttft_ms=1.5, duration_ms=9.0),
    ]  # fmt: skip
    adapter: TypeAdapter[AnyStreamEvent] = TypeAdapter(AnyStreamEvent)
    for event in events:
        [(name, data)] = parse_frames(encode(event))
        assert adapter.validate_python({"event": name, **data}) == event
        assert ChatEvent.model_validate({"event": name, **data}).root == event


def test_the_error_event_carries_the_record_and_where_it_is_saved() -> None:
    record = ErrorRecord.from_provider(
        ProviderRateLimitError("slow down", provider="mistral", status=429, retry_after=30)
    )
    event = StreamError(**record.model_dump(), message_id=7, status="error")
    [(_, data)] = parse_frames(encode(event))
    assert data == {
        "code": "rate_limited", "message": "slow down", "provider": "mistral",
        "retryable": True, "retry_after": 30, "message_id": 7, "status": "error",
    }  # fmt: skip


def test_stored_error_records_of_every_age_read() -> None:
    assert ErrorRecord.read(None) is None and ErrorRecord.read({}) is None
    old = {"code": "overloaded", "message": "busy", "provider": "claude", "status": 529,
           "retryable": True, "retry_after": None}  # fmt: skip
    assert ErrorRecord.read(old) == ErrorRecord(
        code="overloaded", message="busy", provider="claude", retryable=True
    )
    assert ErrorRecord.read({"message": "x"}) == ErrorRecord(code="error", message="x")
    record = ErrorRecord(code="interrupted", message="gone", retryable=True)
    assert ErrorRecord.read(record.stored()) == record


def test_parts_write_with_their_version_and_read_back_equal() -> None:
    parts = [
        StoredThinking(text="hmm", duration_ms=900),
        StoredText(text="Hi"),
        StoredImage(media_type="image/png", data="iVBORw0KGgo="),
        StoredFile(name="a.py", media_type="text/x-python", text="x = 1"),
        StoredToolCall(id="call_1", name="lookup", arguments={"q": "x"}),
        StoredToolResult(tool_call_id="call_1", name="lookup", content="42"),
    ]
    stored = json.loads(json.dumps(dump_parts(parts)))
    assert all(p["v"] == 1 for p in stored)
    assert stored[1] == {"v": 1, "kind": "text", "text": "Hi"}
    assert read_parts(stored) == parts


def test_parts_of_old_rows_still_read() -> None:
    # Saved before versions existed; the oldest tagged `type`; unknown kinds and broken
    # shapes skipped, never an error; legacy rows (migration 0004) hold no parts at all.
    old = [
        {"kind": "thinking", "text": "hmm", "duration_ms": None},
        {"kind": "text", "text": "Hi"},
        {"type": "image", "media_type": "image/png", "data": "AAAA"},
        {"kind": "hologram", "data": "?"},
        {"kind": "tool_call"},
        "not a part",
    ]
    assert read_parts(old) == [
        StoredThinking(text="hmm"),
        StoredText(text="Hi"),
        StoredImage(media_type="image/png", data="AAAA"),
    ]
    assert thinking_of(read_parts(old)) == "hmm"
    assert read_parts(None) == [] and read_parts([]) == [] and read_parts({"kind": "x"}) == []


THOUGHT = {"kind": "thinking", "text": "t", "duration_ms": None}


def test_rows_without_parts_send_their_content() -> None:
    """A legacy row (parts NULL) and a checkpointed answer (text in `content`, only a thinking
    part) both reach the provider as their text."""
    path = [
        StoredMessage(1, None, "user", "Old question", None, "complete"),
        StoredMessage(2, 1, "assistant", "Partial answer", [THOUGHT], "interrupted"),
        StoredMessage(3, 2, "user", "", [{"v": 1, "kind": "text", "text": "Go on"}], "complete"),
    ]
    messages = to_provider_messages(path)
    assert [(m.role, m.parts) for m in messages] == [
        ("user", (TextPart("Old question"),)),
        ("assistant", (TextPart("Partial answer"),)),
        ("user", (TextPart("Go on"),)),
    ]
