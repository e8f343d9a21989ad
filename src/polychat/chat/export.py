"""A conversation's active branch as a file to keep: Markdown to read, JSON to process.

Pure functions of already loaded rows, so the formats are tested without a database; the
route (`GET /api/conversations/{id}/export`) loads the rows and sends the file.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from polychat.chat.errors import ErrorRecord
from polychat.chat.parts import StoredFile, StoredImage, StoredPart, read_parts, thinking_of
from polychat.providers.catalog import load_catalog

ExportFormat = Literal["markdown", "json"]

MEDIA_TYPES: dict[ExportFormat, str] = {
    "markdown": "text/markdown; charset=utf-8",
    "json": "application/json",
}
_EXTENSIONS: dict[ExportFormat, str] = {"markdown": "md", "json": "json"}
_MAX_STEM = 80


@dataclass(frozen=True, slots=True)
class ExportMessage:
    id: int
    parent_id: int | None
    role: str
    content: str
    parts: list[dict[str, Any]]  # as stored: exported whole, read through `chat/parts.py`
    provider: str | None
    model: str | None
    status: str
    error: dict[str, Any] | None  # as stored: exported whole, read as an `ErrorRecord`
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExportConversation:
    id: int
    title: str | None
    provider: str | None
    model: str | None
    system_prompt: str | None
    pinned: bool
    created_at: datetime
    updated_at: datetime


def model_name(provider: str | None, model: str | None) -> str | None:
    """The catalog's display name ("Claude Sonnet 4.6"), else the model id as stored."""
    if not model:
        return None
    info = load_catalog(provider).get(model) if provider else None
    return info.display_name if info else model


def filename(conv: ExportConversation, fmt: ExportFormat) -> str:
    """An ASCII file name from the title that is safe everywhere (no path separators, quotes,
    control or reserved characters), e.g. `weekend-in-lyon.md`."""
    ascii_title = (
        unicodedata.normalize("NFKD", conv.title or "").encode("ascii", "ignore").decode("ascii")
    )
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:_MAX_STEM].strip("-")
    return f"{stem or f'conversation-{conv.id}'}.{_EXTENSIONS[fmt]}"


def content_disposition(conv: ExportConversation, fmt: ExportFormat) -> str:
    """`attachment` with the safe ASCII name, plus the title itself (RFC 6266 `filename*`)
    for browsers that can save non-ASCII names."""
    safe = filename(conv, fmt)
    title = (conv.title or "").strip()
    if not title:
        return f'attachment; filename="{safe}"'
    cleaned = " ".join(re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', " ", title).split())
    cleaned = cleaned[:_MAX_STEM].strip()
    full = f"{cleaned or 'conversation'}.{_EXTENSIONS[fmt]}"
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(full, safe='')}"


def _thinking_quote(text: str) -> list[str]:
    """The reasoning as a Markdown blockquote headed `**Thinking**`, set apart from the answer
    (every line quoted, blank ones as a bare `>`, so the quote never ends early)."""
    lines = ["> **Thinking**", ">"]
    lines += [f"> {line}" if line.strip() else ">" for line in text.strip("\n").split("\n")]
    return [*lines, ""]


def _images(parts: list[StoredPart]) -> int:
    return sum(1 for p in parts if isinstance(p, StoredImage))


def _files(parts: list[StoredPart]) -> list[str]:
    """Each attached text file as `📎 NAME` and its content in a fenced block whose fence is
    longer than any run of backticks inside, so the file can never close it early."""
    out: list[str] = []
    for p in parts:
        if not isinstance(p, StoredFile):
            continue
        text = p.text
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        name = " ".join((p.name or "file").split())
        out += [f"📎 {name}", "", fence, text.rstrip("\n"), fence, ""]
    return out


def to_markdown(
    conv: ExportConversation, messages: list[ExportMessage], exported_at: datetime
) -> str:
    """Roles, model names and text of the active branch, oldest first; an answer's thinking
    (when the model thought) is quoted under its model heading, before the answer; a user's
    attached files are shown in full before their message."""
    title = " ".join((conv.title or "").split()) or "Untitled conversation"
    when = exported_at.strftime("%Y-%m-%d %H:%M UTC")
    count = f"{len(messages)} message" + ("" if len(messages) == 1 else "s")
    out = [f"# {title}", "", f"*Exported from Polychat on {when} · {count}*", ""]
    if conv.system_prompt:
        out += ["**System prompt**", "", *[f"> {line}" for line in conv.system_prompt.split("\n")]]
        out.append("")
    for m in messages:
        out += ["---", ""]
        if m.role == "user":
            out.append("## You")
        else:
            name = model_name(m.provider, m.model) or "Assistant"
            detail = ", ".join(x for x in (f"`{m.model}`" if m.model else "", m.provider) if x)
            out.append(f"## {name} ({detail})" if detail else f"## {name}")
        out.append("")
        parts = read_parts(m.parts)
        if m.role == "assistant":
            thinking = thinking_of(parts)
            if thinking.strip():
                out += _thinking_quote(thinking)
        images = _images(parts)
        if images:
            out += [f"*[{images} image{'s' if images > 1 else ''} attached]*", ""]
        out += _files(parts)
        if m.content:
            out += [m.content.rstrip(), ""]
        error = ErrorRecord.read(m.error)
        if m.status in {"error", "interrupted"} and error is not None:
            out += [f"*This answer ended early: {error.message or m.status}.*", ""]
        elif m.status == "stopped":
            out += ["*Stopped.*", ""]
        elif m.status == "streaming":
            out += ["*Still being written when exported.*", ""]
    return "\n".join(out).rstrip() + "\n"


def to_json(conv: ExportConversation, messages: list[ExportMessage], exported_at: datetime) -> str:
    """Everything of the active branch, images and files included, for import elsewhere or a
    backup."""
    body = {
        "format": "polychat.conversation.v1",
        "exported_at": exported_at.isoformat(),
        "conversation": {
            "id": conv.id,
            "title": conv.title,
            "provider": conv.provider,
            "model": conv.model,
            "system_prompt": conv.system_prompt,
            "pinned": conv.pinned,
            "created_at": conv.created_at.isoformat(),
            "updated_at": conv.updated_at.isoformat(),
        },
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role,
                "content": m.content,
                "parts": m.parts,
                "provider": m.provider if m.role == "assistant" else None,
                "model": m.model if m.role == "assistant" else None,
                "model_name": model_name(m.provider, m.model) if m.role == "assistant" else None,
                "status": m.status,
                "error": m.error,
                "created_at": m.created_at.isoformat(),
            }
            for m in messages
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
