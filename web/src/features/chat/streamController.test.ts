import { waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeStore } from "@/store";
import { BrowserRequest } from "@/test/app";
import { isStreaming, sendMessage, stopStream } from "./streamController";

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A server whose chat stream stays open until the test writes its last frames (or aborts). */
function openStream() {
  const encoder = new TextEncoder();
  let push!: (text: string) => void;
  let close!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      push = (text) => c.enqueue(encoder.encode(text));
      close = () => c.close();
    },
  });
  const fetch = vi.fn((_url: RequestInfo | URL, init?: RequestInit) => {
    init?.signal?.addEventListener("abort", () => close());
    return Promise.resolve(new Response(body, { headers: { "content-type": "text/event-stream" } }));
  });
  return { fetch, push, close };
}

const send = (conversationId: string | null) =>
  sendMessage({ conversationId, content: "Hi", model: "claude-sonnet-4-6", provider: "claude" });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("each store owns its live streams", () => {
  it("a stream open in one store is not open in another", async () => {
    const server = openStream();
    vi.stubGlobal("Request", BrowserRequest);
    vi.stubGlobal("fetch", server.fetch);
    const a = makeStore();
    const b = makeStore();
    const done = a.dispatch(send("1"));
    server.push(frame("start", { conversation_id: 1, user_message_id: 2, assistant_message_id: 3 }));
    server.push(frame("delta", { text: "Hello" }));
    await waitFor(() => expect(a.getState().stream.byConversation["1"]?.text).toBe("Hello"));

    expect(a.dispatch(isStreaming("1"))).toBe(true);
    expect(b.dispatch(isStreaming("1"))).toBe(false);
    expect(b.getState().stream.byConversation["1"]).toBeUndefined();

    // Stopping "1" in the other store touches nothing here: no stop request, the text streams on.
    await b.dispatch(stopStream("1"));
    expect(server.fetch).toHaveBeenCalledTimes(1);
    server.push(frame("delta", { text: " there" }));
    server.push(frame("done", { status: "complete", message_id: 3 }));
    server.close();
    expect((await done).outcome).toBe("answered");
    expect(a.getState().stream.byConversation["1"]).toMatchObject({ text: "Hello there", phase: "done" });
    expect(a.dispatch(isStreaming("1"))).toBe(false);
  });

  it("a new chat is filed under its draft key, then under the id the server gives it", async () => {
    const server = openStream();
    vi.stubGlobal("Request", BrowserRequest);
    vi.stubGlobal("fetch", server.fetch);
    const store = makeStore();
    const named: string[] = [];
    const done = store.dispatch(
      sendMessage({ conversationId: null, content: "Hi", model: "m", provider: "claude" }, (id) => named.push(id)),
    );
    await waitFor(() => expect(Object.keys(store.getState().stream.byConversation)).toHaveLength(1));
    const draft = Object.keys(store.getState().stream.byConversation)[0] ?? "";
    expect(draft).toMatch(/^draft-/);
    expect(store.dispatch(isStreaming(draft))).toBe(true);
    server.push(frame("start", { conversation_id: 9, user_message_id: 1, assistant_message_id: 2 }));
    await waitFor(() => expect(named).toEqual(["9"]));
    expect(store.dispatch(isStreaming("9"))).toBe(true);
    expect(store.dispatch(isStreaming(draft))).toBe(false);
    server.push(frame("done", { status: "complete", message_id: 2 }));
    server.close();
    expect(await done).toEqual({ outcome: "answered", key: "9" });
  });

  it("a refusal before the answer starts comes back with the server's words", async () => {
    vi.stubGlobal("Request", BrowserRequest);
    vi.stubGlobal(
      "fetch",
      vi.fn(() =>
        Promise.resolve(
          new Response(JSON.stringify({ error: { code: "vision_unsupported", message: "Cannot read images" } }), {
            status: 400,
            headers: { "content-type": "application/json" },
          }),
        ),
      ),
    );
    const store = makeStore();
    const result = await store.dispatch(send("1"));
    expect(result).toEqual({
      outcome: "refused",
      key: "1",
      error: { message: "Cannot read images", retryable: false },
    });
    expect(store.getState().stream.byConversation["1"]?.error).toEqual({
      code: "vision_unsupported",
      message: "Cannot read images",
      retryable: false,
    });
  });
});
