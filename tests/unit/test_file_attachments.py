"""Text file attachments: the body's limits, the document block every provider reads, the
token estimate, and the Markdown/JSON export of a message that carries files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from polychat.chat.export import ExportConversation, ExportMessage, to_json, to_markdown
from polychat.chat.history import prompt_chars, to_provider_messages
from polychat.chat.schemas import Attachment, ChatBody, FileAttachment
from polychat.chat.store import StoredMessage
from polychat.providers.base import ImagePart, TextPart

WHEN = datetime(2026, 11, 21, 17, 5, tzinfo=UTC)


def _file(name: str = "main.py", text: str = "print('hi')\n", **over: Any) -> dict[str, Any]:
    return {"type": "file", "name": name, "media_type": "text/x-python", "text": text, **over}


def _body(*attachments: dict[str, Any]) -> ChatBody:
    return ChatBody.model_validate(
        {"model": "claude-sonnet-4-6", "content": "hi", "attachments": list(attachments)}
    )


def test_images_without_type_and_files_parse_side_by_side() -> None:
    body = _body({"media_type": "image/png", "data": "iVBORw0K"}, _file())
    image, file = body.attachments or []
    assert isinstance(image, Attachment) and image.media_type == "image/png"
    assert isinstance(file, FileAttachment) and file.name == "main.py"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("src/app/main.py", "main.py"),
        ("C:\\Users\\me\\notes.md", "notes.md"),
        ("a b.txt", "a b.txt"),
    ],
)
def test_file_names_keep_only_their_basename(name: str, kept: str) -> None:
    file = (_body(_file(name=name)).attachments or [])[0]
    assert isinstance(file, FileAttachment) and file.name == kept


def _error(*attachments: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        _body(*attachments)
    return str(info.value)


def test_bad_files_are_refused_with_a_reason() -> None:
    assert "NUL" in _error(_file(text="a\x00b"))
    assert "empty once its folders are removed" in _error(_file(name="dir/"))
    assert "at most 255" in _error(_file(name="x" * 256))
    assert "at most 512000" in _error(_file(text="x" * 512_001))
    assert "at most 100" in _error(_file(media_type="text/" + "x" * 100))
    five = [_file(name=f"f{i}.txt", text="x" * 500_000) for i in range(5)]
    assert "2,000,000 per message" in _error(*five)
    assert "at most 16" in _error(*[_file(name=f"f{i}.txt") for i in range(17)])
    assert "type" in _error({"type": "pdf", "name": "a.pdf", "media_type": "x", "text": "x"})


def test_the_largest_files_that_fit_are_accepted() -> None:
    four = [_file(name=f"f{i}.txt", text="x" * 500_000) for i in range(4)]
    assert len(_body(*four).attachments or []) == 4
    assert len(_body(_file(text="x" * 512_000)).attachments or []) == 1


def test_files_reach_the_provider_as_documents_before_the_text() -> None:
    parts = [
        {"kind": "text", "text": "Review this"},
        {"kind": "image", "media_type": "image/png", "data": "AAAA"},
        {"kind": "file", "name": 'say "hi".py', "media_type": "text/x-python", "text": "x = 1"},
        {"kind": "file", "name": "notes.md", "media_type": "text/markdown", "text": "# N"},
    ]
    (msg,) = to_provider_messages(
        [StoredMessage(1, None, "user", "Review this", parts, "complete")]
    )
    assert msg.parts == (
        TextPart(
            '<document name="say &quot;hi&quot;.py" media_type="text/x-python">\nx = 1\n</document>'
        ),
        TextPart('<document name="notes.md" media_type="text/markdown">\n# N\n</document>'),
        TextPart("Review this"),
        ImagePart("image/png", "AAAA"),
    )
    # The estimate of input tokens counts the file text (and its wrapper) too.
    assert prompt_chars([msg], "sys") == 3 + sum(
        len(p.text) for p in msg.parts if isinstance(p, TextPart)
    )
    assert prompt_chars([msg], None) > len("Review this") + len("x = 1") + len("# N")


def test_a_file_only_message_is_a_user_turn() -> None:
    parts = [{"kind": "file", "name": "a.txt", "media_type": "text/plain", "text": "data"}]
    (msg,) = to_provider_messages([StoredMessage(1, None, "user", "", parts, "complete")])
    assert msg.role == "user"
    assert msg.parts == (
        TextPart('<document name="a.txt" media_type="text/plain">\ndata\n</document>'),
    )


def _conv() -> ExportConversation:
    return ExportConversation(
        7, "Code review", "claude", "claude-sonnet-4-6", None, False, WHEN, WHEN
    )


def _user(parts: list[dict[str, Any]], content: str = "Look at this") -> ExportMessage:
    return ExportMessage(1, None, "user", content, parts, None, None, "complete", None, WHEN)


def test_markdown_export_shows_each_file_in_a_fence_it_cannot_close() -> None:
    code = "Use ```python\nx = 1\n``` and ````` too\n"
    parts = [
        {"kind": "text", "text": "Look at this"},
        {"kind": "file", "name": "guide.md", "media_type": "text/markdown", "text": code},
        {"kind": "file", "name": "a.txt", "media_type": "text/plain", "text": "plain"},
    ]
    md = to_markdown(_conv(), [_user(parts)], WHEN)
    fence = "`" * 6
    assert f"📎 guide.md\n\n{fence}\n{code.rstrip()}\n{fence}\n" in md
    assert "📎 a.txt\n\n```\nplain\n```\n" in md
    # Files come before the message's own words.
    assert md.index("📎 guide.md") < md.index("📎 a.txt") < md.index("Look at this")


def test_json_export_keeps_the_file_part_whole() -> None:
    part = {"kind": "file", "name": "a.csv", "media_type": "text/csv", "text": "a,b\n1,2\n"}
    data = json.loads(to_json(_conv(), [_user([part])], WHEN))
    assert data["messages"][0]["parts"] == [part]
