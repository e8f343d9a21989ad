import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import i18n from "i18next";
import { afterEach, describe, expect, it } from "vitest";
import { ThinkingBlock } from "./ThinkingBlock";
import { thinkingHeader } from "./thinkingTime";

const THOUGHTS = "First, the user wants a haiku.\nSecond, count the syllables.";

describe("ThinkingBlock", () => {
  afterEach(() => void i18n.changeLanguage("en"));

  it("while thinking: a pulsing Thinking… header, the text shown as it comes", () => {
    render(<ThinkingBlock text={THOUGHTS} live durationMs={null} />);
    const header = screen.getByRole("button", { name: "Thinking…" });
    expect(header).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByTestId("thinking-header")).toHaveClass("animate-pulse");
    const text = screen.getByTestId("thinking-text");
    expect(text).toBeVisible();
    // Plain text with its line breaks kept (pre-wrap), in a bounded box.
    expect(text.textContent).toBe(THOUGHTS);
    expect(text).toHaveClass("whitespace-pre-wrap", "max-h-44", "overflow-y-auto");
    expect(header).toHaveAttribute("aria-controls", text.id);
  });

  it("once the answer starts it folds to the time it took, and opens and closes by keyboard", async () => {
    const user = userEvent.setup();
    const { rerender } = render(<ThinkingBlock text={THOUGHTS} live durationMs={null} />);
    rerender(<ThinkingBlock text={THOUGHTS} live={false} durationMs={12_300} />);
    const header = screen.getByRole("button", { name: "Thought for 12 s" });
    expect(header).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId("thinking-text")).toBeNull();
    expect(screen.getByTestId("thinking-header")).not.toHaveClass("animate-pulse");

    await user.tab();
    expect(header).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(header).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByTestId("thinking-text").textContent).toBe(THOUGHTS);
    await user.keyboard("{Enter}");
    expect(header).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId("thinking-text")).toBeNull();
    await user.keyboard(" ");
    expect(header).toHaveAttribute("aria-expanded", "true");
    await user.click(header);
    expect(header).toHaveAttribute("aria-expanded", "false");
  });

  it("a saved answer starts folded; unknown and sub-second times read calmly", () => {
    const { rerender } = render(<ThinkingBlock text={THOUGHTS} live={false} durationMs={null} />);
    expect(screen.getByRole("button", { name: "Thoughts" })).toHaveAttribute("aria-expanded", "false");
    rerender(<ThinkingBlock text={THOUGHTS} live={false} durationMs={400} />);
    expect(screen.getByRole("button", { name: "Thought for a few seconds" })).toBeInTheDocument();
  });

  it("hostile text stays text: no element, no link, no Markdown", async () => {
    const hostile =
      '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>\n**bold** [link](javascript:alert(1)) <b>b</b>';
    const user = userEvent.setup();
    render(<ThinkingBlock text={hostile} live={false} durationMs={3000} />);
    await user.click(screen.getByRole("button", { name: "Thought for 3 s" }));
    const text = screen.getByTestId("thinking-text");
    expect(text.textContent).toBe(hostile);
    expect(text.children).toHaveLength(0);
    expect(text.querySelector("img, script, a, b, strong")).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("says the time in minutes past a minute, and in French", async () => {
    const t = i18n.t.bind(i18n);
    expect(thinkingHeader(t, 59_400)).toBe("Thought for 59 s");
    expect(thinkingHeader(t, 65_000)).toBe("Thought for 1 min 5 s");
    expect(thinkingHeader(t, 120_200)).toBe("Thought for 2 min");
    await i18n.changeLanguage("fr");
    expect(thinkingHeader(i18n.t.bind(i18n), 12_000)).toBe("A réfléchi pendant 12 s");
    expect(thinkingHeader(i18n.t.bind(i18n), null)).toBe("Réflexions");
  });
});
