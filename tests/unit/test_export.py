"""Conversation export formats: safe file names, readable Markdown, complete JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from polychat.chat.export import (
    ExportConversation,
    ExportMessage,
    content_disposition,
    filename,
    model_name,
    to_json,
    to_markdown,
)

WHEN = datetime(2026, 11, 21, 17, 5, tzinfo=UTC)


def conv(title: str | None, **over: object) -> ExportConversation:
    base: dict[str, object] = {
        "id": 7,
        "title": title,
        "provider": "claude",
        "model": "claude-sonnet-4-6",
        "system_prompt": None,
        "pinned": False,
        "created_at": WHEN,
        "updated_at": WHEN,
    }
    base.update(over)
    return ExportConversation(**base)  # type: ignore[arg-type]


def msg(i: int, role: str, content: str, **over: object) -> ExportMessage:
    base: dict[str, object] = {
        "id": i,
        "parent_id": i - 1 if i > 1 else None,
        "role": role,
        "content": content,
        "parts": [],
        "provider": "claude" if role == "assistant" else None,
        "model": "claude-sonnet-4-6" if role == "assistant" else None,
        "status": "complete",
        "error": None,
        "created_at": WHEN,
    }
    base.update(over)
    return ExportMessage(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Weekend in Lyon", "weekend-in-lyon.md"),
        ("Café crème & co.", "cafe-creme-co.md"),
        ("../../etc/passwd", "etc-passwd.md"),
        ('a "quoted"\r\nname; filename=evil.exe', "a-quoted-name-filename-evil-exe.md"),
        ("日本語のタイトル", "conversation-7.md"),
        (None, "conversation-7.md"),
        ("x" * 300, "x" * 80 + ".md"),
    ],
)
def test_filenames_are_safe_ascii(title: str | None, expected: str) -> None:
    assert filename(conv(title), "markdown") == expected


def test_content_disposition_keeps_the_real_title_encoded() -> None:
    header = content_disposition(conv('Café "crème"\nnew'), "json")
    assert header.startswith("attachment; filename=\"cafe-creme-new.json\"; filename*=UTF-8''")
    assert "\n" not in header and '"crème"' not in header
    assert header.endswith("Caf%C3%A9%20cr%C3%A8me%20new.json")
    assert content_disposition(conv(None), "markdown") == 'attachment; filename="conversation-7.md"'


def test_model_names_come_from_the_catalog_when_known() -> None:
    assert model_name("claude", "claude-sonnet-4-6") == "Claude Sonnet 4.6"
    assert model_name("lab-vllm", "qwen-72b") == "qwen-72b"
    assert model_name(None, None) is None


def test_markdown_shows_roles_model_names_and_text() -> None:
    messages = [
        msg(1, "user", "Plan a weekend in Lyon"),
        msg(2, "assistant", "Day one: Vieux Lyon.\n"),
        msg(3, "user", "And food?", parts=[{"kind": "image", "media_type": "image/png"}]),
        msg(
            4,
            "assistant",
            "Les Halles",
            provider="mistral",
            model="mistral-large-latest",
            status="error",
            error={"message": "overloaded"},
        ),
    ]
    text = to_markdown(
        conv("Weekend\nin Lyon", system_prompt="Be brief.\nUse lists."), messages, WHEN
    )
    assert text.startswith("# Weekend in Lyon\n\n*Exported from Polychat on 2026-11-21 17:05 UTC")
    assert "4 messages" in text
    assert "> Be brief.\n> Use lists." in text
    assert text.count("## You") == 2
    assert "## Claude Sonnet 4.6 (`claude-sonnet-4-6`, claude)\n\nDay one: Vieux Lyon.\n" in text
    assert "## Mistral Large" in text and "`mistral-large-latest`, mistral" in text
    assert "*[1 image attached]*" in text
    assert "*This answer ended early: overloaded.*" in text
    assert text.index("Plan a weekend") < text.index("Day one") < text.index("Les Halles")
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_json_is_complete_and_parses() -> None:
    messages = [msg(1, "user", "hi"), msg(2, "assistant", "hello", status="stopped")]
    data = json.loads(to_json(conv("Greetings", pinned=True), messages, WHEN))
    assert data["format"] == "polychat.conversation.v1"
    assert data["conversation"]["title"] == "Greetings" and data["conversation"]["pinned"] is True
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    assert data["messages"][0]["model"] is None
    assert data["messages"][1]["model_name"] == "Claude Sonnet 4.6"
    assert data["messages"][1]["status"] == "stopped"


def test_thinking_is_quoted_under_the_model_heading_and_kept_in_json() -> None:
    thought = {
        "kind": "thinking",
        "text": "First, the dates.\n\nThen the budget.",
        "duration_ms": 4200,
    }
    answer = msg(
        2,
        "assistant",
        "Go in May.",
        parts=[thought, {"kind": "text", "text": "Go in May."}],
    )
    messages = [msg(1, "user", "When should I go?"), answer]
    text = to_markdown(conv("Trip"), messages, WHEN)
    assert (
        "## Claude Sonnet 4.6 (`claude-sonnet-4-6`, claude)\n\n"
        "> **Thinking**\n>\n> First, the dates.\n>\n> Then the budget.\n\n"
        "Go in May.\n"
    ) in text
    # A user message that happens to carry such a part is never shown as thinking.
    odd = msg(3, "user", "hi", parts=[thought])
    assert to_markdown(conv("Trip"), [odd], WHEN).count("**Thinking**") == 0
    data = json.loads(to_json(conv("Trip"), messages, WHEN))
    assert data["messages"][1]["parts"][0] == thought
    assert data["messages"][1]["content"] == "Go in May."
