"""The history rules of `chat/history.py`: what every adapter may rely on receiving."""

from __future__ import annotations

import itertools
from typing import Any

from polychat.chat.history import NOT_RUN, has_images, to_provider_messages
from polychat.chat.store import StoredMessage
from polychat.providers.base import (
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)

CALL = {"kind": "tool_call", "id": "c1", "name": "get_weather", "arguments": {"city": "Oslo"}}
CALL2 = {"kind": "tool_call", "id": "c2", "name": "get_time", "arguments": {}}


def _result(call_id: str, content: str) -> dict[str, Any]:
    return {"kind": "tool_result", "tool_call_id": call_id, "name": "get_weather",
            "content": content, "is_error": False}  # fmt: skip


def _m(
    role: str,
    content: str = "",
    parts: list[dict[str, Any]] | None = None,
    status: str = "complete",
) -> StoredMessage:
    return StoredMessage(0, None, role, content, parts, status)


def _text(text: str) -> dict[str, Any]:
    return {"kind": "text", "text": text}


def _no_blank_text(messages: list[Message]) -> bool:
    return all(p.text.strip() for m in messages for p in m.parts if isinstance(p, TextPart))


def test_blank_text_is_never_sent_and_a_turn_left_empty_is_left_out() -> None:
    out = to_provider_messages(
        [
            _m("user", "Hi", [_text("Hi"), _text(""), _text(" \n\t")]),
            _m("assistant", "", [_text("  ")], status="stopped"),  # stopped before any text
            _m("user", "Again?"),
            _m("assistant", " \n", None, status="interrupted"),  # a checkpoint of whitespace
            _m("user", "Still there?"),
        ]
    )
    assert out == [Message("user", (TextPart("Hi\n\nAgain?\n\nStill there?"),))]
    assert _no_blank_text(out)


def test_a_partial_answer_keeps_the_text_the_user_saw() -> None:
    out = to_provider_messages(
        [
            _m("user", "Tell me"),
            _m("assistant", "Once upon", [_text("Once upon"), _text(" ")], status="error"),
            _m("user", "Go on"),
        ]
    )
    assert [(m.role, m.text) for m in out] == [
        ("user", "Tell me"),
        ("assistant", "Once upon"),
        ("user", "Go on"),
    ]


def test_thinking_system_rows_and_unknown_parts_are_not_sent() -> None:
    out = to_provider_messages(
        [
            _m("system", "Be brief."),
            _m("user", "Why?"),
            _m(
                "assistant",
                "Because.",
                [
                    {"kind": "thinking", "text": "hmm", "duration_ms": 5},
                    {"kind": "future_kind"},
                    _text("Because."),
                ],
            ),
            _m("user", "OK"),
        ]
    )
    assert [(m.role, m.parts) for m in out] == [
        ("user", (TextPart("Why?"),)),
        ("assistant", (TextPart("Because."),)),
        ("user", (TextPart("OK"),)),
    ]


def test_a_tool_call_without_result_is_answered_as_not_run() -> None:
    out = to_provider_messages(
        [
            _m("user", "Weather and time?"),
            _m("assistant", "Checking.", [_text("Checking."), CALL, CALL2]),
            _m("user", "Never mind, thanks."),
        ]
    )
    assert [m.role for m in out] == ["user", "assistant", "user"]
    assert out[2].parts == (
        ToolResultPart("c1", "get_weather", NOT_RUN, is_error=True),
        ToolResultPart("c2", "get_time", NOT_RUN, is_error=True),
        TextPart("Never mind, thanks."),
    )


def test_stored_results_come_first_in_call_order_and_missing_ones_are_filled() -> None:
    out = to_provider_messages(
        [
            _m("user", "Weather and time?"),
            _m("assistant", "", [CALL, CALL2]),
            _m("user", "", [_text("Here:"), _result("c2", "noon")]),
        ]
    )
    assert out[2].parts == (
        ToolResultPart("c1", "get_weather", NOT_RUN, is_error=True),
        ToolResultPart("c2", "get_weather", "noon"),
        TextPart("Here:"),
    )


