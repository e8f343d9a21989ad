import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { Provider } from "react-redux";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage } from "@/api/types";
import { makeStore } from "@/store";
import { streamEnded, streamOpened } from "@/store/streamSlice";
import { chatMessage, stubServer } from "@/test/app";
import { useStreamUpkeep } from "./useStreamUpkeep";
import { useLiveTurn } from "./liveStream";

function setup(messages: ChatMessage[], store = makeStore()) {
  const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
  renderHook(
    () => {
      const live = useLiveTurn("1");
      useStreamUpkeep("1", messages, live, false);
    },
    { wrapper },
  );
  return store;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("useStreamUpkeep", () => {
  it("follows an answer the server is still writing after a reload", async () => {
    stubServer(
      () =>
        new Response('event: delta\ndata: {"text":"lo"}\n\nevent: done\ndata: {"status":"complete"}\n\n', {
          headers: { "content-type": "text/event-stream" },
        }),
    );
    const store = setup([chatMessage("1", "user", "Hi", null), chatMessage("2", "assistant", "Hel", "1", { status: "streaming" })]);
    await waitFor(() => expect(store.getState().stream.byConversation["1"]?.phase).toBe("done"));
    expect(String(vi.mocked(fetch).mock.calls[0]?.[0])).toBe("/api/chat/2/stream");
    expect(store.getState().stream.byConversation["1"]?.text).toBe("lo");
  });

  it("drops the finished live answer once the saved conversation holds it", async () => {
    stubServer(() => new Response("{}"));
    const store = makeStore();
    store.dispatch(streamOpened({ key: "1", pendingUserText: null, model: "m", provider: "claude", assistantMessageId: "2" }));
    store.dispatch(streamEnded({ key: "1", phase: "done", at: 1 }));
    setup([chatMessage("1", "user", "Hi", null), chatMessage("2", "assistant", "Hello", "1")], store);
    await waitFor(() => expect(store.getState().stream.byConversation["1"]).toBeUndefined());
    expect(fetch).not.toHaveBeenCalled();
  });

  it("keeps a finished live answer the saved conversation does not hold yet", () => {
    const store = makeStore();
    store.dispatch(streamOpened({ key: "1", pendingUserText: null, model: "m", provider: "claude", assistantMessageId: "3" }));
    store.dispatch(streamEnded({ key: "1", phase: "done", at: 1 }));
    setup([chatMessage("1", "user", "Hi", null), chatMessage("2", "assistant", "Hello", "1")], store);
    expect(store.getState().stream.byConversation["1"]?.phase).toBe("done");
  });
});
