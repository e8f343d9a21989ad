"""Visible thinking in a real browser: Think switched on for Claude, the fake streams its
reasoning (signed thinking blocks) before the answer; the block shows "Thinking…" with the
reasoning live, folds to "Thought for …" when the answer starts, and is found again after a
reload. The toggle follows the model, and the four looks (desktop/phone x light/dark) are
photographed while thinking, folded and opened."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import COMBOS, browsing, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

THOUGHTS = (
    "The user wants a haiku about autumn: three lines, five, seven, five syllables.\n"
    "Images first. Falling leaves are expected; maybe the light instead, lower each day.\n"
    "Line one: 'Low amber sunlight' is five. Good.\n"
    "Line two needs seven: 'spills across the quiet street' — spills (1) a-cross (2) the (1) "
    "qui-et (2) street (1) = seven.\n"
    "Line three, five, with a turn: 'one leaf lets go now'. Counts five.\n"
    "Check the whole again before answering; keep it plain, no title. <b>not bold</b>"
)
ANSWER = "Low amber sunlight\nspills across the quiet street —\none leaf lets go now."
FOLDED = re.compile(r"^Thought for (\d+ s|\d+ min( \d+ s)?|a few seconds)$")


def _message_requests(stack: Stack) -> list[dict[str, Any]]:
    """The bodies of the message requests Claude's fake received, oldest first."""
    return [
        r.body
        for r in stack.claude.requests
        if r.path == "/v1/messages" and isinstance(r.body, dict)
    ]


def _slow_thinking_reply() -> Reply:
    """Reasoning in many slow pieces, then the answer: long enough to be seen live."""
    return Reply(thinking=THOUGHTS, thinking_chunks=24, text=ANSWER, chunks=8, chunk_delay_s=0.12)


def _think_toggle(page: Page) -> Locator:
    return page.get_by_role("button", name="Extended thinking")


def _block(page: Page) -> Locator:
    return flows.assistant_messages(page).last.get_by_test_id("thinking-block")


