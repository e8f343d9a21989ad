"""The chat header's title menu in a real browser: rename, star (the chat moves to the
sidebar's Starred section), conversation settings (system prompt, temperature and max output
tokens reach the provider on the next answer; switched to an OpenAI reasoning model, the
Temperature field is disabled with the reason and the model answers without it) and delete
(lands on a new chat) — then screenshots of the open menu and the settings dialog at every
size and theme."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import COMBOS, browsing, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

PIRATE = "Answer like a pirate, in two sentences at most."


def _message_requests(stack: Stack) -> list[dict[str, Any]]:
    """The bodies of the message requests Claude's fake received, in order."""
    return [
        r.body
        for r in stack.claude.requests
        if r.path == "/v1/messages" and isinstance(r.body, dict)
    ]


def _header_menu(page: Page) -> Locator:
    return page.get_by_test_id("conversation-menu")


def _open_header_menu(page: Page) -> Locator:
    _header_menu(page).click()
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    return menu


def test_header_menu_renames_stars_sets_and_deletes(page: Page, stack: Stack) -> None:
    flows.register(page, "hedda")
    card = flows.save_key(page, "claude", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)
    page.goto("/")
    flows.choose_model(page, "claude", "Claude Sonnet 4.6")
    stack.claude.queue(Reply(text="Lyon has great food.", chunks=2), Reply(text="Weekend in Lyon"))
    flows.send(page, "Plan a weekend in Lyon")
    flows.wait_idle(page)
    title = page.get_by_test_id("conversation-title")
    expect(title).to_have_text("Weekend in Lyon")
    conversation_url = page.url
    sidebar = page.get_by_test_id("conversation-list")

    # The title is a labelled button that opens the conversation's menu.
    expect(_header_menu(page)).to_have_accessible_name("Weekend in Lyon: conversation options")
    menu = _open_header_menu(page)
    expect(menu.get_by_role("menuitem")).to_have_text(
        [
            "Star",
            "Rename",
            "Conversation settings",
            "Export as Markdown",
            "Export as JSON",
            "Delete",
        ]
    )

    # Rename, from the header: the header and the sidebar both show the new title.
    menu.get_by_role("menuitem", name="Rename").click()
    box = page.get_by_role("dialog").get_by_role("textbox", name="Rename")
    expect(box).to_have_value("Weekend in Lyon")
    box.fill("Lyon food trip")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(title).to_have_text("Lyon food trip")
    expect(sidebar.get_by_role("link", name="Lyon food trip")).to_be_visible()

    # Star, from the header: the chat shows in the sidebar's Starred section; the menu now
    # offers Unstar. Keyboard only: Enter opens the menu, arrows move, Enter picks.
    expect(page.get_by_test_id("starred-section")).to_have_count(0)
    _header_menu(page).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Star")).to_be_focused()
    page.keyboard.press("Enter")
    starred = page.get_by_test_id("starred-section")
    expect(starred.get_by_role("link", name="Lyon food trip")).to_be_visible()
    menu = _open_header_menu(page)
    expect(menu.get_by_role("menuitem", name="Unstar")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)

    # Settings: out-of-range values are refused inline; valid ones are saved.
    _open_header_menu(page).get_by_role("menuitem", name="Conversation settings").click()
    dialog = page.get_by_role("dialog", name="Conversation settings")
    prompt = dialog.get_by_role("textbox", name="System prompt")
    expect(prompt).to_have_value("")
    prompt.fill(PIRATE)
    expect(dialog.get_by_test_id("conversation-system-prompt-count")).to_have_text(
        f"{len(PIRATE)} / 100,000 characters"
    )
    temperature = dialog.get_by_role("textbox", name="Temperature")
    max_tokens = dialog.get_by_role("textbox", name="Max output tokens")
    temperature.fill("2.5")
    max_tokens.fill("0")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("Enter a number from 0 to 2, or leave it empty.")).to_be_visible()
    too_few = "Enter a whole number from 1 to 1,000,000, or leave it empty."
    expect(dialog.get_by_text(too_few)).to_be_visible()
    expect(temperature).to_have_attribute("aria-invalid", "true")
    temperature.fill("0.4")
    max_tokens.fill("512")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Conversation settings saved")).to_be_visible()
    expect(dialog).to_have_count(0)

    # They are the conversation's now (after a reload too) ...
    page.reload()
    _open_header_menu(page).get_by_role("menuitem", name="Conversation settings").click()
    dialog = page.get_by_role("dialog", name="Conversation settings")
    expect(dialog.get_by_role("textbox", name="System prompt")).to_have_value(PIRATE)
    expect(dialog.get_by_role("textbox", name="Temperature")).to_have_value("0.4")
    expect(dialog.get_by_role("textbox", name="Max output tokens")).to_have_value("512")
    dialog.get_by_role("button", name="Cancel").click()

    # ... and the next answer is asked with them.
    stack.claude.requests.clear()
    stack.claude.queue(Reply(text="Arr, try the bouchons.", chunks=2))
    flows.send(page, "Where should we eat?")
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("try the bouchons")
    sent = [b for b in _message_requests(stack) if "Where should we eat?" in str(b.get("messages"))]
    assert len(sent) == 1, _message_requests(stack)
    assert sent[0].get("system") == PIRATE, sent[0]
    assert sent[0].get("temperature") == 0.4, sent[0]
    assert sent[0].get("max_tokens") == 512, sent[0]

    # Switched to an OpenAI reasoning model, the temperature it would refuse is shown disabled
    # with the reason (its value kept for other models), and the model answers without it.
    card = flows.save_key(page, "openai", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)
    page.goto(conversation_url)
    flows.choose_model(page, "openai", "o3-mini")
    _open_header_menu(page).get_by_role("menuitem", name="Conversation settings").click()
    dialog = page.get_by_role("dialog", name="Conversation settings")
    temperature = dialog.get_by_role("textbox", name="Temperature")
    expect(temperature).to_be_disabled()
    expect(temperature).to_have_value("0.4")
    reason = (
        "Not used with o3-mini: OpenAI's reasoning models only use their default sampling, "
        "so it is not sent."
    )
    expect(dialog.get_by_test_id("conversation-temperature-ignored")).to_have_text(reason)
    expect(temperature).to_have_accessible_description(re.compile("^" + re.escape(reason)))
    expect(dialog.get_by_role("textbox", name="Max output tokens")).to_be_enabled()
    shot(page, "conversation-settings-reasoning-model")
    dialog.get_by_role("button", name="Cancel").click()
    stack.openai.queue(Reply(text="Try the Halles Paul Bocuse.", chunks=2))
    flows.send(page, "And for lunch?")
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("Halles Paul Bocuse")
    asked = [r.body for r in stack.openai.requests if r.path.endswith("/chat/completions")]
    assert len(asked) == 1 and isinstance(asked[0], dict), asked
    assert "temperature" not in asked[0] and "max_tokens" not in asked[0], asked[0]
    assert asked[0]["max_completion_tokens"] == 512, asked[0]

    # Delete, from the header: confirm, and the app lands on a new chat without it.
    _open_header_menu(page).get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete conversation?")
    expect(confirm).to_contain_text("“Lyon food trip” and all its messages will be deleted.")
    confirm.get_by_test_id("confirm-delete").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("composer-input")).to_be_visible()
    expect(_header_menu(page)).to_have_count(0)
    expect(sidebar.get_by_role("link", name="Lyon food trip")).to_have_count(0)
    page.goto(conversation_url)
    expect(page.get_by_text("This conversation does not exist or was deleted.")).to_be_visible()
    expect(_header_menu(page)).to_have_count(0)  # no menu for a chat that is gone


