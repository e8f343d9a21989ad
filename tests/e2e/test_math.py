"""Math in answers, in the browser: KaTeX from the lazily loaded chunk (its CSS and fonts
served by our own server), inline and display formulas, code and currency left alone, an
invalid formula shown as source, and the four screenshots (desktop/phone x light/dark)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import browsing, new_context, shot
from tests.e2e.stack import Stack
from tests.fakes.script import Reply

MATH_ANSWER = r"""The Gaussian integral, for $a > 0$, is
\(\int_{-\infty}^{\infty} e^{-a x^2}\,dx = \sqrt{\pi / a}\). With $a = 1$:

$$
\int_{-\infty}^{\infty} e^{-x^2}\,dx = \sqrt{\pi}
$$

Solving $ax^2 + bx + c = 0$ gives

\[
x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}
\]

and a long one scrolls on its own on a phone:

$$ (a+b)^6 = a^6 + 6a^5b + 15a^4b^2 + 20a^3b^3 + 15a^2b^4 + 6ab^5 + b^6 $$

In code, `$HOME` and dollars stay as written:

```python
price = "$5"  # not $math$
print(f"{price} and \(x\)")
```

A coffee costs $5 and a book $10. A broken formula stays readable: $\frac{1}{$."""

CODE = 'price = "$5"  # not $math$\nprint(f"{price} and \\(x\\)")'


@pytest.fixture(scope="module")
def math_chat(stack: Stack) -> Iterator[str]:
    """A user with a Claude key and one finished conversation whose answer is MATH_ANSWER."""
    token = flows.api_register(stack, "gauss")
    flows.api_save_key(stack, token, "claude")
    stack.claude.queue(Reply(text=MATH_ANSWER, chunks=6), Reply(text="Gaussian integral", chunks=1))
    res = stack.api(
        "POST",
        "/api/chat",
        {"model": "claude-sonnet-4-6", "provider": "claude", "content": "Gaussian integral?"},
        token,
    )
    yield str(res["conversation_id"])


def check_math(page: Page, answer: Locator) -> None:
    """What a reader sees: formulas typeset, code and prices as written, one error shown."""
    expect(answer.locator(".katex-display")).to_have_count(3)
    # Inline: $a > 0$, \(...\), $a = 1$, $ax^2 + bx + c = 0$ (display ones hold a .katex too).
    expect(answer.locator(".katex:not(.katex-display .katex)")).to_have_count(4)
    tex = answer.locator('annotation[encoding="application/x-tex"]').all_text_contents()
    assert r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}" in tex, tex
    assert r"\int_{-\infty}^{\infty} e^{-x^2}\,dx = \sqrt{\pi}" in tex, tex
    expect(answer.locator("pre code")).to_have_text(CODE)
    expect(answer.locator("p code").first).to_have_text("$HOME")
    expect(answer).to_contain_text("A coffee costs $5 and a book $10.")
    expect(answer.locator(".katex-error")).to_have_text(r"\frac{1}{")
    assert answer.locator("a, script, img").count() == 0
    # KaTeX's own fonts came from our server (no CDN) and are in use.
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('KaTeX') && f.status === 'loaded')"
        ".map(f => f.family)"
    )
    assert "KaTeX_Main" in loaded, loaded
    # Formulas take the text colour of the theme, and errors the theme's red.
    colors = answer.evaluate(
        """el => ({
            text: getComputedStyle(el.querySelector('p')).color,
            math: getComputedStyle(el.querySelector('.katex-display .katex')).color,
            error: getComputedStyle(el.querySelector('.katex-error')).color,
            danger: getComputedStyle(document.documentElement).getPropertyValue('--danger'),
        })"""
    )
    assert colors["math"] == colors["text"], colors
    assert colors["error"] != colors["text"], colors
    # Nothing pushes the page sideways, even on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_math_streams_in_and_renders(browser: Browser, stack: Stack, math_chat: str) -> None:
    """A streamed answer with math: no page error on the way, typeset at the end."""
    with browsing(browser, stack) as page:
        flows.login(page, "gauss")
        stack.claude.state.replies.clear()
        stack.claude.queue(Reply(text=MATH_ANSWER, chunks=60, chunk_delay_s=0.03))
        flows.send(page, "Explain the Gaussian integral")
        live = page.get_by_test_id("live-answer")
        expect(live.locator(".katex").first).to_be_visible()
        flows.wait_idle(page)
        check_math(page, flows.assistant_messages(page).last)


@pytest.mark.parametrize(
    ("phone", "theme"), [(False, "light"), (False, "dark"), (True, "light"), (True, "dark")]
)
def test_math_screens(
    browser: Browser, stack: Stack, math_chat: str, phone: bool, theme: str
) -> None:
    with browsing(browser, stack, phone=phone, dark=theme == "dark") as page:
        flows.login(page, "gauss")
        page.goto(f"/c/{math_chat}")
        answer = flows.assistant_messages(page).last
        check_math(page, answer)
        answer.locator(".katex-display").first.scroll_into_view_if_needed()
        shot(page, f"{'phone' if phone else 'desktop'}-{theme}-40-math")


HOSTILE_MATH = r"""Formulas that try to be links, HTML or a hang:

$\href{javascript:window.__pwned=1}{click me}$ and $\url{javascript:window.__pwned=1}$

$$\htmlClass{pwn}{x} \htmlId{pwn}{y} \htmlStyle{background:url(https://example.com/t)}{z}$$

$\includegraphics[height=1em]{https://example.com/t.png}$ $\rule{100000em}{100000em}$

$$\def\a{\a\a}\a$$

The end."""


def test_hostile_math_stays_inert_in_the_browser(
    browser: Browser, stack: Stack, math_chat: str
) -> None:
    """KaTeX runs untrusted: no link, image, id or class comes out of a formula."""
    with browsing(browser, stack) as page:
        flows.login(page, "gauss")
        stack.claude.state.replies.clear()
        stack.claude.queue(Reply(text=HOSTILE_MATH, chunks=10, chunk_delay_s=0.02))
        flows.send(page, "Try to break out of the math")
        flows.wait_idle(page)
        answer = flows.assistant_messages(page).last
        expect(answer).to_contain_text("The end.")
        expect(answer.locator(".katex").first).to_be_visible()
        assert answer.locator("a, img, script, iframe, [href], [src], #pwn, .pwn").count() == 0
        answer.locator(".katex-html").first.click()  # where the link would have been
        assert page.evaluate("window.__pwned") is None
        # The huge rule is capped (maxSize), so the page keeps its width.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "desktop-light-41-hostile-math")


def test_display_math_while_it_streams(browser: Browser, stack: Stack, math_chat: str) -> None:
    """A formula still being written shows as calm source (no KaTeX error flashing), then
    typesets the moment its closing $$ arrives."""
    ctx = new_context(browser, stack, dark=True)
    page = ctx.new_page()
    try:
        flows.login(page, "gauss")
        stack.claude.state.replies.clear()
        formula = r" + ".join(rf"\frac{{x^{{{n}}}}}{{{n}!}}" for n in range(2, 12))
        text = f"The series, term by term:\n\n$$\ne^x = 1 + x + {formula} + \\cdots\n$$\n\nDone."
        stack.claude.queue(Reply(text=text, chunks=50, chunk_delay_s=0.1))
        flows.send(page, "Write the exponential series slowly")
        live = page.get_by_test_id("live-answer")
        pending = live.locator(".math-pending")
        expect(pending).to_contain_text(r"\frac{x^{4}}")
        assert live.locator(".katex-error").count() == 0
        expect(live).to_contain_text("The series, term by term:")
        shot(page, "desktop-dark-42-math-streaming")
        flows.wait_idle(page)
        answer = flows.assistant_messages(page).last
        expect(answer.locator(".katex-display")).to_have_count(1)
        expect(answer.locator(".math-pending, .katex-error")).to_have_count(0)
        expect(answer).to_contain_text("Done.")
    finally:
        ctx.close()
