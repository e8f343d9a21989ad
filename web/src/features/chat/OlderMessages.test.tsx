import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage } from "@/api/types";
import { chatConversation, renderWithApp, seededChatStore, stubServer } from "@/test/app";
import { ChatView } from "./ChatView";

const raw = (id: string, role: "user" | "assistant", content: string, parent: string | null) => ({
  id,
  parent_id: parent,
  role,
  content,
  provider: role === "assistant" ? "claude" : null,
  model: role === "assistant" ? "claude-sonnet-4-6" : null,
  status: "complete",
  created_at: null,
  sibling_ids: [id],
});

let seen: string[] = [];

beforeEach(() => {
  seen = [];
  stubServer((input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input), "http://localhost");
    seen.push(url.pathname + url.search);
    if (url.pathname === "/api/conversations/1" && url.searchParams.get("before") === "3") {
      const body = {
        id: "1",
        messages: [raw("1", "user", "The very first question", null), raw("2", "assistant", "An old answer", "1")],
        has_more: false,
      };
      return Promise.resolve(new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } }));
    }
    return Promise.resolve(new Response("{}", { status: 404 }));
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function message(id: string, role: "user" | "assistant", content: string, parent: string | null): ChatMessage {
  return { ...raw(id, role, content, parent), status: "complete", error: null, siblings: [id], usage: null };
}

describe("ChatView older messages", () => {
  it("loads the page before the first message above it, in order, then stops offering more", async () => {
    const conversation = chatConversation(
      "Long chat",
      [message("3", "user", "A recent question", "2"), message("4", "assistant", "A recent answer", "3")],
      { has_more: true },
    );
    renderWithApp(<ChatView conversationId="1" />, { store: seededChatStore({ conversation }) });
    const list = await screen.findByTestId("message-list");
    expect(within(list).getByText("A recent question")).toBeInTheDocument();
    expect(within(list).queryByText("The very first question")).toBeNull();

    await userEvent.setup().click(within(list).getByRole("button", { name: "Load earlier messages" }));
    await within(list).findByText("The very first question");
    const texts = ["The very first question", "An old answer", "A recent question", "A recent answer"];
    const order = texts.map((x) => within(list).getByText(x));
    for (let i = 1; i < order.length; i++) {
      expect(order[i - 1]?.compareDocumentPosition(order[i] as Node)).toBe(Node.DOCUMENT_POSITION_FOLLOWING);
    }
    expect(within(list).queryByRole("button", { name: "Load earlier messages" })).toBeNull();
    expect(seen).toContain("/api/conversations/1?limit=100&before=3");
  });
});
