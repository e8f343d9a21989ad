"""A fresh install, as its first visitors see it: the first page creates the administrator;
starred chats, keyboard shortcuts and tab titles; once the admin closes registration, a new
visitor is offered sign-in only. Screens are saved at both widths, light and dark.

The module's stack starts empty, so the first test must run first (pytest keeps file order);
later tests reach the admin through `admin_token`, which works either way.
"""

from __future__ import annotations

import re
import urllib.error
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import new_context, shot
from tests.e2e.stack import Stack

ADMIN = "root"
COMBOS = [
    ("desktop", False, "light"),
    ("desktop", False, "dark"),
    ("phone", True, "light"),
    ("phone", True, "dark"),
]
MOD = "Control"


def _context(browser: Browser, stack: Stack, phone: bool, theme: str) -> BrowserContext:
    return new_context(browser, stack, phone=phone, dark=theme == "dark")


def _checked_page(ctx: BrowserContext) -> tuple[Page, list[str]]:
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


@pytest.fixture(scope="module")
def admin_token(stack: Stack) -> str:
    """The administrator's access token: signs in if the first test created the account."""
    body = {"username": ADMIN, "password": flows.PASSWORD}
    try:
        token: str = stack.api("POST", "/api/auth/login", body)["access_token"]
    except urllib.error.HTTPError:
        reg = {**body, "email": f"{ADMIN}@example.com"}
        token = stack.api("POST", "/api/auth/register", reg)["access_token"]
    return token


def test_a_fresh_install_opens_on_creating_the_administrator(
    browser: Browser, stack: Stack
) -> None:
    assert stack.api("GET", "/api/auth/register") == {"open": True, "first_user": True}
    for width, phone, theme in COMBOS:
        ctx = _context(browser, stack, phone, theme)
        page, errors = _checked_page(ctx)
        try:
            page.goto("/")  # signed out: the app sends the visitor to sign-in, which knows better
            expect(
                page.get_by_role("heading", name="Create the administrator account")
            ).to_be_visible()
            expect(page).to_have_url(re.compile(r"/register$"))
            expect(page.get_by_test_id("auth-intro")).to_contain_text("first account")
            expect(page.get_by_role("button", name="Create account")).to_be_visible()
            # Nobody can sign in yet: no "Sign in" link, and /login comes back here.
            expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
            page.goto("/login")
            expect(page).to_have_url(re.compile(r"/register$"))
            expect(page.get_by_role("heading", name="Welcome back")).to_have_count(0)
            shot(page, f"{width}-{theme}-40-first-run-register")
        finally:
            ctx.close()
        assert not errors, errors

    # The first account, through the form: it becomes the admin.
    ctx = _context(browser, stack, False, "light")
    page, errors = _checked_page(ctx)
    try:
        flows.register(page, ADMIN)
    finally:
        ctx.close()
    assert not errors, errors
    assert stack.api("GET", "/api/auth/register") == {"open": True, "first_user": False}


def _sidebar(page: Page, phone: bool) -> None:
    if phone and not page.get_by_test_id("conversation-list").is_visible():
        page.get_by_role("button", name="Open sidebar").click()
        expect(page.get_by_test_id("conversation-list")).to_be_visible()
        page.wait_for_timeout(400)  # let the drawer finish sliding in


def _star_via_menu(page: Page, title: str, action: str) -> None:
    """Open a chat's menu from the keyboard and choose Star or Unstar."""
    options = page.get_by_role("button", name=f"Conversation options: {title}")
    options.focus()
    page.keyboard.press("Enter")
    item = page.get_by_role("menuitem", name=action, exact=True)
    expect(item).to_be_focused()  # the first item: Star/Unstar
    page.keyboard.press("Enter")


