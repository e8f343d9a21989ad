"""Custom instructions in a real browser: written in Settings → Preferences (with a live
character count and the 10,000 limit), saved on the server, and sent by the server as the
system prompt of the next new chat — then screenshots of that screen at every size and theme."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import COMBOS, browsing, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

INSTRUCTIONS = (
    "I'm a data engineer in Lyon. Keep answers short, show code in Python, and use metric units."
)


def _system_prompts(stack: Stack) -> list[object]:
    """The `system` of each message request Claude's fake received."""
    return [
        r.body.get("system")
        for r in stack.claude.requests
        if r.path == "/v1/messages" and isinstance(r.body, dict)
    ]


def test_custom_instructions_are_saved_and_start_new_chats(page: Page, stack: Stack) -> None:
    flows.register(page, "quentin")
    card = flows.save_key(page, "claude", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)

    page.goto("/settings/preferences")
    box = page.get_by_role("textbox", name="Custom instructions")
    save = page.get_by_role("button", name="Save instructions")
    count = page.get_by_test_id("custom-instructions-count")
    expect(box).to_have_value("")
    expect(count).to_have_text("0 / 10,000 characters")
    expect(save).to_be_disabled()

    # Over the limit: said plainly, and nothing can be saved.
    box.fill("x" * 10_005)
    expect(count).to_have_text("At most 10,000 characters: remove 5 to save.")
    expect(save).to_be_disabled()

    box.fill(INSTRUCTIONS)
    expect(count).to_have_text(f"{len(INSTRUCTIONS)} / 10,000 characters")
    save.click()
    expect(page.get_by_text("Saved").first).to_be_visible()
    expect(save).to_be_disabled()  # nothing left to save
    page.reload()  # it lives on the server
    expect(page.get_by_role("textbox", name="Custom instructions")).to_have_value(INSTRUCTIONS)

    # The next new chat is answered with them as its system prompt.
    page.get_by_role("link", name="Back to chat").click()
    flows.choose_model(page, "claude", "Claude Sonnet 4.6")
    stack.claude.requests.clear()
    stack.claude.queue(Reply(text="Short answer: use pandas.", chunks=3), Reply(text="Pandas"))
    flows.send(page, "How do I read a CSV?")
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("use pandas")
    assert INSTRUCTIONS in _system_prompts(stack), _system_prompts(stack)


@pytest.fixture(scope="module")
def instructed(stack: Stack) -> str:
    """A user whose preferences hold custom instructions."""
    token = flows.api_register(stack, "rosa")
    stack.api(
        "PUT", "/api/users/profile", {"preferences": {"custom_instructions": INSTRUCTIONS}}, token
    )
    return "rosa"


@pytest.mark.parametrize(("width", "phone", "theme"), COMBOS)
def test_custom_instructions_screens(
    browser: Browser, stack: Stack, instructed: str, width: str, phone: bool, theme: str
) -> None:
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        flows.login(page, instructed)
        page.goto("/settings/preferences")
        box = page.get_by_role("textbox", name="Custom instructions")
        expect(box).to_have_value(INSTRUCTIONS)
        box.focus()
        page.keyboard.press("Control+End")  # the end of the text, not of a line
        page.keyboard.type(" Cite sources.")
        expect(page.get_by_role("button", name="Save instructions")).to_be_enabled()
        page.get_by_role("button", name="Save instructions").scroll_into_view_if_needed()
        shot(page, f"instructions-{width}-{theme}-preferences")
