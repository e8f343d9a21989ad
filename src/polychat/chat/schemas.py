"""Request and response bodies of the chat, conversation and usage endpoints (the OpenAPI
schema is generated from these, so their docstrings and field descriptions are the docs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    field_validator,
)

from polychat.chat.errors import ErrorRecord
from polychat.chat.parts import StoredPart

MessageStatus = Literal["complete", "streaming", "stopped", "error", "interrupted"]
# Visible thinking: off, or how hard the model may think (see `chat/reasoning.py`).
ReasoningSetting = Literal["off", "low", "medium", "high"]


class Attachment(BaseModel):
    """An inline image sent with the new user turn (base64, no `data:` prefix)."""

    type: Literal["image"] = "image"
    media_type: Literal["image/png", "image/jpeg", "image/gif", "image/webp"]
    data: str = Field(min_length=4, max_length=15_000_000)


# A text file's limits: one file, and all files of one message (about 500k tokens at most).
MAX_FILE_CHARS = 512_000
MAX_FILES_CHARS = 2_000_000


class FileAttachment(BaseModel):
    """A text or code file sent with the new user turn, already decoded by the client.

    Every provider reads it as text (a `<document>` block before the message), so any model
    can take it. The name keeps only its last path segment: it is shown, never opened.
    """

    type: Literal["file"]
    name: str = Field(min_length=1, max_length=255, description="File name (basename only)")
    media_type: str = Field(
        min_length=1, max_length=100, description="e.g. text/plain, text/x-python"
    )
    text: str = Field(max_length=MAX_FILE_CHARS, description="The file's content, UTF-8 text")

    @field_validator("name")
    @classmethod
    def _basename(cls, value: str) -> str:
        base = value.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not base or base in {".", ".."}:
            raise ValueError("the file name is empty once its folders are removed")
        if any(ord(c) < 32 or ord(c) == 127 for c in base):
            raise ValueError("the file name contains control characters")
        return base

    @field_validator("text")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("the file contains NUL bytes: only text files can be attached")
        return value


def _attachment_type(value: Any) -> str:
    """Images were sent without `type` before files existed: a missing type is an image."""
    if isinstance(value, dict):
        return str(value.get("type") or "image")
    return str(getattr(value, "type", "image"))


AnyAttachment = Annotated[
    Annotated[Attachment, Tag("image")] | Annotated[FileAttachment, Tag("file")],
    Discriminator(_attachment_type),
]


class InputMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=500_000)


class FailoverTarget(BaseModel):
    provider: str = Field(min_length=1, max_length=64)
    model: str = Field(min_length=1, max_length=200)


class ChatBody(BaseModel):
    """Same body for `POST /api/chat` and `POST /api/chat/stream`.

    New conversation: `messages` (history, last one may be the new user turn) and/or `content`.
    Existing conversation: `conversation_id` + `content` (appended to the active branch),
    or `edit_message_id` + `content` (a sibling of that user message: a new branch), or
    `regenerate_message_id` (a new answer beside that assistant message, optionally by another
    `model`).
    """

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=200, description="Model id, e.g. claude-sonnet-4-5")
    provider: str | None = Field(
        default=None, max_length=64, description="Explicit provider; otherwise the model decides"
    )
    conversation_id: int | None = None
    messages: list[InputMessage] | None = Field(default=None, max_length=2000)
    content: str | None = Field(default=None, max_length=500_000)
    system: str | None = Field(default=None, max_length=100_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    stop: list[str] | None = Field(default=None, max_length=8)
    attachments: list[AnyAttachment] | None = Field(
        default=None,
        max_length=16,
        description="Images and text files sent with the new user turn (16 at most)",
    )
    edit_message_id: int | None = None
    regenerate_message_id: int | None = None
    failover: list[FailoverTarget] | None = Field(
        default=None,
        max_length=5,
        description="Providers to try, in order, when the chosen one fails before answering;"
        " saved on the conversation",
    )
    reasoning: ReasoningSetting | None = Field(
        default=None,
        description="Visible thinking: `off` or an effort. Saved on the conversation; null "
        "uses the saved value (missing: off). Sent only to models that can think; "
        "others answer normally",
    )

    @field_validator("attachments")
    @classmethod
    def _files_fit(
        cls, value: list[Attachment | FileAttachment] | None
    ) -> list[Attachment | FileAttachment] | None:
        """All files of one message together stay under `MAX_FILES_CHARS` characters."""
        total = sum(len(a.text) for a in value or [] if isinstance(a, FileAttachment))
        if total > MAX_FILES_CHARS:
            raise ValueError(
                f"the attached files hold {total:,} characters together; the limit is "
                f"{MAX_FILES_CHARS:,} per message"
            )
        return value


class UsageOut(BaseModel):
    input_tokens: int
    output_tokens: int
    estimated: bool = False
    cost_usd: float | None = None


class MessageUsageOut(UsageOut):
    """What one answer cost, from its usage_tracking row (shown per message on demand)."""

    ttft_ms: int | None = None
    duration_ms: int | None = None


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    parent_id: int | None
    role: Literal["user", "assistant"]
    content: str
    parts: list[StoredPart] = Field(
        default_factory=list, description="Text, images, files, thinking, tool calls and results"
    )
    provider: str | None = None
    model: str | None = None
    status: MessageStatus
    error: ErrorRecord | None = None
    created_at: datetime
    sibling_ids: list[int] = Field(
        default_factory=list, description="This message and its siblings (branches), oldest first"
    )
    sibling_index: int = 0
    usage: MessageUsageOut | None = Field(
        default=None, description="Tokens, cost and timings of an answer, once it has ended"
    )


class ChatResult(BaseModel):
    """The answer of `POST /api/chat` (the non-streaming form)."""

    conversation_id: int
    user_message_id: int
    assistant_message_id: int
    provider: str
    model: str
    status: MessageStatus
    finish_reason: str | None
    content: str
    thinking: str | None = Field(
        default=None, description="The model's visible reasoning; null when it did not think"
    )
    usage: UsageOut | None = None
    error: ErrorRecord | None = None


class StopResult(BaseModel):
    message_id: int
    stopped: bool
    status: MessageStatus


class ConversationParams(BaseModel):
    """A conversation's saved sampling defaults, used by every turn that does not override them.

    Same names and ranges as the fields of `ChatBody`, so a value saved here is always one a
    chat request could have sent (an out-of-range temperature would only fail later, at the
    provider, in the middle of someone's chat). `null` or a missing field: provider default.
    """

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    stop: list[str] | None = Field(default=None, max_length=8)
    reasoning: ReasoningSetting | None = Field(
        default=None, description="Visible thinking: `off` or an effort (missing: off)"
    )

    def stored(self) -> dict[str, Any] | None:
        """The JSON kept on the conversation: only the fields that are set (None when none)."""
        return self.model_dump(exclude_none=True) or None


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    provider: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=200)
    system_prompt: str | None = Field(default=None, max_length=100_000)
    params: ConversationParams | None = None
    failover: list[FailoverTarget] | None = Field(default=None, max_length=5)


class ConversationUpdate(BaseModel):
    """Rename, star, change defaults, or switch branch (`active_message_id`: the path through
    that message, continued down its newest children, becomes the active one)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    provider: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=200)
    system_prompt: str | None = Field(default=None, max_length=100_000)
    params: ConversationParams | None = None
    failover: list[FailoverTarget] | None = Field(default=None, max_length=5)
    active_message_id: int | None = None
    pinned: StrictBool | None = Field(
        default=None,
        description="Star (pin) or unstar; unlike the other fields it is not activity, so "
        "it leaves `updated_at` (and the list order) alone",
    )


