import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { Provider } from "react-redux";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage } from "@/api/types";
import { makeStore } from "@/store";
import { chatMessage, json, stubServer } from "@/test/app";
import { onReturnedDraft, type ReturnedDraft } from "../drafts";
import { useChatSend, type ChatSendOptions } from "./useChatSend";
import type { LiveTurn } from "./liveStream";

const saved: ChatMessage[] = [chatMessage("1", "user", "Hi", null), chatMessage("2", "assistant", "Hello", "1")];
const refusal = () => json({ error: { code: "rate_limited", message: "Slow down" } }, 429);

function setup(over: Partial<ChatSendOptions> = {}) {
  const store = makeStore();
  const wrapper = ({ children }: { children: ReactNode }) => (
    <Provider store={store}>
      <MemoryRouter>{children}</MemoryRouter>
    </Provider>
  );
  const options: ChatSendOptions = {
    conversationId: "1",
    liveKey: null,
    target: { model: "claude-sonnet-4-6", provider: "claude" },
    reasoning: { current: undefined },
    composerKey: "ada:1",
    messages: saved,
    ...over,
  };
  return { store, ...renderHook(() => useChatSend(options), { wrapper }) };
}

/** The JSON body of the n-th chat request. */
const sentBody = (n = 0) =>
  JSON.parse(String(vi.mocked(fetch).mock.calls.filter(([u]) => String(u).includes("/api/chat"))[n]?.[1]?.body)) as Record<
    string,
    unknown
  >;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("useChatSend", () => {
  it("gives a refused composer message back to the composer, images and files included", async () => {
    stubServer(refusal);
    const back: ReturnedDraft[] = [];
    const stop = onReturnedDraft("ada:1", (d) => back.push(d));
    const { result } = setup();
    const file = { name: "a.py", media_type: "text/x-python", text: "print(1)" };
    act(() => result.current.send({ content: "Again?", files: [file] }));
    await waitFor(() => expect(back).toEqual([{ text: "Again?", images: [], files: [file] }]));
    expect(result.current.returnedEdit).toBeNull();
    stop();
  });

  it("brings a refused edit back on screen with its text and the reason", async () => {
    stubServer(refusal);
    const back: ReturnedDraft[] = [];
    const stop = onReturnedDraft("ada:1", (d) => back.push(d));
    const { result } = setup();
    act(() => result.current.send({ content: "Hi there", editMessageId: "1" }));
    await waitFor(() =>
      expect(result.current.returnedEdit).toMatchObject({
        messageId: "1",
        text: "Hi there",
        error: "Slow down",
        retryable: true,
      }),
    );
    expect(sentBody()).toMatchObject({ edit_message_id: 1, content: "Hi there" });
    expect(back).toEqual([]);
    act(() => result.current.clearReturned());
    expect(result.current.returnedEdit).toBeNull();
    stop();
  });

  it("sends nothing while no model is chosen", () => {
    stubServer(refusal);
    const { result } = setup({ target: null });
    act(() => result.current.send({ content: "Hi" }));
    expect(fetch).not.toHaveBeenCalled();
  });

  it("retries a failed turn as it was asked; a send refused into the composer is left to it", async () => {
    stubServer(refusal);
    const { result } = setup();
    const failed = (over: Partial<LiveTurn>): LiveTurn => ({
      key: "1",
      phase: "error",
      assistantMessageId: null,
      userMessageId: null,
      pendingUserText: null,
      pendingImages: null,
      pendingFiles: null,
      replaces: null,
      kind: "send",
      ...over,
    });
    let asked = false;
    act(() => {
      asked = result.current.retry(failed({ kind: "regenerate", replaces: "2" }));
    });
    expect(asked).toBe(true);
    await waitFor(() => expect(sentBody(0)).toMatchObject({ regenerate_message_id: 2 }));
    act(() => {
      asked = result.current.retry(failed({ kind: "edit", replaces: "1", pendingUserText: "Hey" }));
    });
    expect(asked).toBe(true);
    await waitFor(() => expect(sentBody(1)).toMatchObject({ edit_message_id: 1, content: "Hey" }));
    // Its text went back into the composer (nothing pending here): the composer sends it.
    act(() => {
      asked = result.current.retry(failed({ kind: "send" }));
    });
    expect(asked).toBe(false);
  });
});
