"""The search snippet and the LIKE pattern, on their own."""

from __future__ import annotations

from polychat.chat.search import SNIPPET_CHARS, like_pattern, snippet


def test_like_pattern_makes_wildcards_and_the_escape_literal() -> None:
    assert like_pattern("plain") == "%plain%"
    assert like_pattern("50%_off\\x") == "%50\\%\\_off\\\\x%"


def test_short_text_is_returned_whole_on_one_line() -> None:
    assert snippet("  a short\n\nanswer\twith spaces ", "short") == "a short answer with spaces"


def test_long_text_is_cut_around_the_first_hit_at_spaces() -> None:
    text = " ".join(f"w{i}" for i in range(200)) + " the Needle here " + "tail " * 100
    cut = snippet(text, "needle")
    assert cut.startswith("…") and cut.endswith("…")
    assert "the Needle here" in cut
    assert len(cut) <= SNIPPET_CHARS + 2
    body = cut.strip("…")
    assert body.split(" ")[0] in text.split(" ")  # begins on a whole word
    assert body.split(" ")[-1] in text.split(" ")  # ends on a whole word
    assert cut.index("Needle") < 80  # the hit is near the start, with some context before it


def test_hit_at_the_start_or_end_and_no_hit() -> None:
    text = "needle " + "filler " * 100
    assert snippet(text, "NEEDLE").startswith("needle filler")
    end = "filler " * 100 + "the end needle"
    assert snippet(end, "needle").endswith("the end needle")
    assert snippet("x " * 200, "absent").startswith("x x x")
    long_query = "word " * 40
    assert snippet("intro " * 50 + long_query + "outro " * 50, long_query.strip()).startswith(
        "…word word"
    )
