import { act, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { User } from "@/api/types";
import { streamOpened, streamStarted, textAppended } from "@/store/streamSlice";
import { chatConversation, chatMessage, renderWithApp, seededChatStore } from "@/test/app";
import { messageRenderStats } from "./blocks";
import { ChatView } from "./ChatView";

function seededStore() {
  const conversation = chatConversation("History", [
    chatMessage("1", "user", "First question", null),
    chatMessage("2", "assistant", "A **long** first answer with `code`.", "1"),
    chatMessage("3", "user", "Second question", "2"),
  ]);
  const user: User = {
    id: 1,
    username: "ada",
    email: "ada@example.com",
    display_name: "Ada",
    is_admin: false,
    preferences: { theme: "system" },
    created_at: "2026-01-01T00:00:00Z",
  };
  return seededChatStore({ conversation, user });
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
    renderWithApp(<ChatView conversationId="1" />, { store });
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
    renderWithApp(<ChatView conversationId="1" />, { store });
    expect(await screen.findByText("An edited first question")).toBeInTheDocument();
    expect(screen.queryByText("First question")).toBeNull();
    expect(screen.queryByText("Second question")).toBeNull();
    act(() => {
      store.dispatch(textAppended({ key: "1", text: "A fresh answer" }));
    });
    expect(screen.getByTestId("live-answer")).toHaveTextContent("A fresh answer");
  });
});
