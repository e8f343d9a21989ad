import { act, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { toConversationParams, toMessage, toModelsResult } from "@/api/views";
import { makeStore } from "@/store";
import streamReducer, {
  streamEnded,
  streamOpened,
  streamStarted,
  textAppended,
  thinkingAppended,
  type StreamState,
} from "@/store/streamSlice";
import { ADA, chatConversation, chatMessage, renderWithApp, seededChatStore } from "@/test/app";
import { messageOut, model } from "@/test/fixtures";
import { messageRenderStats, renderStats } from "../blocks";
import { ChatView } from "../ChatView";
import { sendMessage } from "../streamController";
import { thinkingRenderStats } from "./renderStats";

const open = (key = "1", timed = true) =>
  streamOpened({ key, pendingUserText: null, model: "claude-sonnet-4-6", provider: "claude", timed });

describe("the stream slice keeps thoughts per live answer", () => {
  const run = (actions: Parameters<typeof streamReducer>[1][]): StreamState =>
    actions.reduce(streamReducer, streamReducer(undefined, { type: "init" }));

  it("appends thoughts and times them from the first thought to the first answer text", () => {
    const s = run([
      open(),
      thinkingAppended({ key: "1", text: "Hmm. ", at: 1_000 }),
      thinkingAppended({ key: "1", text: "Let me count.", at: 1_500 }),
      textAppended({ key: "1", text: "Five.", at: 13_300 }),
      textAppended({ key: "1", text: " Seven.", at: 14_000 }),
      streamEnded({ key: "1", phase: "done", at: 15_000 }),
    ]).byConversation["1"];
    expect(s?.thinking).toBe("Hmm. Let me count.");
    expect(s?.text).toBe("Five. Seven.");
    expect(s?.thinkingMs).toBe(12_300);
  });

  it("an answer that ends while thinking is timed to its end; after Stop nothing is added", () => {
    const s = run([
      open(),
      thinkingAppended({ key: "1", text: "Still weighing it", at: 2_000 }),
      streamEnded({ key: "1", phase: "stopped", at: 4_500 }),
      thinkingAppended({ key: "1", text: " and more", at: 5_000 }),
    ]).byConversation["1"];
    expect(s?.thinking).toBe("Still weighing it");
    expect(s?.thinkingMs).toBe(2_500);
  });

  it("a re-attach replays thoughts untimed: the length stays unknown", () => {
    const s = run([
      open("1", false),
      thinkingAppended({ key: "1", text: "Replayed thoughts", at: 1_000 }),
      textAppended({ key: "1", text: "Answer", at: 1_001 }),
    ]).byConversation["1"];
    expect(s?.thinking).toBe("Replayed thoughts");
    expect(s?.thinkingMs).toBeNull();
  });
});

describe("the server's shapes", () => {
  it("a saved answer's thinking part, the model's reasoning capability, the chat's setting", () => {
    const m = toMessage(
      messageOut(4, {
        content: "Five.",
        parts: [
          { v: 1, kind: "thinking", text: "Count: 5-7-5.", duration_ms: 12_300 },
          { v: 1, kind: "text", text: "Five." },
        ],
      }),
    );
    expect(m.thinking).toEqual({ text: "Count: 5-7-5.", duration_ms: 12_300 });
    expect(m.content).toBe("Five.");
    expect(toMessage(messageOut(5, { content: "Hi", parts: [{ v: 1, kind: "text", text: "Hi" }] })).thinking).toBeUndefined();
    expect(toMessage(messageOut(6, { parts: [{ v: 1, kind: "thinking", text: "x", duration_ms: null }] })).thinking).toEqual({
      text: "x",
      duration_ms: null,
    });
    const thinker = { ...model("m", "lab"), capabilities: { vision: false, tools: false, streaming: true, reasoning: true } };
    const listed = toModelsResult({ models: [thinker, model("n", "lab")], providers: [] }).models;
    expect(listed.map((x) => x.capabilities.reasoning)).toEqual([true, false]);
    expect(toConversationParams({ reasoning: "high" })).toEqual({ reasoning: "high" });
    expect(toConversationParams({ reasoning: "max" })).toEqual({});
  });
});

function liveChat() {
  const store = seededChatStore({
    conversation: chatConversation("Haiku", [
      chatMessage("1", "user", "A haiku?", null),
      chatMessage("2", "assistant", "Old pond, a frog.", "1", {
        thinking: { text: "Earlier thoughts", duration_ms: 4_000 },
      }),
      chatMessage("3", "user", "Another?", "2"),
    ]),
    user: ADA,
  });
  store.dispatch(open());
  store.dispatch(
    streamStarted({
      key: "1",
      conversationId: "1",
      userMessageId: "3",
      assistantMessageId: "4",
      provider: "claude",
      model: "claude-sonnet-4-6",
    }),
  );
  renderWithApp(<ChatView conversationId="1" />, { store });
  return store;
}

describe("ChatView while an answer thinks", () => {
  it("each thought re-renders the live thinking block alone; answer tokens leave it be", async () => {
    const store = liveChat();
    expect(await screen.findByText("Another?")).toBeInTheDocument();
    // The saved answer's thoughts are folded with their time.
    expect(screen.getByRole("button", { name: "Thought for 4 s" })).toHaveAttribute("aria-expanded", "false");
    const messages = messageRenderStats.messages;
    const blocks = renderStats.blocks;
    const thinkingBefore = thinkingRenderStats.blocks;
    for (let i = 0; i < 40; i++) {
      act(() => {
        store.dispatch(thinkingAppended({ key: "1", text: `idea${i} `, at: 10_000 + i }));
      });
    }
    const live = screen.getByTestId("live-answer");
    expect(screen.getByRole("button", { name: "Thinking…" })).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByTestId("live-answer")).toHaveTextContent("idea0 idea1 idea2");
    expect(live).toHaveTextContent("idea39");
    // One render per thought, of the thinking block only: no message, no Markdown block.
    expect(thinkingRenderStats.blocks - thinkingBefore).toBe(40);
    expect(messageRenderStats.messages - messages).toBe(0);
    expect(renderStats.blocks - blocks).toBe(0);

    act(() => {
      store.dispatch(textAppended({ key: "1", text: "Autumn ", at: 22_600 }));
    });
    // The answer started: folded, with the time from the first thought to the first word.
    const header = screen.getByRole("button", { name: "Thought for 13 s" });
    expect(header).toHaveAttribute("aria-expanded", "false");
    const afterFold = thinkingRenderStats.blocks;
    for (let i = 0; i < 30; i++) {
      act(() => {
        store.dispatch(textAppended({ key: "1", text: `word${i} ` }));
      });
    }
    expect(live).toHaveTextContent("word29");
    expect(thinkingRenderStats.blocks).toBe(afterFold);
    expect(messageRenderStats.messages - messages).toBe(0);
  });
});

