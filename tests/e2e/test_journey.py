"""The user journey of issue 6 in a real browser against the real server and the fakes:
register → add a Claude key → Claude models appear → a streamed answer renders → switch
to Mistral in the same conversation → stop a long answer → reload mid-answer and see it
continue → a bad key shows a red status with the provider's message → delete a conversation.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.conftest import shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

MARKDOWN_ANSWER = (
    "Here is **bold** text and a list:\n\n"
    "- first item\n- second item\n\n"
    "```python\ndef greet(name):\n    return f'Hello, {name}!'\n```\n\n"
    "That is all."
)


def _message_texts(page: Page) -> list[str]:
    return flows.assistant_messages(page).all_inner_texts()


def test_full_journey(page: Page, stack: Stack) -> None:
    # Register: the first account, so an admin.
    flows.register(page, "alice")
    expect(page.get_by_text("Add an API key to start chatting")).to_be_visible(timeout=30_000)
    shot(page, "journey-01-empty-no-keys")

    # Add a Claude key: saved, tested at once, green light.
    page.get_by_role("link", name="Open provider settings").click()
    expect(page).to_have_url(re.compile(r"/settings/providers$"))
    card = flows.save_key(page, "claude", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)
    expect(card.get_by_test_id("test-result")).to_contain_text("connected")
    shot(page, "journey-02-claude-key-saved")

    # Claude models appear in the selector; Mistral offers "Configure API key".
    flows.open_chat(page)
    page.get_by_test_id("model-selector").click()
    claude = page.locator('section[data-provider="claude"]')
    expect(claude.get_by_role("option").first).to_be_visible()
    assert claude.get_by_role("option").count() >= 2
    mistral = page.locator('section[data-provider="mistral"]')
    expect(mistral.get_by_role("button", name="Configure API key")).to_be_visible()
    shot(page, "journey-03-model-selector")
    page.keyboard.press("Escape")

    # A streamed answer renders as Markdown, incrementally.
    stack.claude.queue(Reply(text=MARKDOWN_ANSWER, chunks=24, chunk_delay_s=0.08))
    flows.send(page, "Show me some Markdown")
    live = page.get_by_test_id("live-answer")
    expect(live).to_contain_text("Here is", timeout=10_000)
    partial = live.inner_text()
    flows.wait_idle(page)
    expect(page).to_have_url(re.compile(r"/c/\d+$"))
    last = flows.assistant_messages(page).last
    expect(last).to_contain_text("That is all.")
    assert len(partial) < len(last.inner_text()), "the answer should appear piece by piece"
    expect(last.locator("strong")).to_have_text("bold")
    expect(last.get_by_text("python", exact=True)).to_be_visible()  # code block label
    expect(last.get_by_role("button", name="Copy code")).to_be_visible()
    shot(page, "journey-04-streamed-markdown")

    # Per-message details: provider, model, tokens, cost, TTFT.
    last.get_by_role("button", name="Details").click()
    details = page.get_by_test_id("message-details")
    expect(details).to_contain_text("Anthropic Claude")
    expect(details).to_contain_text("Time to first token")
    shot(page, "journey-05-message-details")
    page.keyboard.press("Escape")
    conversation_url = page.url

    # Switch to Mistral in the same conversation: the whole history goes along.
    flows.save_key(page, "mistral", "test-key")
    expect(flows.light(flows.provider_card(page, "mistral"))).to_have_attribute(
        "data-light", "green", timeout=15_000
    )
    page.goto(conversation_url)
    expect(flows.assistant_messages(page).last).to_contain_text("That is all.")
    flows.choose_model(page, "mistral", "Mistral Large")
    stack.mistral.queue(Reply(text="Bonjour from Mistral.", chunks=4, chunk_delay_s=0.05))
    flows.send(page, "Now answer as Mistral")
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("Bonjour from Mistral.")
    sent = [r for r in stack.mistral.requests if r.path.endswith("/chat/completions")]
    assert sent, "Mistral was not called"
    history = [m.get("content") for m in sent[-1].body["messages"]]
    assert "Show me some Markdown" in str(history), "the Claude turn was not sent to Mistral"
    assert page.url == conversation_url
    shot(page, "journey-06-switched-to-mistral")

    # Edit a sent message: a new branch, with "2 / 2" arrows to go back and forth.
    stack.mistral.queue(Reply(text="Réponse en français.", chunks=3, chunk_delay_s=0.05))
    user_turn = page.locator('[data-role="user"]').last
    user_turn.hover()
    user_turn.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("textbox", name="Edit")
    editor.fill("Now answer in French")
    page.get_by_role("button", name="Save & submit").click()
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("Réponse en français.")
    nav = page.locator('[data-role="user"]').last.get_by_test_id("branch-nav")
    expect(nav).to_contain_text("2 / 2")
    shot(page, "journey-06b-edited-branch")
    nav.get_by_role("button", name="Previous version").click()
    expect(flows.assistant_messages(page).last).to_contain_text("Bonjour from Mistral.")
    expect(page.locator('[data-role="user"]').last.get_by_test_id("branch-nav")).to_contain_text(
        "1 / 2"
    )
    page.locator('[data-role="user"]').last.get_by_role("button", name="Next version").click()
    expect(flows.assistant_messages(page).last).to_contain_text("Réponse en français.")

    # Regenerate the answer: a sibling answer, the first one still one click away.
    stack.mistral.queue(Reply(text="Une autre réponse.", chunks=3, chunk_delay_s=0.05))
    flows.assistant_messages(page).last.get_by_role("button", name="Regenerate").click()
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("Une autre réponse.")
    expect(flows.assistant_messages(page).last.get_by_test_id("branch-nav")).to_contain_text(
        "2 / 2"
    )

    # Stop a long answer: the button (and Esc) end it; the text stops growing.
    stack.mistral.queue(Reply(text="word " * 400, chunks=200, chunk_delay_s=0.05))
    flows.send(page, "Write something very long")
    expect(page.get_by_test_id("live-answer")).to_contain_text("word", timeout=10_000)
    shot(page, "journey-07-streaming-stop-button")
    page.get_by_test_id("stop-button").click()
    flows.wait_idle(page, timeout=10_000)
    saved = page.locator('[data-role="assistant"][data-status="stopped"]').last
    expect(saved).to_contain_text("Stopped")
    stopped_text = saved.locator(".prose-chat").inner_text()
    time.sleep(1.0)
    assert saved.locator(".prose-chat").inner_text() == stopped_text, "text kept growing"
    assert 0 < len(stopped_text) < len("word " * 400)
    # The scripted answer would run for 10 s; the upstream connection must already be closed.
    assert stack.mistral.state.open_streams == 0, "the upstream request was not closed"
    page.reload()
    expect(flows.assistant_messages(page).last).to_contain_text("Stopped")
    shot(page, "journey-08-stopped")

    # Reload mid-answer: the page re-attaches and the answer continues to its end.
    full = " ".join(f"token{i}" for i in range(60)) + " THE-END"
    stack.mistral.queue(Reply(text=full, chunks=60, chunk_delay_s=0.08))
    flows.send(page, "Stream slowly please")
    expect(page.get_by_test_id("live-answer")).to_contain_text("token3", timeout=10_000)
    page.reload()
    live = page.get_by_test_id("live-answer")
    expect(live).to_contain_text("token", timeout=10_000)
    shot(page, "journey-09-reattached")
    flows.wait_idle(page, timeout=20_000)
    expect(flows.assistant_messages(page).last).to_contain_text("THE-END")
    expect(flows.assistant_messages(page).last).to_contain_text("token0 token1 token2")

    # A bad key: red status light with the provider's own message.
    card = flows.save_key(page, "claude", "sk-ant-bad-key")
    expect(flows.light(card)).to_have_attribute("data-light", "red", timeout=15_000)
    expect(card.get_by_test_id("provider-error")).to_contain_text("invalid x-api-key")
    shot(page, "journey-10-bad-key-red")

    # Delete the conversation: confirm, and it is gone from the sidebar.
    page.goto(conversation_url)
    title = page.get_by_test_id("conversation-title").inner_text()
    row = page.get_by_test_id("conversation-list").get_by_role("link").first
    expect(row).to_be_visible()
    page.get_by_role("button", name=re.compile("^Conversation options")).first.click()
    page.get_by_role("menuitem", name="Delete").click()
    shot(page, "journey-11-delete-confirm")
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("conversation-list").get_by_role("link")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/$"))
    assert title is not None