def test_thinking_streams_folds_and_survives_a_reload(browser: Browser, stack: Stack) -> None:
    token = flows.api_register(stack, "hypatia")
    flows.api_save_key(stack, token, "claude")
    flows.api_save_key(stack, token, "mistral")
    with browsing(browser, stack) as page:
        flows.login(page, "hypatia")
        flows.choose_model(page, "claude", "Claude Sonnet 4.6")
        think = _think_toggle(page)
        expect(think).to_have_attribute("aria-pressed", "false")
        think.click()
        expect(think).to_have_attribute("aria-pressed", "true")

        stack.claude.state.reset()
        stack.claude.queue(_slow_thinking_reply(), Reply(text="Autumn haiku", chunks=1))
        flows.send(page, "A haiku about autumn, please")

        # Live: "Thinking…" over the reasoning as it arrives, before any answer text.
        live = page.get_by_test_id("live-answer").get_by_test_id("thinking-block")
        expect(live).to_have_attribute("data-state", "live")
        header = live.get_by_test_id("thinking-toggle")
        expect(header).to_have_text("Thinking…")
        expect(header).to_have_attribute("aria-expanded", "true")
        text = live.get_by_test_id("thinking-text")
        expect(text).to_contain_text("The user wants a haiku")
        assert page.get_by_test_id("live-answer").locator(".prose-chat").count() == 0

        # The answer starts: the block folds to how long it thought.
        expect(page.get_by_test_id("live-answer")).to_contain_text("Low amber", timeout=20_000)
        expect(header).to_have_text(FOLDED)
        expect(header).to_have_attribute("aria-expanded", "false")
        expect(live.get_by_test_id("thinking-text")).to_have_count(0)
        flows.wait_idle(page)
        expect(flows.assistant_messages(page).last).to_contain_text("one leaf lets go now.")

        # Claude was asked to think at medium effort, without temperature. Claude 4.6 and
        # later take the adaptive form (effort in output_config), older ones a token budget.
        asked = [b for b in _message_requests(stack) if b.get("thinking")]
        assert len(asked) == 1, _message_requests(stack)
        body = asked[0]
        if body["thinking"].get("type") == "adaptive":
            assert body["thinking"] == {"type": "adaptive", "display": "summarized"}, body
            assert body["output_config"]["effort"] == "medium", body
        else:
            assert body["thinking"] == {"type": "enabled", "budget_tokens": 8192}, body
            assert body["max_tokens"] > 8192, body
        assert "temperature" not in body

        # After a reload the saved answer still says how long it thought, and opens on the
        # same reasoning (as text: the tag in it is not markup).
        expect(page).to_have_url(re.compile(r"/c/\d+$"))
        page.reload()
        block = _block(page)
        saved_header = block.get_by_test_id("thinking-toggle")
        expect(saved_header).to_have_text(FOLDED)
        expect(saved_header).to_have_attribute("aria-expanded", "false")
        saved_header.focus()
        page.keyboard.press("Enter")
        expect(saved_header).to_have_attribute("aria-expanded", "true")
        opened = block.get_by_test_id("thinking-text")
        assert opened.inner_text() == THOUGHTS
        assert opened.locator("b").count() == 0
        expect(flows.assistant_messages(page).last).to_contain_text("one leaf lets go now.")
        page.keyboard.press("Enter")
        expect(block.get_by_test_id("thinking-text")).to_have_count(0)

        # The chat kept Think on; a model that cannot think hides the toggle, and coming
        # back to Claude brings it back as it was.
        expect(_think_toggle(page)).to_have_attribute("aria-pressed", "true")
        flows.choose_model(page, "mistral", "Mistral Small")
        expect(_think_toggle(page)).to_have_count(0)
        flows.choose_model(page, "claude", "Claude Sonnet 4.6")
        expect(_think_toggle(page)).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_reload_or_a_stop_mid_thought_keeps_the_thoughts(browser: Browser, stack: Stack) -> None:
    """Reloaded while thinking, the page re-attaches and shows the thoughts so far, still
    live; stopped while thinking, the answer keeps what was thought."""
    token = flows.api_register(stack, "noether")
    flows.api_save_key(stack, token, "claude")
    steps = "\n".join(f"Step {n}: consider the next case carefully." for n in range(40))
    with browsing(browser, stack) as page:
        flows.login(page, "noether")
        flows.choose_model(page, "claude", "Claude Sonnet 4.6")
        _think_toggle(page).click()
        expect(_think_toggle(page)).to_have_attribute("aria-pressed", "true")
        stack.claude.state.replies.clear()
        stack.claude.queue(
            Reply(thinking=steps, thinking_chunks=40, text="Proved.", chunks=1, chunk_delay_s=0.15),
            Reply(text="A proof", chunks=1),
        )
        flows.send(page, "Prove it slowly")
        live = page.get_by_test_id("live-answer").get_by_test_id("thinking-text")
        expect(live).to_contain_text("Step 3:")
        expect(page).to_have_url(re.compile(r"/c/\d+$"))
        page.reload()
        # Re-attached: the replay brings back the first thoughts, and new ones keep coming.
        block = page.get_by_test_id("live-answer").get_by_test_id("thinking-block")
        expect(block.get_by_test_id("thinking-toggle")).to_have_text("Thinking…")
        expect(block.get_by_test_id("thinking-text")).to_contain_text("Step 0:")
        expect(block.get_by_test_id("thinking-text")).to_contain_text("Step 30:", timeout=20_000)
        flows.wait_idle(page, timeout=30_000)
        saved = flows.assistant_messages(page).last
        expect(saved).to_contain_text("Proved.")
        header = saved.get_by_test_id("thinking-toggle")
        expect(header).to_have_text(FOLDED)
        header.click()
        assert saved.get_by_test_id("thinking-text").inner_text() == steps

        # Stopped mid-thought: no answer text, the thoughts stay (folded, timed to the stop).
        stack.claude.queue(
            Reply(
                thinking=steps, thinking_chunks=40, text="Never sent.", chunks=1, chunk_delay_s=0.2
            )
        )
        flows.send(page, "Prove another, slowly")
        expect(page.get_by_test_id("live-answer").get_by_test_id("thinking-text")).to_contain_text(
            "Step 2:"
        )
        page.get_by_test_id("stop-button").click()
        flows.wait_idle(page, timeout=10_000)
        stopped = page.locator('[data-role="assistant"][data-status="stopped"]').last
        expect(stopped).to_contain_text("Stopped")
        expect(stopped.get_by_test_id("thinking-toggle")).to_have_text(FOLDED)
        page.reload()
        stopped = page.locator('[data-role="assistant"][data-status="stopped"]').last
        expect(stopped.get_by_test_id("thinking-toggle")).to_have_text(FOLDED)
        stopped.get_by_test_id("thinking-toggle").click()
        expect(stopped.get_by_test_id("thinking-text")).to_contain_text("Step 0:")
        assert "Never sent." not in stopped.inner_text()


