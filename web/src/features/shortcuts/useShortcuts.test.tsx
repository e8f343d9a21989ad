import { act, render, renderHook, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { focusSoon, isApple, matchShortcut, type KeyInput } from "./shortcuts";
import { useShortcuts, type ShortcutHandlers } from "./useShortcuts";

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

function handlers(): ShortcutHandlers & Record<string, ReturnType<typeof vi.fn>> {
  return { newChat: vi.fn(), search: vi.fn(), focusComposer: vi.fn(), showShortcuts: vi.fn() };
}

describe("matchShortcut", () => {
  it("maps Ctrl or ⌘ combinations to their actions", () => {
    expect(matchShortcut(key("O", { ctrlKey: true, shiftKey: true }), false)).toBe("newChat");
    expect(matchShortcut(key("o", { metaKey: true, shiftKey: true }), false)).toBe("newChat");
    expect(matchShortcut(key("k", { ctrlKey: true }), false)).toBe("search");
    expect(matchShortcut(key("K", { metaKey: true }), true)).toBe("search");
    expect(matchShortcut(key("/", { ctrlKey: true }), false)).toBe("showShortcuts");
    expect(matchShortcut(key("?", { metaKey: true, shiftKey: true }), false)).toBe("showShortcuts");
  });

  it("leaves everything else to the page and the browser", () => {
    expect(matchShortcut(key("o", { ctrlKey: true }), true)).toBeNull(); // Ctrl+O: open file
    expect(matchShortcut(key("k", { ctrlKey: true, shiftKey: true }), true)).toBeNull();
    expect(matchShortcut(key("k", { ctrlKey: true, altKey: true }), true)).toBeNull();
    expect(matchShortcut(key("k"), true)).toBeNull();
    expect(matchShortcut(key("k", { ctrlKey: true, isComposing: true }), true)).toBeNull();
  });

  it("takes a bare / only when nothing else has focus", () => {
    expect(matchShortcut(key("/"), true)).toBe("focusComposer");
    expect(matchShortcut(key("/"), false)).toBeNull(); // typing a slash in a field
    expect(matchShortcut(key("/", { shiftKey: true }), true)).toBeNull();
  });

  it("knows Apple keyboards", () => {
    expect(isApple({ platform: "MacIntel", userAgent: "" })).toBe(true);
    expect(isApple({ platform: "", userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)" })).toBe(true);
    expect(isApple({ platform: "Win32", userAgent: "Mozilla/5.0 (Windows NT 10.0)" })).toBe(false);
  });
});

describe("useShortcuts", () => {
  it("runs the matching handler once and keeps the browser's meaning out", async () => {
    const h = handlers();
    renderHook(() => useShortcuts(h));
    const user = userEvent.setup();
    await user.keyboard("{Control>}{Shift>}O{/Shift}{/Control}");
    expect(h.newChat).toHaveBeenCalledOnce();
    await user.keyboard("{Meta>}k{/Meta}");
    expect(h.search).toHaveBeenCalledOnce();
    await user.keyboard("{Control>}/{/Control}");
    expect(h.showShortcuts).toHaveBeenCalledOnce();
    expect(h.focusComposer).not.toHaveBeenCalled();

    const event = new KeyboardEvent("keydown", { key: "k", ctrlKey: true, bubbles: true, cancelable: true });
    act(() => {
      window.dispatchEvent(event);
    });
    expect(event.defaultPrevented).toBe(true);
    expect(h.search).toHaveBeenCalledTimes(2);
  });

  it("/ focuses the composer from the page, but is just a character in a field", async () => {
    const h = handlers();
    function Page() {
      useShortcuts(h);
      return <input aria-label="Title" />;
    }
    render(<Page />);
    const user = userEvent.setup();
    await user.keyboard("/");
    expect(h.focusComposer).toHaveBeenCalledOnce();

    const field = screen.getByRole("textbox", { name: "Title" });
    await user.click(field);
    await user.keyboard("a/b");
    expect(field).toHaveValue("a/b");
    expect(h.focusComposer).toHaveBeenCalledOnce();
  });

  it("ignores keys another handler already took, and stops listening when unmounted", async () => {
    const h = handlers();
    const { unmount } = renderHook(() => useShortcuts(h));
    const taken = new KeyboardEvent("keydown", { key: "k", ctrlKey: true, bubbles: true, cancelable: true });
    taken.preventDefault();
    act(() => {
      window.dispatchEvent(taken);
    });
    expect(h.search).not.toHaveBeenCalled();
    unmount();
    await userEvent.setup().keyboard("{Control>}k{/Control}");
    expect(h.search).not.toHaveBeenCalled();
  });

  it("calls the latest handlers after a re-render", async () => {
    const first = handlers();
    const second = handlers();
    const { rerender } = renderHook(({ h }) => useShortcuts(h), { initialProps: { h: first } });
    rerender({ h: second });
    await userEvent.setup().keyboard("{Control>}k{/Control}");
    expect(first.search).not.toHaveBeenCalled();
    expect(second.search).toHaveBeenCalledOnce();
  });
});

describe("focusSoon", () => {
  it("focuses an element that appears a few frames later", async () => {
    focusSoon('[data-testid="composer-input"]');
    const box = document.createElement("textarea");
    box.dataset.testid = "composer-input";
    await new Promise((r) => requestAnimationFrame(r));
    document.body.append(box);
    await vi.waitFor(() => expect(document.activeElement).toBe(box));
    box.remove();
  });
});

describe("focusSoon keeps focus while the page settles", () => {
  it("moves focus from another field, follows a replaced element, then leaves the user's choice alone", async () => {
    const other = document.createElement("input");
    document.body.append(other);
    other.focus();
    const first = document.createElement("input");
    first.dataset.testid = "sidebar-search";
    document.body.append(first);
    focusSoon('[data-testid="sidebar-search"]', 10);
    expect(document.activeElement).toBe(first); // asked for explicitly: taken from `other`

    // A re-render replaces the element: focus fell to the page, the new one gets it.
    first.remove();
    const second = document.createElement("input");
    second.dataset.testid = "sidebar-search";
    document.body.append(second);
    await vi.waitFor(() => expect(document.activeElement).toBe(second));

    // The user then leaves it (blur, or another field): that stays.
    second.blur();
    await new Promise((r) => setTimeout(r, 50));
    expect(document.activeElement).toBe(document.body);
    other.focus();
    await new Promise((r) => setTimeout(r, 50));
    expect(document.activeElement).toBe(other);
    other.remove();
    second.remove();
  });
});

describe("focusSoon requests", () => {
  it("a newer request ends the previous one", async () => {
    const a = document.createElement("input");
    a.dataset.testid = "a";
    const b = document.createElement("textarea");
    b.dataset.testid = "b";
    document.body.append(a, b);
    focusSoon('[data-testid="a"]', 10);
    expect(document.activeElement).toBe(a);
    a.blur(); // focus back on the page, as when the user clicks an empty area
    focusSoon('[data-testid="b"]', 0);
    expect(document.activeElement).toBe(b);
    b.blur();
    await new Promise((r) => setTimeout(r, 100));
    expect(document.activeElement).toBe(document.body); // `a` did not take it back
    a.remove();
    b.remove();
  });
});
