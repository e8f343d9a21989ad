"""Search in a real browser: the sidebar box finds a word that only appears inside an answer
of an old chat — one the sidebar has not even loaded — shows it with the word emphasised in
a snippet, and opens it; then screenshots of the results at every size and theme."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import COMBOS, browsing, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

MODEL = "claude-sonnet-4-6"
# The sidebar loads 50 chats a page: this many newer ones push the oldest off the first page.
NEWER_EMPTY_CHATS = 52

CHATS = [  # oldest first: (title, question, answer)
    (
        "Rock pools",
        "What lives in rock pools on the Breton coast?",
        "Plenty! Look under the wrack for shore crabs and beadlet anemones. On the rocks "
        "you will find limpets, barnacles and the common periwinkle, a small grazing snail "
        "that hides in crevices when the tide goes out. Bring a bucket of seawater.",
    ),
    (
        "Sourdough starter",
        "My sourdough starter smells like nail polish. Is it dead?",
        "Not at all: that acetone smell means it is hungry. Feed it twice a day at a 1:1:1 "
        "ratio for a few days and keep it near 24 °C; the smell fades as the yeast recovers.",
    ),
    (
        "Tide times for Saint-Malo",
        "When is low tide in Saint-Malo this weekend?",
        "I cannot see live tide tables, but the SHOM publishes them; spring tides there can "
        "exceed 12 metres, so check before walking out to the Grand Bé.",
    ),
]


def _token(stack: Stack, username: str) -> str:
    token = flows.api_register(stack, username)
    flows.api_save_key(stack, token, "claude", check=False)
    return token


def _seed(stack: Stack, username: str) -> dict[str, int]:
    """The three chats (each answered by the Claude fake), then newer empty ones."""
    token = _token(stack, username)
    ids: dict[str, int] = {}
    for title, question, answer in CHATS:
        conv: dict[str, Any] = stack.api(
            "POST",
            "/api/conversations",
            {"title": title, "model": MODEL, "provider": "claude"},
            token,
        )
        stack.claude.queue(Reply(text=answer))
        result = stack.api(
            "POST",
            "/api/chat",
            {"model": MODEL, "conversation_id": conv["id"], "content": question},
            token,
        )
        assert result["status"] == "complete", result
        ids[title] = conv["id"]
    for i in range(NEWER_EMPTY_CHATS):
        stack.api("POST", "/api/conversations", {"title": f"Scratch {i + 1}"}, token)
    return ids


def test_search_finds_a_word_inside_an_old_answer_and_opens_it(page: Page, stack: Stack) -> None:
    ids = _seed(stack, "searcher")
    flows.login(page, "searcher")
    sidebar = page.get_by_role("navigation", name="Conversations")
    listed = page.get_by_test_id("conversation-list")
    expect(listed.get_by_role("link", name="Scratch 52")).to_be_visible()
    # The old chat is not even loaded: a filter over the loaded titles could never find it.
    expect(listed.get_by_role("link", name="Rock pools")).to_have_count(0)

    box = sidebar.get_by_role("searchbox", name="Search chats")
    box.fill("PERIWINKLE")
    results = page.get_by_role("region", name="Search results")
    expect(results).to_be_visible()
    expect(listed).to_be_hidden()
    links = results.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links.first).to_have_attribute("href", f"/c/{ids['Rock pools']}")
    expect(links.first).to_contain_text("Rock pools")
    snippet = links.first.get_by_test_id("search-snippet")
    expect(snippet).to_contain_text("the common periwinkle, a small grazing snail")
    expect(snippet.locator("mark")).to_have_text("periwinkle")

    # Words in titles and in questions are found too, newest activity first.
    box.fill("tide")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_contain_text("Tide times for Saint-Malo")
    expect(links.nth(1)).to_contain_text("Rock pools")
    box.fill("nothing-like-this")
    expect(results).to_contain_text("No chats match “nothing-like-this”")

    # Enter in the box opens the first result.
    box.fill("periwinkle")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text("Rock pools")
    box.press("Enter")
    expect(page).to_have_url(f"{stack.url}/c/{ids['Rock pools']}")
    expect(flows.assistant_messages(page).last).to_contain_text("common periwinkle")

    # Clearing the box brings the list back.
    box.fill("")
    expect(results).to_have_count(0)
    expect(listed.get_by_role("link", name="Scratch 52")).to_be_visible()


def test_another_users_chats_are_never_found(page: Page, stack: Stack) -> None:
    token = _token(stack, "nosy")
    stack.api("POST", "/api/conversations", {"title": "Nosy's own chat"}, token)
    flows.login(page, "nosy")
    page.get_by_role("searchbox", name="Search chats").fill("periwinkle")
    expect(page.get_by_role("region", name="Search results")).to_contain_text(
        "No chats match “periwinkle”"
    )


@pytest.fixture(scope="module")
def seeded_searcher(stack: Stack) -> dict[str, int]:
    return _seed(stack, "shots")


@pytest.mark.parametrize(("width", "phone", "theme"), COMBOS)
def test_search_screens(
    browser: Browser,
    stack: Stack,
    seeded_searcher: dict[str, int],
    width: str,
    phone: bool,
    theme: str,
) -> None:
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        flows.login(page, "shots")
        if phone:
            page.get_by_role("button", name="Open sidebar").click()
        box = page.get_by_role("searchbox", name="Search chats")
        expect(box).to_be_visible()
        box.fill("tide")
        results = page.get_by_role("region", name="Search results")
        expect(results.get_by_role("link")).to_have_count(2)
        expect(results).to_have_attribute("aria-busy", "false")
        page.wait_for_timeout(400)  # the drawer has finished sliding in
        shot(page, f"search-{width}-{theme}-results")

        box.fill("zebra crossing")
        expect(results).to_contain_text("No chats match “zebra crossing”")
        shot(page, f"search-{width}-{theme}-empty")

        box.fill("periwinkle")
        expect(results.get_by_role("link")).to_have_count(1)
        results.get_by_role("link").first.click()
        expect(page).to_have_url(f"{stack.url}/c/{seeded_searcher['Rock pools']}")
        if phone:
            # Opening a result closes the drawer, so the chat is what shows.
            expect(page.get_by_role("button", name="Open sidebar")).to_be_visible()
            expect(results).to_be_hidden()
        expect(flows.assistant_messages(page).last).to_contain_text("common periwinkle")
