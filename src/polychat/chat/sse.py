"""Server-Sent Events framing for the chat stream, pre-encoded once per event: the one place
frames are encoded.

Frames are built as bytes exactly once, where the event happens, and the same bytes go to every
subscriber (the live client, a re-attaching client, another process through Redis). That keeps
the token path to one small JSON encode per chunk and lets a subscriber that fell behind send
several frames in one write. The rare events are encoded from their models (`chat/events.py`);
the hot `delta` and `thinking` frames are byte-built, equal to their models' encoding.
"""

from __future__ import annotations

import json
from typing import Any

from polychat.chat.events import AnyStreamEvent

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def frame(event: str, data: dict[str, Any]) -> bytes:
    """One SSE frame: `event:` line, one `data:` line of compact JSON, blank line. The writer
    under `encode`; the app's code encodes events through their models, never raw dicts."""
    return b"event: " + event.encode() + b"\ndata: " + _dumps(data).encode() + b"\n\n"


def encode(event: AnyStreamEvent) -> bytes:
    """An event's frame: its `event` in the `event:` line, every other field in `data:`."""
    return frame(event.event, event.model_dump(mode="json", exclude={"event"}))


_DELTA_HEAD = b'event: delta\ndata: {"text":'


def delta_frame(text: str) -> bytes:
    """The hot-path frame: `delta {text}`, no model built; equal to
    `encode(StreamDelta(text=text))`."""
    return _DELTA_HEAD + _dumps(text).encode() + b"}\n\n"


_THINKING_HEAD = b'event: thinking\ndata: {"text":'


def thinking_frame(text: str) -> bytes:
    """A piece of the model's reasoning, as hot as a delta; equal to
    `encode(StreamThinking(text=text))`."""
    return _THINKING_HEAD + _dumps(text).encode() + b"}\n\n"


def parse_frames(raw: bytes) -> list[tuple[str, dict[str, Any]]]:
    """Decode a byte string of complete frames; used by tests, the benchmark and the Redis relay."""
    out: list[tuple[str, dict[str, Any]]] = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        event, data = "message", ""
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
        out.append((event, json.loads(data) if data else {}))
    return out
