import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationParams, ModelInfo } from "@/api/types";
import { modelChosen } from "@/store/uiSlice";
import { ADA, chatConversation, chatMessage, json, renderWithApp, seededChatStore, stubServer } from "@/test/app";
import { model, provider } from "@/test/fixtures";
import { ChatView } from "../ChatView";
import { ConversationSettingsDialog } from "../ConversationSettingsDialog";

const SONNET = model("claude-sonnet-4-6", "claude", {
  is_default: true,
  capabilities: { vision: true, tools: true, streaming: true, reasoning: true },
});
const SMALL = model("mistral-small-latest", "mistral", { display_name: "Mistral Small" });

/** Chat requests fail at once (500: nothing is written); the bodies are what we check. */
function captureChats() {
  const bodies: Record<string, unknown>[] = [];
  stubServer((input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.includes("/api/chat/stream")) {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return new Response("", { status: 500 });
    }
    return new Promise<Response>(() => {});
  });
  return bodies;
}

function renderChat({
  params = {},
  conversationId = "1",
  models = [SONNET, SMALL],
}: { params?: ConversationParams; conversationId?: string | null; models?: ModelInfo[] } = {}) {
  const store = seededChatStore({
    conversation: chatConversation(
      "Haiku",
      [chatMessage("1", "user", "A haiku?", null), chatMessage("2", "assistant", "Old pond.", "1")],
      { params },
    ),
    user: ADA,
    models,
    providers: [provider("claude"), provider("mistral")],
  });
  renderWithApp(<ChatView conversationId={conversationId} />, { store });
  return store;
}

const toggle = () => screen.findByRole("button", { name: "Extended thinking" });

async function sendText(text: string) {
  const box = await screen.findByTestId("composer-input");
  fireEvent.change(box, { target: { value: text } });
  fireEvent.keyDown(box, { key: "Enter" });
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe("the Think toggle", () => {
  it("opens as the conversation saved it and sends its effort; switched off it sends off", async () => {
    const bodies = captureChats();
    renderChat({ params: { reasoning: "high" } });
    const button = await toggle();
    expect(button).toHaveAttribute("aria-pressed", "true");
    expect(button).toHaveTextContent("Think");
    await sendText("Another one");
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ content: "Another one", reasoning: "high" });

    fireEvent.click(await toggle());
    expect(await toggle()).toHaveAttribute("aria-pressed", "false");
    await sendText("And a third");
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toMatchObject({ content: "And a third", reasoning: "off" });
  });

  it("is sent with a regenerate and an edit too", async () => {
    const bodies = captureChats();
    renderChat({ params: { reasoning: "low" } });
    await toggle();
    fireEvent.click(screen.getByRole("button", { name: "Regenerate" }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ regenerate_message_id: 2, reasoning: "low" });
    await waitFor(() => expect(screen.getByRole("button", { name: "Edit" })).toBeEnabled());
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    fireEvent.change(screen.getByRole("textbox", { name: "Edit" }), { target: { value: "A limerick?" } });
    fireEvent.click(screen.getByRole("button", { name: "Save & submit" }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toMatchObject({ edit_message_id: 1, content: "A limerick?", reasoning: "low" });
  });

  it("is keyboard operable and a saved chat without a setting starts off, at medium effort", async () => {
    const bodies = captureChats();
    const user = userEvent.setup();
    renderChat();
    const button = await toggle();
    expect(button).toHaveAttribute("aria-pressed", "false");
    button.focus();
    await user.keyboard("{Enter}");
    expect(await toggle()).toHaveAttribute("aria-pressed", "true");
    await sendText("Think about it");
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ reasoning: "medium" });
  });

  it("is hidden for a model that cannot think, whose requests carry no reasoning", async () => {
    const bodies = captureChats();
    const store = renderChat({ params: { reasoning: "high" } });
    await toggle();
    store.dispatch(modelChosen({ conversationId: "1", model: "mistral-small-latest", provider: "mistral" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Extended thinking" })).toBeNull());
    await sendText("Plain answer please");
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ model: "mistral-small-latest", content: "Plain answer please" });
    expect(bodies[0]).not.toHaveProperty("reasoning");
  });

  it("a new chat starts with the last choice, remembered across page loads", async () => {
    localStorage.setItem("polychat.thinking", JSON.stringify({ on: true, effort: "high" }));
    const bodies = captureChats();
    renderChat({ conversationId: null });
    expect(await toggle()).toHaveAttribute("aria-pressed", "true");
    await sendText("Start thinking");
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ content: "Start thinking", reasoning: "high" });
    expect(bodies[0]).not.toHaveProperty("conversation_id");
    fireEvent.click(await toggle());
    expect(await toggle()).toHaveAttribute("aria-pressed", "false");
    expect(JSON.parse(localStorage.getItem("polychat.thinking") ?? "{}")).toEqual({ on: false, effort: "high" });
  });
});

describe("Thinking effort in conversation settings", () => {
  function serve(params: ConversationParams) {
    const puts: unknown[] = [];
    stubServer(async (input) => {
      const req = input instanceof Request ? input : new Request(String(input));
      const path = new URL(req.url, "http://localhost").pathname;
      if (path === "/api/conversations/1" && req.method === "GET") {
        return json({ id: 1, title: "Haiku", system_prompt: null, params, messages: [] });
      }
      if (path === "/api/conversations/1" && req.method === "PUT") {
        puts.push(await req.json());
        return json({ id: 1 });
      }
      return new Promise<Response>(() => {});
    });
    return puts;
  }

  async function chooseEffort(label: string) {
    const user = userEvent.setup();
    renderWithApp(<ConversationSettingsDialog conversationId="1" onOpenChange={() => {}} />);
    const dialog = await screen.findByRole("dialog", { name: "Conversation settings" });
    const select = await within(dialog).findByRole("combobox", { name: "Thinking effort" });
    const before = (select as HTMLSelectElement).value;
    await user.selectOptions(select, label);
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    return before;
  }

  it("a thinking chat shows its effort and saves the new one as its setting", async () => {
    const puts = serve({ temperature: 0.5, reasoning: "high" });
    expect(await chooseEffort("Low")).toBe("high");
    await waitFor(() => expect(puts).toEqual([{ system_prompt: null, params: { temperature: 0.5, reasoning: "low" } }]));
  });

  it("a chat with Think off stays off; the effort is kept for when it is switched on", async () => {
    const puts = serve({ reasoning: "off" });
    expect(await chooseEffort("High")).toBe("medium");
    await waitFor(() => expect(puts).toEqual([{ system_prompt: null, params: { reasoning: "off" } }]));
    expect(JSON.parse(localStorage.getItem("polychat.thinking") ?? "{}")).toMatchObject({ effort: "high" });
  });
});
