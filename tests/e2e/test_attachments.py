"""Image attachments in a real browser against the real server and the provider fakes:
attach through the file chooser, see the thumbnail, send, the image is in the message and
reached the provider, it survives a reload and opens larger; a model without vision warns
and will not send (attached images, images already in the chat, the edit box); a failed
send gives the message back; drafts survive a reload. Then screenshots of the composer with
thumbnails, the notices, the drop overlay and the viewer at every size and theme."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, JSHandle, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import COMBOS, browsing, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

NO_VISION = re.compile(r"Mistral 7B|open-mistral-7b")


def _choose_no_vision_model(page: Page) -> None:
    """Pick Mistral's open 7B model (text only)."""
    page.get_by_test_id("model-selector").click()
    section = page.locator('section[data-provider="mistral"]')
    section.get_by_role("option").filter(has_text=NO_VISION).first.click()
    expect(page.get_by_test_id("model-selector")).to_contain_text(NO_VISION)


def _image_blocks(stack: Stack) -> list[dict[str, object]]:
    """The image content blocks Claude's fake received, across all requests."""
    blocks: list[dict[str, object]] = []
    for req in stack.claude.requests:
        if req.path != "/v1/messages" or not isinstance(req.body, dict):
            continue
        for message in req.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, list):
                blocks += [b for b in content if isinstance(b, dict) and b.get("type") == "image"]
    return blocks


