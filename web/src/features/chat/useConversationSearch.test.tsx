import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { Provider } from "react-redux";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeStore } from "@/store";
import { json, stubServer } from "@/test/app";
import { SEARCH_DEBOUNCE_MS, useConversationSearch } from "./useConversationSearch";

const hit = (id: number, title: string) => ({
  id,
  title,
  provider: "claude",
  model: "m",
  pinned: false,
  created_at: "2020-01-01T00:00:00Z",
  updated_at: "2020-01-01T00:00:00Z",
  match: { message_id: null, role: "title", snippet: title },
});

/** Each search waits for the test to answer it: `answer(q, body)` resolves that request. */
let asked: string[] = [];
let pending: Map<string, (r: Response) => void>;

function answer(q: string, items: unknown[], status = 200): void {
  const resolve = pending.get(q);
  if (!resolve) throw new Error(`no pending search for ${q}; asked: ${asked.join(", ")}`);
  pending.delete(q);
  resolve(status === 200 ? json({ items, next_cursor: null }) : json({ error: { code: "x", message: "x" } }, status));
}

beforeEach(() => {
  asked = [];
  pending = new Map();
  stubServer((input: RequestInfo | URL) => {
    const req = input instanceof Request ? input : new Request(String(input));
    const url = new URL(req.url, "http://localhost");
    const q = url.searchParams.get("q") ?? "";
    asked.push(q);
    return new Promise<Response>((resolve) => pending.set(q, resolve));
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function setup() {
  const store = makeStore();
  const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
  return renderHook(({ text }: { text: string }) => useConversationSearch(text), {
    wrapper,
    initialProps: { text: "" },
  });
}

const titles = (r: { current: ReturnType<typeof useConversationSearch> }) => r.current.results.map((h) => h.title);

describe("useConversationSearch", () => {
  it("is idle for an empty or blank box and asks nothing", async () => {
    const { result, rerender } = setup();
    expect(result.current.active).toBe(false);
    rerender({ text: "   " });
    await new Promise((r) => setTimeout(r, SEARCH_DEBOUNCE_MS + 50));
    expect(result.current).toMatchObject({ active: false, status: "idle", results: [] });
    expect(asked).toEqual([]);
  });

  it("waits until typing stops, then asks once for the whole (trimmed) text", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { result, rerender } = setup();
    for (const text of ["h", "he", "her", "hero", "heron "]) {
      rerender({ text });
      act(() => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 50));
    }
    expect(asked).toEqual([]);
    expect(result.current).toMatchObject({ active: true, status: "loading", results: [], stale: false });
    act(() => vi.advanceTimersByTime(60));
    await waitFor(() => expect(asked).toEqual(["heron"]));
    await act(async () => answer("heron", [hit(1, "Herons")]));
    await waitFor(() => expect(result.current.status).toBe("ready"));
    expect(titles(result)).toEqual(["Herons"]);
    expect(result.current.query).toBe("heron");
  });

  it("never shows a late answer for an older query, and keeps old results until the new ones come", async () => {
    const { result, rerender } = setup();
    rerender({ text: "cat" });
    await waitFor(() => expect(asked).toEqual(["cat"]));
    await act(async () => answer("cat", [hit(1, "Cats")]));
    await waitFor(() => expect(titles(result)).toEqual(["Cats"]));

    rerender({ text: "catapult" });
    // The previous results stay, marked stale, while the new query is asked.
    expect(result.current).toMatchObject({ status: "loading", stale: true, query: "cat" });
    expect(titles(result)).toEqual(["Cats"]);
    await waitFor(() => expect(asked).toEqual(["cat", "catapult"]));

    rerender({ text: "catalog" });
    await waitFor(() => expect(asked).toEqual(["cat", "catapult", "catalog"]));
    await act(async () => answer("catalog", [hit(3, "Catalog")]));
    await waitFor(() => expect(titles(result)).toEqual(["Catalog"]));
    // The slow answer for "catapult" arrives last: nothing changes on screen.
    await act(async () => answer("catapult", [hit(2, "Catapult")]));
    await new Promise((r) => setTimeout(r, 50));
    expect(titles(result)).toEqual(["Catalog"]);
    expect(result.current).toMatchObject({ status: "ready", stale: false, query: "catalog" });
  });

  it("clears at once, and reports a failure that Retry recovers from", async () => {
    const { result, rerender } = setup();
    rerender({ text: "zebra" });
    await waitFor(() => expect(asked).toEqual(["zebra"]));
    await act(async () => answer("zebra", [], 500));
    await waitFor(() => expect(result.current.status).toBe("error"));
    expect(result.current.results).toEqual([]);

    act(() => result.current.retry());
    await waitFor(() => expect(asked).toEqual(["zebra", "zebra"]));
    await act(async () => answer("zebra", [hit(5, "Zebra crossing")]));
    await waitFor(() => expect(titles(result)).toEqual(["Zebra crossing"]));

    rerender({ text: "" });
    expect(result.current).toMatchObject({ active: false, status: "idle", results: [] });
  });
});
