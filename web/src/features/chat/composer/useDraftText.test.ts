import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadDraftText, saveDraftText } from "../drafts";
import { joinTexts, useDraftText } from "./useDraftText";

beforeEach(() => localStorage.clear());
afterEach(() => vi.useRealTimers());

describe("useDraftText", () => {
  it("starts from the saved draft and saves a moment after typing stops", () => {
    vi.useFakeTimers();
    saveDraftText("u1:7", "Hello");
    const { result } = renderHook(() => useDraftText("u1:7"));
    expect(result.current.text).toBe("Hello");
    act(() => result.current.setText("Hello there"));
    expect(loadDraftText("u1:7")).toBe("Hello");
    act(() => vi.advanceTimersByTime(500));
    expect(loadDraftText("u1:7")).toBe("Hello there");
  });

  it("saves at once when the page is hidden or the composer goes", () => {
    const { result, unmount } = renderHook(() => useDraftText("u1:7"));
    act(() => result.current.setText("Half a thought"));
    window.dispatchEvent(new Event("pagehide"));
    expect(loadDraftText("u1:7")).toBe("Half a thought");
    act(() => result.current.setText("Half a thought, more"));
    unmount();
    expect(loadDraftText("u1:7")).toBe("Half a thought, more");
  });

  it("a cleared (sent) text is not written back when the composer goes", () => {
    const { result, unmount } = renderHook(() => useDraftText("u1:7"));
    act(() => result.current.setText("Sent"));
    act(() => result.current.clear());
    unmount();
    expect(loadDraftText("u1:7")).toBe("");
  });
});

describe("joinTexts", () => {
  it("puts a returned text before what was typed since, each once", () => {
    expect(joinTexts("Returned", "")).toBe("Returned");
    expect(joinTexts("Returned", "Returned")).toBe("Returned");
    expect(joinTexts("", "Typed")).toBe("Typed");
    expect(joinTexts("Returned", "Typed")).toBe("Returned\n\nTyped");
  });
});