@pytest.fixture(scope="module")
def lovelace(stack: Stack) -> str:
    """A user with a Claude key; returns the access token."""
    token = flows.api_register(stack, "lovelace")
    flows.api_save_key(stack, token, "claude")
    return token


def _thought_chat(stack: Stack, token: str) -> str:
    """A finished conversation (through the JSON API) whose answer thought for ~2 s first."""
    stack.claude.state.replies.clear()
    stack.claude.queue(
        Reply(thinking=THOUGHTS, thinking_chunks=6, text=ANSWER, chunks=3, chunk_delay_s=0.3),
        Reply(text="Autumn haiku", chunks=1),
    )
    res = stack.api(
        "POST",
        "/api/chat",
        {
            "model": "claude-sonnet-4-6",
            "provider": "claude",
            "content": "A haiku about autumn, please",
            "reasoning": "high",
        },
        token,
    )
    assert res["thinking"] == THOUGHTS, res
    return str(res["conversation_id"])


def _settled(page: Page) -> None:
    """Pointer away and no CSS transition running (the chevron turns): a still picture."""
    page.mouse.move(0, 0)
    page.wait_for_function(
        "document.getAnimations().every(a => !(a instanceof CSSTransition) "
        "|| a.playState !== 'running')"
    )


# Longer reasoning for the live pictures: enough to fill the bounded box and scroll it.
MORE = "\n".join(
    f"Another pass, line {n}: weigh the sound of each word against the season." for n in range(8)
)


@pytest.mark.parametrize(("size", "phone", "theme"), COMBOS)
def test_thinking_screens(
    browser: Browser, stack: Stack, lovelace: str, size: str, phone: bool, theme: str
) -> None:
    chat = _thought_chat(stack, lovelace)
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        flows.login(page, "lovelace")
        page.goto(f"/c/{chat}")
        block = _block(page)
        header = block.get_by_test_id("thinking-toggle")
        expect(header).to_have_text(FOLDED)
        expect(header).not_to_have_text("Thought for a few seconds")
        expect(_think_toggle(page)).to_have_attribute("aria-pressed", "true")
        _settled(page)
        shot(page, f"{size}-{theme}-50-thinking-folded")
        header.click()
        expect(block.get_by_test_id("thinking-text")).to_have_text(THOUGHTS)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _settled(page)
        shot(page, f"{size}-{theme}-51-thinking-open")

        stack.claude.state.replies.clear()
        stack.claude.queue(
            Reply(
                thinking=f"{THOUGHTS}\n{MORE}\nDone weighing.",
                thinking_chunks=40,
                text=ANSWER,
                chunks=4,
                chunk_delay_s=0.15,
            )
        )
        flows.send(page, "Another, about winter")
        live = page.get_by_test_id("live-answer").get_by_test_id("thinking-block")
        expect(live.get_by_test_id("thinking-text")).to_contain_text("line 4", timeout=20_000)
        expect(live.get_by_test_id("thinking-toggle")).to_have_text("Thinking…")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, f"{size}-{theme}-52-thinking-live")
        # Still thinking after the picture: it shows the live state.
        assert live.get_attribute("data-state") == "live"
        flows.wait_idle(page)