def test_a_result_that_answers_no_call_is_dropped() -> None:
    out = to_provider_messages(
        [
            _m("user", "Hi"),
            _m("assistant", "Hello"),
            _m("user", "", [_result("gone", "42")]),  # its call's turn was not kept
            _m("assistant", "Anything else?"),
            _m("user", "No"),
        ]
    )
    assert not any(isinstance(p, ToolResultPart) for m in out for p in m.parts)
    assert [(m.role, m.text) for m in out] == [
        ("user", "Hi"),
        ("assistant", "Hello\n\nAnything else?"),
        ("user", "No"),
    ]


def test_a_failed_answer_after_a_tool_exchange_still_pairs_the_calls() -> None:
    out = to_provider_messages(
        [
            _m("user", "Weather?"),
            _m("assistant", "", [CALL]),
            _m("user", "", [_result("c1", "sunny")]),
            _m("assistant", "", [], status="error"),  # the answer to the result failed
            _m("user", "Hello?"),
        ]
    )
    assert [m.role for m in out] == ["user", "assistant", "user"]
    assert out[2].parts == (ToolResultPart("c1", "get_weather", "sunny"), TextPart("Hello?"))


def test_files_come_before_the_text_and_images_stay_images() -> None:
    file = {"kind": "file", "name": "a.txt", "media_type": "text/plain", "text": "body"}
    image = {"kind": "image", "media_type": "image/png", "data": "aGk="}
    (msg,) = to_provider_messages([_m("user", "", [_text("Read this"), image, file])])
    assert isinstance(msg.parts[0], TextPart) and msg.parts[0].text.startswith("<document")
    assert msg.parts[1:] == (TextPart("Read this"), ImagePart("image/png", "aGk="))
    assert has_images([msg])


def test_roles_always_alternate_and_calls_are_answered_whatever_came_before() -> None:
    kinds = [
        _m("user", "q"),
        _m("assistant", "", [], status="error"),
        _m("user", "q2"),
        _m("assistant", "a", [_text("a"), CALL]),
        _m("assistant", " ", None, status="interrupted"),
        _m("user", "", [_result("c1", "r")]),
        _m("user", "  "),
        _m("assistant", "b", [_text("b"), CALL2]),
        _m("user", "q3"),
    ]
    out = to_provider_messages(kinds)
    assert all(a.role != b.role for a, b in itertools.pairwise(out))
    assert _no_blank_text(out)
    for before, after in itertools.pairwise(out):
        calls = [p.id for p in before.parts if isinstance(p, ToolCallPart)]
        results = [p.tool_call_id for p in after.parts if isinstance(p, ToolResultPart)]
        assert results == calls


def test_the_new_turn_is_sent_exactly_as_it_will_read_back_once_saved() -> None:
    """The planner hands the new user message over as typed parts (no JSON round trip); the
    next turn reads the same message back from its saved row. Both must send the same."""
    from polychat.chat.parts import StoredFile, StoredImage, StoredText, dump_parts

    new = [
        StoredText(text="What does it say?"),
        StoredImage(media_type="image/png", data="aGk="),
        StoredFile(name='a "b".txt', media_type="text/plain", text="body"),
    ]
    before = [
        _m("user", "q"),
        _m("assistant", "", [], status="error"),  # left out: the two user turns merge
    ]
    live = to_provider_messages(before, new)
    saved = to_provider_messages([*before, _m("user", "", dump_parts(new))])
    assert live == saved
    assert [m.role for m in live] == ["user"]
    first = live[0].parts[0]  # the earlier question, joined with the file that comes first
    assert isinstance(first, TextPart) and first.text.startswith('q\n\n<document name="a &quot;')
    assert live[0].parts[1:] == (TextPart("What does it say?"), ImagePart("image/png", "aGk="))
