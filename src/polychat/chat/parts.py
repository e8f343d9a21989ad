"""A message's parts as stored (`messages.parts`) and returned by the API: one discriminated
union, tagged by `kind`, each part carrying its format version `v`.

Every reader and writer goes through here: `read_parts` turns whatever a row holds into typed
parts, `dump_parts` turns typed parts into the JSON saved. Old rows still read: parts saved
before versions existed (no `v`: version 1), very old ones tagged `type` instead of `kind`,
rows with no parts at all (legacy rows of migration 0004, answers saved by a checkpoint: their
text is in `content`). A part of a kind or shape this version does not know is skipped, never an
error: there is nothing to show or send for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


class _Part(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    v: Literal[1] = Field(default=1, description="Format version; parts saved without one are 1")


class StoredText(_Part):
    kind: Literal["text"] = "text"
    text: str = ""


class StoredImage(_Part):
    """An inline image, base64 (no `data:` prefix)."""

    kind: Literal["image"] = "image"
    media_type: str
    data: str = ""


class StoredFile(_Part):
    """A text file the user attached; the model reads it as a `<document>` block."""

    kind: Literal["file"] = "file"
    name: str = ""
    media_type: str = ""
    text: str


class StoredThinking(_Part):
    """An answer's visible reasoning: shown to people, never sent back to a model."""

    kind: Literal["thinking"] = "thinking"
    text: str = ""
    duration_ms: int | None = Field(
        default=None, description="How long the model thought; null while it still thinks"
    )


class StoredToolCall(_Part):
    kind: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class StoredToolResult(_Part):
    kind: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    name: str
    content: str
    is_error: bool = False


StoredPart = Annotated[
    StoredText | StoredImage | StoredFile | StoredThinking | StoredToolCall | StoredToolResult,
    Field(discriminator="kind"),
]

_part: TypeAdapter[StoredPart] = TypeAdapter(StoredPart)


def _read(item: dict[str, Any]) -> StoredPart | None:
    if "kind" not in item and "type" in item:  # the oldest rows tagged parts `type`
        item = {**item, "kind": item["type"]}
    try:
        return _part.validate_python(item)
    except ValidationError:
        return None


def read_parts(raw: Any) -> list[StoredPart]:
    """The typed parts of a stored `messages.parts` value (None and [] read as no parts)."""
    if not isinstance(raw, list):
        return []
    parts = (_read(item) for item in raw if isinstance(item, dict))
    return [p for p in parts if p is not None]


def dump_parts(parts: Iterable[StoredPart]) -> list[dict[str, Any]]:
    """The JSON saved in `messages.parts`."""
    return [p.model_dump(mode="json") for p in parts]


def thinking_of(parts: Iterable[StoredPart]) -> str:
    """The reasoning text of an answer's parts ("" when the model did not think)."""
    return next((p.text for p in parts if isinstance(p, StoredThinking)), "")