class ConversationOut(BaseModel):
    id: int
    title: str | None
    provider: str | None
    model: str | None
    system_prompt: str | None
    params: dict[str, Any] = Field(default_factory=dict)
    failover: list[FailoverTarget] = Field(default_factory=list)
    active_leaf_id: int | None
    pinned: bool = Field(description="Starred by its owner (the web UI lists these first)")
    created_at: datetime
    updated_at: datetime


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page")


class SearchMatch(BaseModel):
    """Where a search hit: the oldest message containing the words, else the title."""

    message_id: int | None = Field(description="The matching message; null for a title hit")
    role: Literal["title", "user", "assistant"] = Field(
        description="`user` or `assistant` for a message hit, `title` when only the title hit"
    )
    snippet: str = Field(
        description="About 160 characters of plain text around the first hit (`…` where cut)"
    )


class ConversationSearchHit(ConversationOut):
    match: SearchMatch


class ConversationSearchPage(BaseModel):
    items: list[ConversationSearchHit]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page")


class ConversationDetail(ConversationOut):
    messages: list[MessageOut] = Field(
        description="The active branch, oldest first; one page (the newest unless `before`)"
    )
    has_more: bool = Field(description="Older messages exist on this branch: pass `before`")
    images_before: bool = Field(
        default=False,
        description="Messages older than this page on the active branch hold images: the "
        "branch is sent with every turn, so a model without vision cannot continue it",
    )


class UsageBucket(BaseModel):
    key: str = Field(description="The provider, the model, or the day (YYYY-MM-DD)")
    provider: str | None = None
    requests: int
    input_tokens: int
    output_tokens: int
    estimated_requests: int = Field(description="Answers whose tokens we had to estimate")
    cost_usd: float | None = Field(description="Known cost; null when no answer's cost is known")
    unpriced_requests: int = Field(description="Answers whose cost is unknown")


class UsageReport(BaseModel):
    group_by: Literal["provider", "model", "day"]
    start: date
    end: date
    items: list[UsageBucket]
    total: UsageBucket
