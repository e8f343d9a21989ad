"""Every screen at desktop (1280x800) and phone (375x812) widths, light and dark, saved to
artifacts/screenshots/ for a person to look at; each step also checks what it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import COMBOS, browsing, new_context, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Failure, Reply

ANSWER = """Here's a quick comparison of the two approaches:

| Approach | Latency | Cost |
| --- | --- | --- |
| Streaming | ~300 ms to first token | same |
| Blocking | full answer time | same |

```typescript
async function* stream(url: string): AsyncGenerator<string> {
  const res = await fetch(url);
  for await (const chunk of res.body!) yield new TextDecoder().decode(chunk);
}
```

1. Streaming feels **much faster** to the reader.
2. Blocking is simpler to `cache`.

> Tip: keep the first token under a second."""


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> Iterator[dict[str, str]]:
    """One admin with two working keys, a broken one, and a few conversations."""
    token = flows.api_register(stack, "maria")
    stack.api("PUT", "/api/users/profile", {"display_name": "Maria"}, token)
    for provider, key in (("claude", "test-key"), ("mistral", "test-key"), ("gemini", "bad")):
        flows.api_save_key(stack, token, provider, key)
    chats = [
        (
            "claude",
            "claude-sonnet-4-6",
            "Compare streaming and blocking APIs",
            ANSWER,
            "Streaming vs blocking",
        ),
        (
            "mistral",
            "mistral-large-latest",
            "Plan a weekend in Lyon",
            "Day one: Vieux Lyon and Fourvière. Day two: Les Halles Paul Bocuse.",
            "Weekend in Lyon",
        ),
        ("claude", "claude-haiku-4-5", "Name three prime numbers", "2, 3 and 5.", "Prime numbers"),
    ]
    ids: dict[str, str] = {}
    for provider, model, question, answer, title in chats:
        fake = stack.claude if provider == "claude" else stack.mistral
        fake.queue(Reply(text=answer, chunks=8), Reply(text=title, chunks=1))
        res = stack.api(
            "POST", "/api/chat", {"model": model, "provider": provider, "content": question}, token
        )
        ids[title] = str(res["conversation_id"])
    stack.claude.queue(
        Reply(
            text="Let me start explaining the answer",
            chunks=4,
            failure=Failure.ERROR_MID_STREAM,
            chunks_before_failure=2,
        ),
    )
    try:
        res = stack.api(
            "POST",
            "/api/chat",
            {"model": "claude-sonnet-4-6", "provider": "claude", "content": "Explain overload"},
            token,
        )
        ids["error"] = str(res["conversation_id"])
    except Exception as e:  # a provider failure is a 502 whose details name the conversation
        body = e.read().decode() if hasattr(e, "read") else ""  # type: ignore[attr-defined]
        match = re.search(r'"conversation_id":\s*(\d+)', body)
        assert match, body
        ids["error"] = match.group(1)
    yield ids


def _open_sidebar_if_phone(page: Page, phone: bool) -> None:
    if phone:
        page.get_by_role("button", name="Open sidebar").click()
        expect(page.get_by_test_id("conversation-list")).to_be_visible()
        page.wait_for_timeout(400)  # let the drawer finish sliding in before a screenshot


@pytest.mark.parametrize(("width", "phone", "theme"), COMBOS)
def test_every_screen(
    browser: Browser, stack: Stack, seeded: dict[str, str], width: str, phone: bool, theme: str
) -> None:
    name = f"{width}-{theme}"
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        # Sign-in and register, with their inline errors.
        page.goto("/register")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_text("This field is required.").first).to_be_visible()
        shot(page, f"{name}-01-register-errors")
        page.goto("/login")
        page.get_by_label("Username or email").fill("maria")
        page.get_by_label("Password").fill("wrong password!")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
        shot(page, f"{name}-02-login-error")
        flows.login(page, "maria")
        expect(
            page.get_by_role("heading", name=re.compile("How can I help you today, Maria"))
        ).to_be_visible()
        expect(page.get_by_test_id("model-selector")).not_to_contain_text("Select model")
        shot(page, f"{name}-03-new-chat")

        # The model selector.
        page.get_by_test_id("model-selector").click()
        expect(page.get_by_role("listbox")).to_be_visible()
        expect(
            page.locator('section[data-provider="claude"]').get_by_role("option").first
        ).to_be_visible()
        shot(page, f"{name}-04-model-selector")
        page.keyboard.press("Escape")

        # A conversation with Markdown, a table and code; its details.
        page.goto(f"/c/{seeded['Streaming vs blocking']}")
        answer = flows.assistant_messages(page).last
        expect(answer.locator("table")).to_be_visible()
        expect(answer.get_by_text("typescript", exact=True)).to_be_visible()
        # The highlighter loads on demand: the code is coloured once it has arrived.
        expect(answer.locator("pre code .hljs-keyword").first).to_have_text("async")
        shot(page, f"{name}-05-conversation")
        answer.get_by_role("button", name="Details").click()
        expect(page.get_by_test_id("message-details")).to_contain_text("Anthropic Claude")
        shot(page, f"{name}-06-message-details")
        page.keyboard.press("Escape")

        # An answer that failed mid-way: the partial text, the error in place, a retry.
        page.goto(f"/c/{seeded['error']}")
        failed = flows.assistant_messages(page).last
        expect(failed.get_by_role("alert")).to_be_visible()
        expect(failed.get_by_role("button", name="Retry")).to_be_visible()
        shot(page, f"{name}-07-error-in-place")

        # Streaming, mid-answer, with the stop button.
        stack.mistral.queue(
            Reply(text="A long answer arriving slowly. " * 40, chunks=80, chunk_delay_s=0.05)
        )
        page.goto(f"/c/{seeded['Weekend in Lyon']}")
        expect(flows.assistant_messages(page).first).to_contain_text("Vieux Lyon")
        flows.send(page, "Tell me more, slowly")
        expect(page.get_by_test_id("live-answer")).to_contain_text("arriving", timeout=10_000)
        shot(page, f"{name}-08-streaming")
        page.keyboard.press("Escape")  # Esc stops, like the button
        flows.wait_idle(page)

        # The sidebar: conversations by date, rename and delete dialogs.
        _open_sidebar_if_phone(page, phone)
        expect(page.get_by_test_id("conversation-list")).to_contain_text("Today")
        shot(page, f"{name}-09-sidebar")
        page.get_by_role("button", name=re.compile("^Conversation options")).first.click()
        page.get_by_role("menuitem", name="Rename").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        shot(page, f"{name}-10-rename")
        page.keyboard.press("Escape")
        if not page.get_by_test_id("conversation-list").is_visible():
            _open_sidebar_if_phone(page, phone)
        page.get_by_role("button", name=re.compile("^Conversation options")).first.click()
        page.get_by_role("menuitem", name="Delete").click()
        expect(page.get_by_role("dialog")).to_contain_text("Delete conversation?")
        shot(page, f"{name}-11-delete-confirm")
        page.get_by_role("button", name="Cancel").click()

        # Settings: profile, preferences, providers (one red), admin.
        page.goto("/settings")
        expect(page.get_by_label("Display name")).to_have_value("Maria")
        shot(page, f"{name}-12-settings-profile")
        page.goto("/settings/preferences")
        expect(page.get_by_role("radio", name="System")).to_be_visible()
        shot(page, f"{name}-13-settings-preferences")
        page.goto("/settings/providers")
        expect(flows.light(flows.provider_card(page, "claude"))).to_have_attribute(
            "data-light", "green"
        )
        expect(flows.light(flows.provider_card(page, "gemini"))).to_have_attribute(
            "data-light", "red"
        )
        shot(page, f"{name}-14-settings-providers")
        page.get_by_test_id("admin-providers").scroll_into_view_if_needed()
        shot(page, f"{name}-15-settings-admin")


def test_french(browser: Browser, stack: Stack, seeded: dict[str, str]) -> None:
    """The second language, switched in Preferences, translates every screen."""
    ctx = new_context(browser, stack)
    page = ctx.new_page()
    try:
        flows.login(page, "maria")
        page.goto("/settings/preferences")
        page.get_by_label("Language").select_option("fr")
        expect(page.get_by_role("heading", name="Paramètres")).to_be_visible()
        shot(page, "desktop-light-16-french-preferences")
        page.goto("/settings/providers")
        expect(page.get_by_text("Tester la connexion").first).to_be_visible()
        shot(page, "desktop-light-17-french-providers")
        page.goto(f"/c/{seeded['Prime numbers']}")
        expect(page.get_by_role("button", name="Nouvelle discussion")).to_be_visible()
        shot(page, "desktop-light-18-french-chat")
        page.goto("/settings/preferences")
        page.get_by_label("Langue").select_option("en")
        expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    finally:
        ctx.close()


def test_preferences_and_password(browser: Browser, stack: Stack, seeded: dict[str, str]) -> None:
    """Theme, default model and a password change, as a second (non-admin) user."""
    flows.api_register(stack, "pat")
    ctx = new_context(browser, stack)
    page = ctx.new_page()
    try:
        flows.login(page, "pat")
        flows.save_key(page, "claude", "test-key")
        expect(flows.light(flows.provider_card(page, "claude"))).to_have_attribute(
            "data-light", "green"
        )
        expect(page.get_by_test_id("admin-providers")).to_have_count(0)  # not an admin

        page.goto("/settings/preferences")
        page.get_by_role("radio", name="Dark").click()
        expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
        page.get_by_label("Default model").select_option("claude-haiku-4-5")
        expect(page.get_by_text("Saved").first).to_be_visible()
        page.reload()  # both survive a reload: they live on the server
        expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
        expect(page.get_by_label("Default model")).to_have_value("claude-haiku-4-5")
        page.get_by_role("link", name="Back to chat").click()
        expect(page.get_by_test_id("model-selector")).to_contain_text("Claude Haiku 4.5")
        shot(page, "desktop-dark-19-default-model")

        page.goto("/settings")
        page.get_by_label("Current password").fill("not my password")
        page.get_by_label("New password").fill("another long passphrase")
        page.get_by_role("button", name="Update password").click()
        expect(page.get_by_role("alert")).to_contain_text("current password")
        page.get_by_label("Current password").fill(flows.PASSWORD)
        refreshes: list[str] = []
        page.on(
            "request", lambda r: refreshes.append(r.url) if "/api/auth/refresh" in r.url else None
        )
        page.get_by_role("button", name="Update password").click()
        expect(page.get_by_text("Password updated").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        # The new access token came with the answer: nothing had to rotate the refresh cookie
        # (a reload during such a rotation would sign the user out).
        assert refreshes == []
        page.reload()  # still signed in with the new session
        expect(page.get_by_label("Display name")).to_be_visible()
        page.get_by_test_id("account-menu").click()
        page.get_by_role("menuitem", name="Log out").click()
        expect(page).to_have_url(re.compile(r"/login$"))
        page.get_by_label("Username or email").fill("pat")
        page.get_by_label("Password").fill("another long passphrase")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("composer-input")).to_be_visible()
    finally:
        ctx.close()


def test_admin_adds_a_custom_provider(
    browser: Browser, stack: Stack, seeded: dict[str, str]
) -> None:
    """An admin registers an OpenAI-compatible server; its models join the selector."""
    from tests.fakes.openai_chat import FakeOpenAIChat

    with FakeOpenAIChat("compatible", models=("lab-llama-70b", "lab-qwen-coder")) as lab:
        ctx = new_context(browser, stack)
        page = ctx.new_page()
        try:
            flows.login(page, "maria")
            page.goto("/settings/providers")
            page.get_by_label("Identifier").fill("lab-vllm")
            page.get_by_label("Display name").fill("Lab vLLM")
            page.get_by_label("Base URL", exact=True).fill(f"{lab.url}/v1")
            page.locator("#cp-key").fill("test-key")
            page.get_by_role("button", name="Add provider").click()
            expect(page.get_by_text("Provider Lab vLLM added")).to_be_visible()
            expect(flows.provider_card(page, "lab-vllm")).to_be_visible()
            shot(page, "desktop-light-20-custom-provider")
            flows.open_chat(page)
            page.get_by_test_id("model-selector").click()
            lab_models = page.locator('section[data-provider="lab-vllm"]').get_by_role("option")
            expect(lab_models.first).to_be_visible(timeout=30_000)  # a cold list can be slow
            expect(lab_models).to_have_count(2)
            shot(page, "desktop-light-21-custom-provider-models")
            page.keyboard.press("Escape")

            # And away again: the admin removes it, its models leave the selector.
            page.goto("/settings/providers")
            page.get_by_role("button", name="Delete: Lab vLLM").click()
            expect(page.get_by_text("Provider removed")).to_be_visible()
            expect(flows.provider_card(page, "lab-vllm")).to_have_count(0)
        finally:
            ctx.close()


HOSTILE = """Look at this:

<script>window.__pwned = "script"</script>

<img src="x" onerror="window.__pwned = 'img'">

[click me](javascript:window.__pwned='link')

<a href="javascript:window.__pwned='a'">raw link</a>

![pic](https://example.com/tracker.png)

The end."""


def test_hostile_answer_stays_inert_in_the_browser(
    browser: Browser, stack: Stack, seeded: dict[str, str]
) -> None:
    """A model answer full of HTML and javascript: links renders as harmless text."""
    ctx = new_context(browser, stack)
    page = ctx.new_page()
    try:
        flows.login(page, "maria")
        stack.claude.state.replies.clear()  # nothing left over from the seeding
        stack.claude.queue(Reply(text=HOSTILE, chunks=12, chunk_delay_s=0.02))
        flows.send(page, "Say something dangerous")
        flows.wait_idle(page)
        answer = flows.assistant_messages(page).last
        expect(answer).to_contain_text("The end.")
        assert answer.locator("script, img, iframe").count() == 0
        for href in answer.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
            assert href is None or href.startswith(("http://", "https://")), href
        answer.get_by_text("click me").click()
        answer.get_by_text("raw link").count()
        assert page.evaluate("window.__pwned") is None
        shot(page, "desktop-light-22-hostile-markdown")
    finally:
        ctx.close()