@pytest.fixture(scope="module")
def chatted(stack: Stack) -> Iterator[str]:
    """A user with a long-titled, starred conversation that has settings (its id)."""
    token = flows.api_register(stack, "menno")
    flows.api_save_key(stack, token, "claude")
    stack.claude.queue(
        Reply(text="Start with the Croix-Rousse market, then walk down to the Saône.", chunks=3),
        Reply(text="Title"),
    )
    res = stack.api(
        "POST",
        "/api/chat",
        {
            "model": "claude-sonnet-4-6",
            "provider": "claude",
            "content": "What should I see first in Lyon?",
        },
        token,
    )
    cid = res["conversation_id"]
    stack.api(
        "PUT",
        f"/api/conversations/{cid}",
        {
            "title": "A long weekend in Lyon: markets, bouchons and the traboules of Vieux Lyon",
            "pinned": True,
            "system_prompt": "You are a local guide in Lyon. Suggest walkable plans and say "
            "which places close on Mondays.",
            "params": {"temperature": 0.7, "max_tokens": 2048},
        },
        token,
    )
    yield str(cid)


@pytest.mark.parametrize(("width", "phone", "theme"), COMBOS)
def test_conversation_menu_screens(
    browser: Browser, stack: Stack, chatted: str, width: str, phone: bool, theme: str
) -> None:
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        flows.login(page, "menno")
        page.goto(f"/c/{chatted}")
        expect(flows.assistant_messages(page).last).to_contain_text("Croix-Rousse")
        menu = _open_header_menu(page)
        expect(menu.get_by_role("menuitem", name="Unstar")).to_be_visible()
        # The menu stays inside the screen, even on a phone.
        box = menu.bounding_box()
        viewport = page.viewport_size
        assert box is not None and viewport is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
        shot(page, f"conversation-menu-{width}-{theme}-open")
        menu.get_by_role("menuitem", name="Conversation settings").click()
        dialog = page.get_by_role("dialog", name="Conversation settings")
        expect(dialog.get_by_role("textbox", name="System prompt")).to_have_value(
            re.compile("^You are a local guide")
        )
        expect(dialog.get_by_role("textbox", name="Temperature")).to_have_value("0.7")
        dialog.get_by_role("textbox", name="Temperature").fill("3")
        dialog.get_by_role("button", name="Save").click()
        expect(dialog.get_by_role("alert")).to_have_text(
            "Enter a number from 0 to 2, or leave it empty."
        )
        shot(page, f"conversation-menu-{width}-{theme}-settings")