def _files_drag(page: Page, png: Path) -> JSHandle:
    """A DataTransfer carrying one PNG file, as the browser builds for a drag from the desktop."""
    data = base64.b64encode(png.read_bytes()).decode()
    return page.evaluate_handle(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
            return dt;
        }""",
        data,
    )


def test_attach_send_reload_and_vision(page: Page, stack: Stack, tmp_path: Path) -> None:
    flows.register(page, "ines")
    card = flows.save_key(page, "claude", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)
    card = flows.save_key(page, "mistral", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)
    flows.open_chat(page)
    flows.choose_model(page, "claude", "Claude Sonnet 4.6")

    # Attach through the paperclip's file chooser: a thumbnail, ready to send.
    png = flows.make_png(tmp_path / "chart.png", 320, 200)
    flows.attach_files(page, png)
    thumb = flows.attachment_thumbs(page)
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_attribute("data-state", "ready")
    expect(thumb).to_have_attribute("data-type", "image/png")  # small: sent as it is
    expect(thumb.locator("img")).to_be_visible()
    expect(page.get_by_test_id("send-button")).to_be_enabled()

    # Send with a question: the image shows in the user's message, the answer streams.
    stack.claude.requests.clear()
    stack.claude.queue(
        Reply(text="A striped gradient, orange over teal.", chunks=8, chunk_delay_s=0.05),
        Reply(text="Striped gradient", chunks=1),
    )
    flows.send(page, "What is in this picture?")
    expect(flows.attachment_thumbs(page)).to_have_count(0)
    user = page.locator('[data-role="user"]').last
    expect(user.get_by_test_id("message-image")).to_have_count(1)
    expect(user).to_contain_text("What is in this picture?")
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("orange over teal")
    expect(page).to_have_url(re.compile(r"/c/\d+$"))

    # The provider received the very bytes of the file, as an image block.
    blocks = _image_blocks(stack)
    assert len(blocks) == 1, blocks
    source = blocks[0]["source"]
    assert isinstance(source, dict)
    assert source["media_type"] == "image/png"
    assert base64.b64decode(str(source["data"])) == png.read_bytes()

    # After a reload the image is still in the message, and opens larger (Esc closes).
    page.reload()
    user = page.locator('[data-role="user"]').last
    image = user.get_by_role("button", name="Open image 1 of 1")
    expect(image).to_be_visible()
    expect(image.locator("img")).to_have_attribute(
        "src", "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
    )
    image.focus()
    page.keyboard.press("Enter")
    viewer = page.get_by_role("dialog", name="Image 1 of 1")
    expect(viewer).to_be_visible()
    expect(viewer.get_by_role("img", name="Image 1 of 1")).to_be_visible()
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    # Edit the question: the new branch keeps its image (the client sends it again).
    stack.claude.requests.clear()
    stack.claude.queue(Reply(text="Diagonal stripes again.", chunks=3))
    user.get_by_role("button", name="Edit").click()
    page.get_by_role("textbox", name="Edit").fill("Describe the colours")
    page.get_by_role("button", name="Save & submit").click()
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("Diagonal stripes again.")
    user = page.locator('[data-role="user"]').last
    expect(user).to_contain_text("Describe the colours")
    expect(user.get_by_test_id("message-image")).to_have_count(1)
    blocks = _image_blocks(stack)
    assert len(blocks) == 1, blocks
    assert isinstance(blocks[0]["source"], dict)
    assert base64.b64decode(str(blocks[0]["source"]["data"])) == png.read_bytes()

    # A big image is downscaled in the browser: long edge 2048, re-encoded.
    big = flows.make_png(tmp_path / "wide.png", 3000, 1500)
    flows.attach_files(page, big)
    thumb = flows.attachment_thumbs(page)
    expect(thumb).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(thumb).to_have_attribute("data-size", "2048x1024")
    expect(thumb).to_have_attribute("data-type", re.compile(r"image/(webp|jpeg)"))
    thumb.get_by_role("button", name="Remove wide.png").click()
    expect(flows.attachment_thumbs(page)).to_have_count(0)

    # A file that is neither an image nor text: refused, said inline.
    blob = tmp_path / "archive.bin"
    blob.write_bytes(b"\x89PK\x00\xff\xfe binary")
    page.get_by_test_id("attach-input").set_input_files(str(blob))
    expect(page.get_by_test_id("attach-problems")).to_contain_text("archive.bin isn't a text file")
    page.get_by_role("button", name="Dismiss").click()

    # This chat already holds an image, and the server sends the whole branch with every
    # turn: switched to a model without vision, the composer says so before anything is
    # sent, and send stays off whatever is typed.
    _choose_no_vision_model(page)
    page.get_by_test_id("composer-input").fill("And this one?")
    history = page.get_by_test_id("history-vision-notice")
    expect(history).to_contain_text("This chat has images that")
    expect(history).to_contain_text(NO_VISION)  # names the model
    expect(page.get_by_test_id("send-button")).to_be_disabled()
    stack.mistral.requests.clear()
    page.get_by_test_id("composer-input").press("Enter")
    expect(page.get_by_test_id("composer-input")).to_have_value("And this one?")  # not sent
    expect(page.locator('[data-role="user"]')).to_have_count(1)
    assert not [r for r in stack.mistral.requests if r.method == "POST"]

    # Editing the question with its image: the same notice in the edit box, Save & submit
    # off; removing the image (nothing before it holds one) makes the edit sendable.
    user.get_by_role("button", name="Edit").click()
    editor = page.get_by_test_id("edit-box")
    expect(editor.get_by_test_id("edit-vision-notice")).to_contain_text("can't read images")
    expect(editor.get_by_role("button", name="Save & submit")).to_be_disabled()
    editor.get_by_role("button", name="Remove image 1").click()
    expect(editor.get_by_test_id("edit-vision-notice")).to_be_hidden()
    expect(editor.get_by_role("button", name="Save & submit")).to_be_enabled()
    editor.get_by_role("button", name="Cancel").click()

    # A new chat has no history: only attached images matter there.
    flows.open_chat(page)
    _choose_no_vision_model(page)
    flows.attach_files(page, png)
    page.get_by_test_id("composer-input").fill("And this one?")
    notice = page.get_by_test_id("vision-notice")
    expect(notice).to_contain_text("can't read images")
    expect(notice).to_contain_text(NO_VISION)  # names the model
    expect(page.get_by_test_id("history-vision-notice")).to_have_count(0)
    expect(page.get_by_test_id("send-button")).to_be_disabled()
    page.get_by_test_id("composer-input").press("Enter")
    expect(flows.attachment_thumbs(page)).to_have_count(1)  # nothing was sent
    flows.attachment_thumbs(page).get_by_role("button", name="Remove chart.png").click()
    expect(notice).to_be_hidden()
    expect(page.get_by_test_id("send-button")).to_be_enabled()


def test_failed_send_gives_the_message_back_and_drafts_survive(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    flows.register(page, "jonas")
    card = flows.save_key(page, "claude", "test-key")
    expect(flows.light(card)).to_have_attribute("data-light", "green", timeout=15_000)
    flows.open_chat(page)
    flows.choose_model(page, "claude", "Claude Sonnet 4.6")

    # The draft: typed, the page reloaded, it is still there.
    box = page.get_by_test_id("composer-input")
    box.fill("A thought I have not finished")
    page.wait_for_timeout(700)  # the draft is saved a moment after typing stops
    page.reload()
    expect(page.get_by_test_id("composer-input")).to_have_value("A thought I have not finished")

    # The network fails before the answer starts: the error shows, and the text and the
    # image are back in the composer.
    png = flows.make_png(tmp_path / "chart.png", 320, 200)
    flows.attach_files(page, png)
    expect(flows.attachment_thumbs(page)).to_have_attribute("data-state", "ready")
    page.route("**/api/chat/stream", lambda route: route.abort("connectionrefused"))
    page.get_by_test_id("composer-input").fill("Describe this chart")
    page.get_by_test_id("send-button").click()
    expect(page.get_by_test_id("live-answer").get_by_role("alert")).to_contain_text(
        "Cannot reach the server"
    )
    expect(page.get_by_test_id("composer-input")).to_have_value("Describe this chart")
    expect(flows.attachment_thumbs(page)).to_have_count(1)
    expect(flows.attachment_thumbs(page)).to_have_attribute("data-state", "ready")
    shot(page, "attach-failed-send-kept")

    # The network is back: Retry sends what is in the composer, and the box empties.
    page.unroute("**/api/chat/stream")
    stack.claude.queue(Reply(text="Stripes, as promised.", chunks=4), Reply(text="Chart"))
    page.get_by_test_id("live-answer").get_by_role("button", name="Retry").click()
    flows.wait_idle(page)
    expect(flows.assistant_messages(page).last).to_contain_text("Stripes, as promised.")
    expect(page.locator('[data-role="user"]').last.get_by_test_id("message-image")).to_have_count(1)
    expect(page.get_by_test_id("composer-input")).to_have_value("")
    expect(flows.attachment_thumbs(page)).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("composer-input")).to_have_value("")
    flows.open_chat(page)  # the new-chat draft was cleared by the send too
    expect(page.get_by_test_id("composer-input")).to_have_value("")


@pytest.fixture(scope="module")
def pictured(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A user with Claude and Mistral keys and a conversation whose question has two images."""
    token = flows.api_register(stack, "paula")
    for provider in ("claude", "mistral"):
        flows.api_save_key(stack, token, provider)
    folder = tmp_path_factory.mktemp("images")
    a = flows.make_png(folder / "chart.png", 480, 300)
    b = flows.make_png(folder / "tall.png", 200, 360)
    stack.claude.queue(
        Reply(text="Both show the same stripes; the second is rotated.", chunks=4),
        Reply(text="Two charts", chunks=1),
    )
    res = stack.api(
        "POST",
        "/api/chat",
        {
            "model": "claude-sonnet-4-6",
            "provider": "claude",
            "content": "Compare these two charts",
            "attachments": [
                {
                    "type": "image",
                    "media_type": "image/png",
                    "data": base64.b64encode(p.read_bytes()).decode(),
                }
                for p in (a, b)
            ],
        },
        token,
    )
    yield {"conversation": str(res["conversation_id"]), "a": str(a), "b": str(b)}


