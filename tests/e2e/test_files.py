"""Text file attachments in a real browser against the real server and Claude's fake: a .py
file through the paperclip's chooser and a .md dropped on the chat become file chips, are
sent, reach the provider as `<document>` blocks before the question, show as chips on the
message after a reload, and open in the plain-text viewer. Then screenshots of the composer
with file chips and of the viewer at every size and theme."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, JSHandle, Locator, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import COMBOS, browsing, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

CODE = (
    "def fizzbuzz(n: int) -> str:\n"
    '    """Say it the way the game does."""\n'
    "    if n % 15 == 0:\n"
    '        return "FizzBuzz"\n'
    "    if n % 3 == 0:\n"
    '        return "Fizz"\n'
    "    if n % 5 == 0:\n"
    '        return "Buzz"\n'
    "    return str(n)  # <b>not bold</b>\n"
)
NOTES = "# Release notes\n\n- Files can be attached\n- Café ☕ works too\n"


def _texts_sent(stack: Stack) -> list[list[str]]:
    """The text blocks of each user turn Claude's fake received, request by request."""
    out: list[list[str]] = []
    for req in stack.claude.requests:
        if req.path != "/v1/messages" or not isinstance(req.body, dict):
            continue
        for message in req.body.get("messages", []):
            content = message.get("content")
            if message.get("role") == "user" and isinstance(content, list):
                out.append([str(b["text"]) for b in content if b.get("type") == "text"])
    return out


def _drag_text_file(page: Page, name: str, text: str, media_type: str) -> JSHandle:
    """A DataTransfer carrying one text file, as a drag from the desktop builds it."""
    return page.evaluate_handle(
        """([name, text, type]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], name, { type }));
            return dt;
        }""",
        [name, text, media_type],
    )


def _drop_file(page: Page, name: str, text: str, media_type: str = "text/markdown") -> None:
    # Events bubble from the composer to the chat view, which takes drops anywhere on it.
    area = page.get_by_test_id("composer-input")
    drag = _drag_text_file(page, name, text, media_type)
    area.dispatch_event("dragenter", {"dataTransfer": drag})
    expect(page.get_by_test_id("drop-overlay")).to_be_visible()
    area.dispatch_event("drop", {"dataTransfer": drag})
    expect(page.get_by_test_id("drop-overlay")).to_be_hidden()


def _composer_chips(page: Page) -> Locator:
    return page.locator("form").get_by_test_id("file-chip")


def test_attach_files_send_reload_and_view(page: Page, stack: Stack, tmp_path: Path) -> None:
    flows.register(page, "fiona")
    card = flows.save_key(page, "claude", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)
    flows.open_chat(page)
    flows.choose_model(page, "claude", "Claude Sonnet 4.6")

    # A .py file through the paperclip's chooser: a chip with its name and size.
    code = tmp_path / "fizzbuzz.py"
    code.write_text(CODE, encoding="utf-8")
    flows.attach_files(page, code)
    chips = _composer_chips(page)
    expect(chips).to_have_count(1)
    expect(chips.first).to_have_attribute("data-state", "ready")
    expect(chips.first).to_contain_text("fizzbuzz.py")
    expect(chips.first).to_contain_text(f"{len(CODE.encode())} B")
    expect(flows.attachment_thumbs(page)).to_have_count(0)

    # A .md file dropped on the chat: a second chip.
    _drop_file(page, "notes.md", NOTES)
    expect(chips).to_have_count(2)
    expect(chips.nth(1)).to_have_attribute("data-state", "ready")
    expect(chips.nth(1)).to_contain_text("notes.md")

    # Send: the chips move to the message, the answer streams.
    stack.claude.requests.clear()
    stack.claude.queue(
        Reply(text="It plays FizzBuzz; the notes announce files.", chunks=6, chunk_delay_s=0.03),
        Reply(text="FizzBuzz review", chunks=1),
    )
    flows.send(page, "Review the code against the notes")
    expect(chips).to_have_count(0)
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("It plays FizzBuzz")
    expect(page).to_have_url(re.compile(r"/c/\d+$"))

    # Claude's fake got both files, whole, as documents before the question.
    sent = _texts_sent(stack)[0]
    assert sent == [
        f'<document name="fizzbuzz.py" media_type="text/x-python">\n{CODE}\n</document>',
        f'<document name="notes.md" media_type="text/markdown">\n{NOTES}\n</document>',
        "Review the code against the notes",
    ], json.dumps(sent)[:500]

    # After a reload the message still shows both chips; Enter opens the viewer with the
    # file as plain text (the markup in a comment stays text), Esc closes it.
    page.reload()
    user = page.locator('[data-role="user"]').last
    expect(user).to_contain_text("Review the code against the notes")
    expect(user.get_by_test_id("file-chip")).to_have_count(2)
    opener = user.get_by_role("button", name="Open fizzbuzz.py")
    opener.focus()
    page.keyboard.press("Enter")
    viewer = page.get_by_role("dialog", name="fizzbuzz.py")
    expect(viewer).to_be_visible()
    body = viewer.get_by_test_id("file-viewer-text")
    expect(body).to_have_text(CODE, use_inner_text=True)
    expect(body.locator("b")).to_have_count(0)
    expect(viewer).to_contain_text("9 lines")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    # Edit the question: the files are sent again with the new text.
    stack.claude.requests.clear()
    stack.claude.queue(Reply(text="Short version: it works.", chunks=3))
    user.get_by_role("button", name="Edit").click()
    expect(page.get_by_test_id("edit-files").get_by_test_id("file-chip")).to_have_count(2)
    page.get_by_role("textbox", name="Edit").fill("Shorter please")
    page.get_by_role("button", name="Save & submit").click()
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("Short version")
    sent = _texts_sent(stack)[0]
    assert sent[-1] == "Shorter please" and len(sent) == 3
    assert sent[0].startswith('<document name="fizzbuzz.py"')
    expect(page.locator('[data-role="user"]').last.get_by_test_id("file-chip")).to_have_count(2)


