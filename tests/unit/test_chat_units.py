"""Pure pieces of the chat service: history shaping, branches, titles, tokens and cost."""

from __future__ import annotations

from decimal import Decimal

from polychat.chat.cost import Tokens, compute_cost, estimate_tokens, settle_tokens
from polychat.chat.history import part_from_stored, part_to_stored, to_provider_messages
from polychat.chat.parts import read_parts
from polychat.chat.store import StoredMessage, newest_leaf_under, path_to, siblings
from polychat.chat.titles import clean_title, first_words
from polychat.providers.base import ImagePart, TextPart, ToolCallPart, ToolResultPart, Usage


def _m(i: int, parent: int | None, role: str, text: str, status: str = "complete") -> StoredMessage:
    return StoredMessage(i, parent, role, text, None, status)


def test_branches_path_siblings_and_newest_leaf() -> None:
    #        1(user)
    #       /       \
    #   2(asst)    4(asst, regenerated)
    #     |           |
    #   3(user)     5(user)
    msgs = [
        _m(1, None, "user", "hi"),
        _m(2, 1, "assistant", "hello"),
        _m(3, 2, "user", "more"),
        _m(4, 1, "assistant", "hey"),
        _m(5, 4, "user", "again"),
    ]
    assert [m.id for m in path_to(msgs, 3)] == [1, 2, 3]
    assert [m.id for m in path_to(msgs, 5)] == [1, 4, 5]
    assert path_to(msgs, None) == []
    assert siblings(msgs)[1] == [2, 4]
    assert newest_leaf_under(msgs, 1) == 5
    assert newest_leaf_under(msgs, 2) == 3


def test_history_drops_empty_turns_and_merges_same_role_neighbours() -> None:
    path = [
        _m(1, None, "user", "first"),
        _m(2, 1, "assistant", "", status="error"),  # failed before any text
        _m(3, 2, "user", "second"),
        _m(4, 3, "assistant", "partial answer", status="stopped"),
    ]
    out = to_provider_messages(path)
    assert [m.role for m in out] == ["user", "assistant"]
    assert out[0].text == "first\n\nsecond"
    assert out[1].text == "partial answer"


def test_parts_round_trip_through_json() -> None:
    parts = [
        TextPart("t"),
        ImagePart("image/png", "aGVsbG8="),
        ToolCallPart("call_1", "lookup", {"q": 1}),
        ToolResultPart("call_1", "lookup", "42", is_error=False),
    ]
    assert [part_from_stored(part_to_stored(p)) for p in parts] == parts
    assert read_parts([{"kind": "unknown"}]) == []


def test_titles() -> None:
    assert first_words("  How do   I bake sourdough bread at home quickly?  ") == (
        "How do I bake sourdough bread…"
    )
    assert first_words("") == "New conversation"
    assert clean_title('Title: "Baking Sourdough at Home."\nmore') == "Baking Sourdough at Home"
    assert clean_title("  \n ") is None


def test_tokens_reported_win_and_estimates_are_flagged() -> None:
    assert settle_tokens(Usage(11, 6), 400, "abc") == Tokens(11, 6, False)
    est = settle_tokens(None, 400, "x" * 40)
    assert est == Tokens(100, 10, True)
    assert settle_tokens(Usage(0, 0), 4, "") == Tokens(1, 0, True)
    assert estimate_tokens("") == 0


async def test_cost_known_unknown_and_reported() -> None:
    cost = await compute_cost("openai", "gpt-4o-mini", Tokens(1_000_000, 1_000_000, False), None)
    assert cost is not None and cost > 0
    # A model no price table knows, and a local provider: unknown, never a made-up zero.
    assert await compute_cost("openai", "no-such-model-x", Tokens(10, 10, False), None) is None
    assert await compute_cost("ollama", "llama3.2", Tokens(10, 10, False), None) is None
    # A cost the provider reported itself wins (OpenRouter).
    reported = await compute_cost(
        "openrouter", "x/y", Tokens(1, 1, False), Usage(1, 1, cost_usd=0.0123)
    )
    assert reported == Decimal("0.0123")