@pytest.mark.parametrize(("width", "phone", "theme"), COMBOS)
def test_attachment_screens(
    browser: Browser,
    stack: Stack,
    pictured: dict[str, str],
    width: str,
    phone: bool,
    theme: str,
) -> None:
    name = f"{width}-{theme}"
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        flows.login(page, "paula")
        page.goto(f"/c/{pictured['conversation']}")
        user = page.locator('[data-role="user"]').first
        expect(user.get_by_test_id("message-image")).to_have_count(2)
        expect(flows.assistant_messages(page).last).to_contain_text("the second is rotated")

        # The composer with two thumbnails and a question.
        flows.attach_files(page, Path(pictured["a"]), Path(pictured["b"]))
        expect(flows.attachment_thumbs(page)).to_have_count(2)
        for thumb in flows.attachment_thumbs(page).all():
            expect(thumb).to_have_attribute("data-state", "ready")
        page.get_by_test_id("composer-input").fill("And what about these?")
        expect(page.get_by_test_id("send-button")).to_be_enabled()
        page.wait_for_timeout(250)  # the send button's colour change is animated
        shot(page, f"attach-{name}-01-composer-thumbnails")

        # A text-only model: this chat already has images, so the calm notice above the
        # composer (it replaces the one about the attached images: both say "pick another").
        _choose_no_vision_model(page)
        expect(page.get_by_test_id("history-vision-notice")).to_contain_text(
            "This chat has images that"
        )
        expect(page.get_by_test_id("vision-notice")).to_have_count(0)
        expect(page.get_by_test_id("send-button")).to_be_disabled()
        page.wait_for_timeout(250)  # the send button's colour change is animated
        shot(page, f"attach-{name}-02-history-vision-notice")

        # Drag a file over the chat: the drop overlay; dropping it adds a third thumbnail.
        area = page.get_by_test_id("message-list")
        drag = _files_drag(page, Path(pictured["a"]))
        area.dispatch_event("dragenter", {"dataTransfer": drag})
        overlay = page.get_by_test_id("drop-overlay")
        expect(overlay).to_be_visible()
        expect(overlay).to_contain_text("Drop files here")
        shot(page, f"attach-{name}-03-drop-overlay")
        area.dispatch_event("drop", {"dataTransfer": drag})
        expect(overlay).to_be_hidden()
        expect(flows.attachment_thumbs(page)).to_have_count(3)

        # The image viewer, from the saved message.
        user.get_by_role("button", name="Open image 2 of 2").click()
        viewer = page.get_by_role("dialog", name="Image 2 of 2")
        expect(viewer).to_be_visible()
        page.wait_for_timeout(200)
        shot(page, f"attach-{name}-04-image-viewer")
        page.keyboard.press("Escape")
        expect(viewer).to_be_hidden()

        # Editing the question shows the images it will send again, each removable; with
        # the text-only model still chosen, the edit box says it cannot read them.
        user.get_by_role("button", name="Edit").click()
        editor = page.get_by_role("textbox", name="Edit")
        expect(editor).to_have_value("Compare these two charts")
        expect(page.get_by_role("button", name="Remove image 2")).to_be_visible()
        box = page.get_by_test_id("edit-box")
        expect(box.get_by_test_id("edit-vision-notice")).to_contain_text(NO_VISION)
        expect(box.get_by_role("button", name="Save & submit")).to_be_disabled()
        box.scroll_into_view_if_needed()
        shot(page, f"attach-{name}-05-edit-vision-notice")
        page.get_by_role("button", name="Cancel").click()
        expect(editor).to_be_hidden()
