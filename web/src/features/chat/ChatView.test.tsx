import { act, render, screen } from "@testing-library/react";
import { Provider } from "react-redux";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { polychatApi } from "@/api/endpoints";
import type { ChatMessage, Conversation, User } from "@/api/types";
import { makeStore } from "@/store";
import { streamOpened, streamStarted, textAppended } from "@/store/streamSlice";
import { model, provider } from "@/test/fixtures";
import { messageRenderStats } from "./blocks";
import { ChatView } from "./ChatView";

function message(id: string, role: "user" | "assistant", content: string, parent: string | null): ChatMessage {
  return {
    id,
    parent_id: parent,
    role,
    content,
    provider: role === "assistant" ? "claude" : null,
    model: role === "assistant" ? "claude-sonnet-4-6" : null,
    status: "complete",
    error: null,
    created_at: null,
    siblings: [id],
    usage: null,
  };
}

function seededStore() {
  const store = makeStore();
  const conversation: Conversation = {
    id: "1",
    title: "History",
    provider: "claude",
    model: "claude-sonnet-4-6",
    created_at: null,
    updated_at: null,
    messages: [
      message("1", "user", "First question", null),
      message("2", "assistant", "A **long** first answer with `code`.", "1"),
      message("3", "user", "Second question", "2"),
    ],
  };
  const user: User = {
    id: 1,
    username: "ada",
    email: "ada@example.com",
    display_name: "Ada",
    is_admin: false,
    preferences: {},
  };
  const upsert = polychatApi.util.upsertQueryData;
  void store.dispatch(upsert("conversation", "1", conversation));
  void store.dispatch(upsert("profile", undefined, user));
  void store.dispatch(
    upsert("models", undefined, { models: [model("claude-sonnet-4-6", "claude", { is_default: true })], errors: {} }),
  );
  void store.dispatch(upsert("providers", undefined, [provider("claude")]));
  return store;
}

describe("ChatView while an answer streams", () => {
  it("re-renders the live answer only, never the finished messages", async () => {
    const store = seededStore();
    store.dispatch(streamOpened({ key: "1", pendingUserText: null, model: "claude-sonnet-4-6", provider: "claude" }));
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
    render(
      <Provider store={store}>
        <MemoryRouter>
          <ChatView conversationId="1" />
        </MemoryRouter>
      </Provider>,
    );
    expect(await screen.findByText("Second question")).toBeInTheDocument();
    expect(screen.getByTestId("stop-button")).toBeInTheDocument();
    const before = messageRenderStats.messages;
    for (let i = 0; i < 50; i++) {
      act(() => {
        store.dispatch(textAppended({ key: "1", text: `tok${i} ` }));
      });
    }
    expect(screen.getByTestId("live-answer")).toHaveTextContent("tok0 tok1 tok2");
    expect(screen.getByTestId("live-answer")).toHaveTextContent("tok49");
    expect(messageRenderStats.messages - before).toBe(0);
  });
});

describe("ChatView while an edit streams", () => {
  it("hides the replaced branch, even when the first message is the one edited", async () => {
    const store = seededStore();
    store.dispatch(
      streamOpened({
        key: "1",
        pendingUserText: "An edited first question",
        replaces: "1",
        model: "claude-sonnet-4-6",
        provider: "claude",
      }),
    );
    render(
      <Provider store={store}>
        <MemoryRouter>
          <ChatView conversationId="1" />
        </MemoryRouter>
      </Provider>,
    );
    expect(await screen.findByText("An edited first question")).toBeInTheDocument();
    expect(screen.queryByText("First question")).toBeNull();
    expect(screen.queryByText("Second question")).toBeNull();
    act(() => {
      store.dispatch(textAppended({ key: "1", text: "A fresh answer" }));
    });
    expect(screen.getByTestId("live-answer")).toHaveTextContent("A fresh answer");
  });
});