@pytest.fixture(scope="module")
def filed(stack: Stack) -> Iterator[dict[str, str]]:
    """A user with a Claude key and a conversation whose question carries a Python file."""
    token = flows.api_register(stack, "felix")
    flows.api_save_key(stack, token, "claude")
    stack.claude.queue(
        Reply(text="It maps numbers to Fizz, Buzz or FizzBuzz.", chunks=4),
        Reply(text="FizzBuzz", chunks=1),
    )
    res = stack.api(
        "POST",
        "/api/chat",
        {
            "model": "claude-sonnet-4-6",
            "provider": "claude",
            "content": "What does this do?",
            "attachments": [
                {"type": "file", "name": "fizzbuzz.py", "media_type": "text/x-python", "text": CODE}
            ],
        },
        token,
    )
    yield {"conversation": str(res["conversation_id"])}


@pytest.mark.parametrize(("width", "phone", "theme"), COMBOS)
def test_file_screens(
    browser: Browser,
    stack: Stack,
    filed: dict[str, str],
    tmp_path: Path,
    width: str,
    phone: bool,
    theme: str,
) -> None:
    name = f"{width}-{theme}"
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        flows.login(page, "felix")
        page.goto(f"/c/{filed['conversation']}")
        user = page.locator('[data-role="user"]').first
        expect(user.get_by_test_id("file-chip")).to_have_count(1)
        expect(flows.assistant_messages(page).last).to_contain_text("Fizz, Buzz or FizzBuzz")

        # The composer with two file chips (one with a long name) and an image.
        a = tmp_path / "requirements-for-the-quarterly-report.md"
        a.write_text(NOTES, encoding="utf-8")
        b = tmp_path / "data.csv"
        b.write_text("city,temp\nLyon,21\nParis,19\n", encoding="utf-8")
        png = flows.make_png(tmp_path / "chart.png", 320, 200)
        flows.attach_files(page, a, b, png)
        chips = _composer_chips(page)
        expect(chips).to_have_count(2)
        for chip in chips.all():
            expect(chip).to_have_attribute("data-state", "ready")
        expect(flows.attachment_thumbs(page)).to_have_attribute("data-state", "ready")
        page.get_by_test_id("composer-input").fill("Compare with these")
        page.wait_for_timeout(250)  # the send button's colour change is animated
        shot(page, f"files-{name}-01-composer-file-chips")

        # The viewer, from the saved message.
        user.get_by_role("button", name="Open fizzbuzz.py").click()
        viewer = page.get_by_role("dialog", name="fizzbuzz.py")
        expect(viewer).to_be_visible()
        expect(viewer.get_by_test_id("file-viewer-text")).to_contain_text("FizzBuzz")
        page.wait_for_timeout(200)
        shot(page, f"files-{name}-02-file-viewer")
        page.keyboard.press("Escape")
        expect(viewer).to_be_hidden()