def test_star_a_chat_and_find_it_again(page: Page, stack: Stack, admin_token: str) -> None:
    for title in ("Weekend in Lyon", "Prime numbers", "Streaming vs blocking"):
        stack.api("POST", "/api/conversations", {"title": title}, admin_token)
    flows.login(page, ADMIN)
    starred = page.get_by_test_id("starred-section")
    conversations = page.get_by_test_id("conversation-list")
    expect(conversations).to_contain_text("Weekend in Lyon")
    expect(starred).to_have_count(0)

    _star_via_menu(page, "Weekend in Lyon", "Star")
    expect(starred.get_by_role("link", name="Weekend in Lyon")).to_be_visible()
    expect(conversations.get_by_role("link", name="Weekend in Lyon")).to_have_count(1)
    page.reload()  # starred on the server: still there
    expect(starred.get_by_role("link", name="Weekend in Lyon")).to_be_visible()
    expect(conversations.get_by_role("heading").first).to_have_text("Starred")

    _star_via_menu(page, "Weekend in Lyon", "Unstar")
    expect(starred).to_have_count(0)
    expect(conversations.get_by_role("link", name="Weekend in Lyon")).to_be_visible()
    page.reload()
    expect(conversations.get_by_role("link", name="Weekend in Lyon")).to_be_visible()
    expect(starred).to_have_count(0)


def test_export_a_chat_from_its_menu(page: Page, stack: Stack, admin_token: str) -> None:
    stack.api("POST", "/api/conversations", {"title": "Café notes"}, admin_token)
    flows.login(page, ADMIN)
    page.get_by_role("button", name="Conversation options: Café notes").click()
    with page.expect_download() as download:
        page.get_by_role("menuitem", name="Export as Markdown").click()
    assert download.value.suggested_filename == "cafe-notes.md"
    path = download.value.path()
    assert path.read_text(encoding="utf-8").startswith("# Café notes\n")
    expect(page.get_by_text("Downloaded cafe-notes.md")).to_be_visible()


def test_keyboard_shortcuts_and_tab_title(page: Page, stack: Stack, admin_token: str) -> None:
    conv = stack.api("POST", "/api/conversations", {"title": "Tab title check"}, admin_token)
    flows.login(page, ADMIN)
    expect(page).to_have_title("Polychat")

    page.goto(f"/c/{conv['id']}")
    expect(page).to_have_title("Tab title check — Polychat")

    # Ctrl+K: the sidebar search; typing searches every chat on the server.
    page.keyboard.press(f"{MOD}+k")
    search = page.get_by_role("searchbox", name="Search chats")
    expect(search).to_be_focused()
    page.keyboard.type("tab title")
    results = page.get_by_test_id("search-results").get_by_role("link")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Tab title check")
    search.fill("")
    expect(page.get_by_test_id("conversation-list")).to_contain_text("Tab title check")

    # "/" with nothing focused: the composer; in a field it is just a character.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("/")
    composer = page.get_by_test_id("composer-input")
    expect(composer).to_be_focused()
    expect(composer).to_have_value("")
    page.keyboard.type("a/b")
    expect(composer).to_have_value("a/b")
    composer.fill("")

    # Ctrl+Shift+O: a new chat, ready to type.
    page.keyboard.press(f"{MOD}+Shift+O")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title("Polychat")
    expect(page.get_by_test_id("composer-input")).to_be_focused()

    # Ctrl+/ and the account menu both show the list; Esc closes it.
    page.keyboard.press(f"{MOD}+/")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("New chat")
    expect(dialog).to_contain_text("Search chats")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    page.get_by_test_id("account-menu").click()
    page.get_by_role("menuitem", name="Keyboard shortcuts").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")