describe("the thinking SSE event", () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => vi.unstubAllGlobals());

  it("streams into the live answer's thoughts, ahead of its text", async () => {
    const frames = [
      ["start", { conversation_id: 1, user_message_id: 3, assistant_message_id: 4, provider: "claude", model: "m" }],
      ["thinking", { text: "The user wants " }],
      ["thinking", { text: "a <b>haiku</b>." }],
      ["delta", { text: "Old pond" }],
      ["done", { status: "complete", message_id: 4 }],
    ] as const;
    const sse = frames.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
    vi.stubGlobal(
      "fetch",
      vi.fn(() => Promise.resolve(new Response(sse, { headers: { "content-type": "text/event-stream" } }))),
    );
    const store = makeStore();
    const result = await store.dispatch(
      sendMessage({ conversationId: "1", content: "A haiku?", model: "m", provider: "claude", reasoning: "high" }),
    );
    expect(result.outcome).toBe("answered");
    await waitFor(() => expect(store.getState().stream.byConversation["1"]?.text).toBe("Old pond"));
    const live = store.getState().stream.byConversation["1"];
    expect(live?.thinking).toBe("The user wants a <b>haiku</b>.");
    expect(live?.thinkingMs).not.toBeNull();
    const body = JSON.parse(String(vi.mocked(fetch).mock.calls[0]?.[1]?.body)) as Record<string, unknown>;
    expect(body.reasoning).toBe("high");
  });
});

