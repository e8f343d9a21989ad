"""What a person does in the UI, step by step, as reusable helpers for the e2e tests."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.stack import Stack

PASSWORD = "correct horse battery staple"


def register(page: Page, username: str, email: str | None = None) -> None:
    """Create an account as a visitor does: open the app. A fresh install opens on creating
    the administrator; later visitors follow "Create account" from the sign-in page."""
    page.goto("/")
    first = page.get_by_role("heading", name="Create the administrator account")
    sign_in = page.get_by_role("heading", name="Welcome back")
    expect(first.or_(sign_in)).to_be_visible()
    if sign_in.is_visible():
        page.get_by_role("link", name="Create account").click()
        expect(page.get_by_role("heading", name="Create your Polychat account")).to_be_visible()
    assert page.url.endswith("/register"), page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email or f"{username}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_test_id("composer-input")).to_be_visible()


def api_register(stack: Stack, username: str) -> str:
    """Set-up, not what a test is about: register `username` straight through the API (email
    `<username>@example.com`, the shared PASSWORD) and return its access token."""
    reg = stack.api(
        "POST",
        "/api/auth/register",
        {"username": username, "email": f"{username}@example.com", "password": PASSWORD},
    )
    token: str = reg["access_token"]
    return token


def api_save_key(
    stack: Stack, token: str, provider: str, key: str = "test-key", *, check: bool = True
) -> None:
    """Save a provider key through the API and, with `check`, test it as the Settings page's
    Test button does (so the provider's status is known before the browser looks)."""
    stack.api("POST", f"/api/providers/{provider}/key", {"api_key": key}, token)
    if check:
        stack.api("POST", f"/api/providers/{provider}/test", {}, token)


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
    """Open the selector once the model list has loaded (a default is chosen then), so the
    click never lands on a selector that is still re-rendering with the list."""
    selector = page.get_by_test_id("model-selector")
    expect(selector).not_to_have_attribute("data-model", "", timeout=30_000)
    selector.click()
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


def make_png(path: Path, width: int, height: int) -> Path:
    """Write a real RGB PNG (a diagonal gradient with stripes: something to look at in a
    thumbnail) without an imaging library. Rows repeat in a short cycle, so even a large
    image is built and compressed quickly."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = []
    for y in range(min(height, 60)):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            band = ((x + y * 4) // 24) % 2
            row += bytes(
                (
                    (x * 255 // max(1, width - 1)) if band else 217,
                    119 + band * 60,
                    (y * 255 // 59) if band else 87,
                )
            )
        rows.append(bytes(row))
    raw = b"".join(rows[y % len(rows)] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
    return path


def attach_files(page: Page, *paths: Path) -> None:
    """Attach through the paperclip: it opens the system file chooser."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach files").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files([str(p) for p in paths])


def attachment_thumbs(page: Page) -> Locator:
    return page.get_by_test_id("attachment-thumb")
