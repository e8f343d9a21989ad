"""The chat stream's events, typed: one model per SSE event and one discriminated union of them.

Each frame on the wire is `event: <event>` then one `data:` line holding the model's other
fields as compact JSON (the `event` field itself travels only in the `event:` line). The union
`ChatEvent` is a named component of the OpenAPI schema and the schema of the
`text/event-stream` responses, so a client generates one type per event from it. Frames are
encoded in one place, `chat/sse.py`; the hot `delta` and `thinking` frames are byte-built there,
equal to what these models encode (tested).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from polychat.chat.errors import ErrorRecord
from polychat.chat.schemas import MessageStatus, UsageOut


class _Event(BaseModel):
    # Every field, `event` included, is always sent: required in the schema a client reads.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class StreamStart(_Event):
    """First: the saved turn's ids and who was asked."""

    event: Literal["start"] = "start"
    conversation_id: int
    user_message_id: int | None
    assistant_message_id: int
    provider: str | None
    model: str | None


class StreamDelta(_Event):
    """A piece of the answer's text (many)."""

    event: Literal["delta"] = "delta"
    text: str


class StreamThinking(_Event):
    """A piece of the model's visible reasoning (when asked for and the model can think),
    usually all before the first `delta`."""

    event: Literal["thinking"] = "thinking"
    text: str


class StreamFailover(_Event):
    """The chosen provider failed before answering; the next of the failover chain took over."""

    event: Literal["failover"] = "failover"
    from_provider: str
    from_model: str
    provider: str
    model: str
    code: str = Field(description="Why the previous provider failed")


class StreamUsage(UsageOut, _Event):
    """Tokens and cost of the answer: once, before the end."""

    event: Literal["usage"] = "usage"


class StreamError(ErrorRecord, _Event):
    """The answer ended badly; its partial text is kept (`status`: error, stopped or
    interrupted). The fields of the saved error record, plus where it is saved."""

    event: Literal["error"] = "error"
    message_id: int
    status: MessageStatus

    @classmethod
    def of(
        cls, record: ErrorRecord, *, provider: str | None, message_id: int, status: MessageStatus
    ) -> StreamError:
        """The event for a saved (or just made) error record; `provider` fills in a record
        that names none."""
        return cls(
            **record.model_dump(exclude={"provider"}),
            provider=record.provider or provider,
            message_id=message_id,
            status=status,
        )


class StreamDone(_Event):
    """Always last; `provider`/`model` say who actually answered. `usage`, `ttft_ms` and
    `duration_ms` are null in the replay of a saved answer."""

    event: Literal["done"] = "done"
    finish_reason: str | None
    status: MessageStatus
    usage: UsageOut | None
    provider: str | None
    model: str | None
    message_id: int
    conversation_id: int
    ttft_ms: float | None = None
    duration_ms: float | None = None


class StreamToolCall(_Event):
    """Reserved for tool use (not sent yet): the model asks for a tool to be run."""

    event: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any]


class StreamToolResult(_Event):
    """Reserved for tool use (not sent yet): a tool's result, sent back to the model."""

    event: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    name: str
    content: str
    is_error: bool = False


AnyStreamEvent = Annotated[
    StreamStart
    | StreamDelta
    | StreamThinking
    | StreamFailover
    | StreamUsage
    | StreamError
    | StreamDone
    | StreamToolCall
    | StreamToolResult,
    Field(discriminator="event"),
]


class ChatEvent(RootModel[AnyStreamEvent]):
    """One event of the chat stream (`POST /api/chat/stream`, `GET /api/chat/{id}/stream`),
    told apart by `event`: the SSE `event:` line; every other field is in the `data:` line."""
