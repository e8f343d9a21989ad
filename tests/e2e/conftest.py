"""Browser fixtures: Debian's Chromium driven by Playwright against the real server.

Nothing here downloads a browser: Playwright's driver ships inside its wheel and the browser
is the system's /usr/bin/chromium (`make web-test` installs it with apt when missing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.e2e.stack import ROOT, WEB_DIST, Stack

CHROMIUM = os.environ.get("POLYCHAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# A cold model list can take seconds (a provider that is not running is retried).
expect.set_options(timeout=10_000)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
# The four looks every screen is checked in: (width name, is a phone, theme).
COMBOS = [
    ("desktop", False, "light"),
    ("desktop", False, "dark"),
    ("phone", True, "light"),
    ("phone", True, "dark"),
]


def _ensure_web_build() -> None:
    if (WEB_DIST / "index.html").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("web/dist is missing and npm is not installed: run `make web-build`")
    web = ROOT / "web"
    if not (web / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=web, check=True, timeout=600)
    subprocess.run([npm, "run", "build"], cwd=web, check=True, timeout=600)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium "
            "(`apt-get update && apt-get install -y chromium`, done by `make web-test`)"
        )
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    _ensure_web_build()
    s = Stack().start()
    try:
        yield s
    finally:
        s.stop()


def new_context(
    browser: Browser, stack: Stack, *, phone: bool = False, dark: bool = False
) -> BrowserContext:
    ctx = browser.new_context(
        base_url=stack.url,
        viewport=PHONE if phone else DESKTOP,
        color_scheme="dark" if dark else "light",
        device_scale_factor=1,
        is_mobile=phone,
        has_touch=phone,
        locale="en-US",
    )
    ctx.set_default_timeout(15_000)
    return ctx


@contextlib.contextmanager
def browsing(
    browser: Browser, stack: Stack, *, phone: bool = False, dark: bool = False
) -> Iterator[Page]:
    """A page in a fresh context (its own cookies and storage) that fails the test, once the
    context is closed, if the app threw an uncaught error in it."""
    ctx = new_context(browser, stack, phone=phone, dark=dark)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    finally:
        ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    with browsing(browser, stack) as p:
        yield p


def shot(page: Page, name: str) -> Path:
    """Save a screenshot under artifacts/screenshots/ (gitignored) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failure, keep a picture of what the browser showed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
        if isinstance(page, Page) and not page.is_closed():
            with contextlib.suppress(Exception):
                shot(page, f"FAILED-{item.name}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run when asked for by path (`pytest tests/e2e`, as `make web-test` does)
    or with POLYCHAT_E2E=1; a bare `pytest` over the whole tree leaves them to that target
    instead of running a browser twice. They are deselected, never skipped, and the run
    says so."""
    here = Path(__file__).resolve().parent
    asked = os.environ.get("POLYCHAT_E2E") == "1" or any(
        here in Path(str(arg).split("::")[0]).resolve().parents
        or Path(str(arg).split("::")[0]).resolve() == here
        for arg in config.args
    )
    if asked:
        return
    mine = [i for i in items if here in Path(str(i.path)).resolve().parents]
    if not mine:
        return
    items[:] = [i for i in items if i not in mine]
    config.hook.pytest_deselected(items=mine)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"tests/e2e: {len(mine)} browser tests left to `make web-test` "
            "(run `pytest tests/e2e` or set POLYCHAT_E2E=1)"
        )