def test_search_shortcut_opens_the_drawer_on_a_phone(
    browser: Browser, stack: Stack, admin_token: str
) -> None:
    stack.api("POST", "/api/conversations", {"title": "Phone search"}, admin_token)
    ctx = _context(browser, stack, True, "light")
    page, errors = _checked_page(ctx)
    try:
        flows.login(page, ADMIN)
        expect(page.get_by_test_id("conversation-list")).not_to_be_visible()  # drawer closed
        page.keyboard.press(f"{MOD}+k")
        expect(page.get_by_role("searchbox", name="Search chats")).to_be_focused()
        expect(page.get_by_test_id("conversation-list")).to_contain_text("Phone search")
    finally:
        ctx.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def starred_chat(stack: Stack, admin_token: str) -> Iterator[str]:
    conv = stack.api("POST", "/api/conversations", {"title": "Reading list"}, admin_token)
    stack.api("PUT", f"/api/conversations/{conv['id']}", {"pinned": True}, admin_token)
    yield str(conv["id"])


@pytest.mark.parametrize(("width", "phone", "theme"), COMBOS)
def test_starred_and_shortcut_screens(
    browser: Browser, stack: Stack, starred_chat: str, width: str, phone: bool, theme: str
) -> None:
    ctx = _context(browser, stack, phone, theme)
    page, errors = _checked_page(ctx)
    name = f"{width}-{theme}"
    try:
        flows.login(page, ADMIN)
        page.goto(f"/c/{starred_chat}")
        _sidebar(page, phone)
        starred = page.get_by_test_id("starred-section")
        expect(starred.get_by_role("link", name="Reading list")).to_be_visible()
        shot(page, f"{name}-41-sidebar-starred")
        page.get_by_role("button", name="Conversation options: Reading list").click()
        expect(page.get_by_role("menuitem", name="Unstar")).to_be_visible()
        shot(page, f"{name}-42-starred-menu")
        page.keyboard.press("Escape")
        _sidebar(page, phone)
        page.get_by_test_id("account-menu").click()
        page.get_by_role("menuitem", name="Keyboard shortcuts").click()
        expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
        page.wait_for_timeout(200)
        shot(page, f"{name}-43-shortcuts")
    finally:
        ctx.close()
    assert not errors, errors


def test_closed_registration_offers_sign_in_only(
    browser: Browser, stack: Stack, admin_token: str
) -> None:
    """The admin closes registration in Settings; a new visitor sees no way to create an
    account, and is told why."""
    ctx = _context(browser, stack, False, "light")
    page, errors = _checked_page(ctx)
    try:
        flows.login(page, ADMIN)
        page.goto("/settings")
        card = page.get_by_test_id("admin-registration")
        toggle = card.get_by_role("switch", name="Anyone can create an account")
        expect(toggle).to_be_checked()
        toggle.click()
        expect(toggle).not_to_be_checked()
        expect(card).to_contain_text("Sign-up is closed")
        card.scroll_into_view_if_needed()
        shot(page, "desktop-light-45-admin-registration-closed")
    finally:
        ctx.close()
    assert not errors, errors
    try:
        assert stack.api("GET", "/api/auth/register") == {"open": False, "first_user": False}
        for width, phone, theme in COMBOS:
            ctx = _context(browser, stack, phone, theme)
            page, errors = _checked_page(ctx)
            try:
                page.goto("/register")  # an old link: sign-in instead
                expect(page).to_have_url(re.compile(r"/login$"))
                expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
                expect(page.get_by_test_id("registration-closed")).to_have_text(
                    "Registration is closed on this server. Ask your administrator for an account."
                )
                expect(page.get_by_role("link", name="Create account")).to_have_count(0)
                expect(page.get_by_label("Email", exact=True)).to_have_count(0)
                shot(page, f"{width}-{theme}-44-registration-closed")
                if width == "desktop" and theme == "light":
                    flows.login(page, ADMIN)  # signing in still works
            finally:
                ctx.close()
            assert not errors, errors
    finally:
        stack.api("PUT", "/api/admin/settings", {"registration_open": True}, admin_token)
    ctx = _context(browser, stack, False, "light")
    page, errors = _checked_page(ctx)
    try:
        page.goto("/login")
        expect(page.get_by_role("link", name="Create account")).to_be_visible()
        expect(page.get_by_test_id("registration-closed")).to_have_count(0)
    finally:
        ctx.close()
    assert not errors, errors
