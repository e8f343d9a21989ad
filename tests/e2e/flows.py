"""What a person does in the UI, step by step, as reusable helpers for the e2e tests."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct horse battery staple"


def register(page: Page, username: str, email: str | None = None) -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email or f"{username}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_test_id("composer-input")).to_be_visible()


def login(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("composer-input")).to_be_visible()


def provider_card(page: Page, provider: str) -> Locator:
    return page.get_by_test_id(f"provider-card-{provider}")


def save_key(page: Page, provider: str, key: str) -> Locator:
    """Open Settings → Providers, paste a key, save; the UI tests it right away."""
    if not page.url.endswith("/settings/providers"):
        page.goto("/settings/providers")
    card = provider_card(page, provider)
    card.get_by_label("API key").fill(key)
    card.get_by_role("button", name="Save").click()
    return card


def light(card: Locator) -> Locator:
    return card.get_by_test_id("status-light")


def open_chat(page: Page) -> None:
    page.get_by_test_id("new-chat").click()
    expect(page.get_by_test_id("composer-input")).to_be_visible()


def choose_model(page: Page, provider: str, name: str) -> None:
    page.get_by_test_id("model-selector").click()
    section = page.locator(f'section[data-provider="{provider}"]')
    section.get_by_role("option").filter(has_text=name).first.click()
    expect(page.get_by_test_id("model-selector")).to_contain_text(name)


def send(page: Page, text: str) -> None:
    """Type and press Enter, once a model is chosen (the model list can take a moment)."""
    expect(page.get_by_test_id("model-selector")).not_to_have_attribute(
        "data-model", "", timeout=30_000
    )
    box = page.get_by_test_id("composer-input")
    box.fill(text)
    box.press("Enter")


def assistant_messages(page: Page) -> Locator:
    return page.locator('[data-role="assistant"]')


def wait_idle(page: Page, timeout: float = 20_000) -> None:
    """The answer is over when the send button is back."""
    expect(page.get_by_test_id("send-button")).to_be_visible(timeout=timeout)
