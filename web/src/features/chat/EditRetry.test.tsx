import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage, ImagePart } from "@/api/types";
import { modelChosen } from "@/store/uiSlice";
import { ADA, BrowserRequest, chatConversation, chatMessage, renderWithApp, seededChatStore } from "@/test/app";
import { model, provider } from "@/test/fixtures";
import { ChatView } from "./ChatView";

const IMG: ImagePart = { media_type: "image/png", data: btoa("pixels") };

/** A finished message with its `images` (the field is always set, undefined when there are none). */
const message = (
  id: string,
  role: "user" | "assistant",
  content: string,
  parent: string | null,
  images?: ImagePart[],
) => chatMessage(id, role, content, parent, { images });

/** u1 (image) → a2 → u3 (image) → a4, or the `messages` given. */
function renderChat(opts: { textOnly?: boolean; messages?: ChatMessage[]; imagesBefore?: boolean } = {}) {
  const conversation = chatConversation(
    "Pictures",
    opts.messages ?? [
      message("1", "user", "What is this?", null, [IMG]),
      message("2", "assistant", "Stripes.", "1"),
      message("3", "user", "And this one?", "2", [IMG]),
      message("4", "assistant", "Dots.", "3"),
    ],
    { has_more: opts.imagesBefore ?? false, images_before: opts.imagesBefore ?? false },
  );
  const textModel = model("mistral-small-latest", "mistral", {
    display_name: "Mistral Small",
    capabilities: { vision: false, tools: true, streaming: true, reasoning: false },
  });
  const store = seededChatStore({
    conversation,
    user: ADA,
    models: [model("claude-sonnet-4-6", "claude", { is_default: true }), textModel],
    providers: [provider("claude"), provider("mistral")],
  });
  if (opts.textOnly) {
    store.dispatch(modelChosen({ conversationId: "1", model: "mistral-small-latest", provider: "mistral" }));
  }
  renderWithApp(<ChatView conversationId="1" />, { store });
}

/** Chat requests answer with the next of `answers`; every other request stays pending. */
function mockChat(...answers: (() => Response)[]) {
  const bodies: Record<string, unknown>[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.includes("/api/chat/stream")) {
        bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
        const next = answers[Math.min(bodies.length, answers.length) - 1];
        return Promise.resolve(next ? next() : new Response("", { status: 500 }));
      }
      return new Promise<Response>(() => {});
    }),
  );
  return bodies;
}

const refusal = (status: number, code: string, msg: string) => () =>
  new Response(JSON.stringify({ error: { code, message: msg } }), {
    status,
    headers: { "Content-Type": "application/json" },
  });

/** The answer was created (the turn is saved), then the provider failed. */
const startedThenFailed = (userId: number, answerId: number) => () =>
  new Response(
    [
      `event: start\ndata: ${JSON.stringify({ conversation_id: 1, user_message_id: userId, assistant_message_id: answerId, provider: "claude", model: "claude-sonnet-4-6" })}\n\n`,
      `event: error\ndata: ${JSON.stringify({ code: "overloaded", message: "Claude is overloaded", retryable: true, message_id: answerId })}\n\n`,
    ].join(""),
    { status: 200, headers: { "Content-Type": "text/event-stream" } },
  );

const editButtons = () => screen.getAllByRole("button", { name: "Edit" });

beforeEach(() => {
  localStorage.clear();
  vi.stubGlobal("Request", BrowserRequest);
});
afterEach(() => vi.unstubAllGlobals());

describe("a text-only model and a chat with images", () => {
  it("the composer says so calmly and will not send", async () => {
    mockChat();
    renderChat({ textOnly: true });
    const notice = await screen.findByTestId("history-vision-notice");
    expect(notice).toHaveTextContent("This chat has images that Mistral Small can't read — pick a model with vision.");
    expect(notice).toHaveAttribute("role", "status");
    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "Hello?" } });
    expect(screen.getByRole("button", { name: "Send message" })).toBeDisabled();
  });

  it("no notice with a vision model, nor when the branch holds no image", async () => {
    mockChat();
    renderChat({ messages: [message("1", "user", "Hi", null), message("2", "assistant", "Hello.", "1")], textOnly: true });
    fireEvent.change(await screen.findByTestId("composer-input"), { target: { value: "Hello?" } });
    expect(screen.queryByTestId("history-vision-notice")).toBeNull();
    expect(screen.getByRole("button", { name: "Send message" })).toBeEnabled();
  });

  it("images older than the loaded page count too (the server sends the whole branch)", async () => {
    mockChat();
    renderChat({
      messages: [message("9", "user", "Later", "8"), message("10", "assistant", "Sure.", "9")],
      imagesBefore: true,
      textOnly: true,
    });
    expect(await screen.findByTestId("history-vision-notice")).toBeInTheDocument();
  });

  it("editing a message with images: the same notice, Save & submit off until the images are removed", async () => {
    const bodies = mockChat(refusal(500, "unavailable", "later"));
    renderChat({
      messages: [message("1", "user", "What is this?", null, [IMG]), message("2", "assistant", "Stripes.", "1")],
      textOnly: true,
    });
    fireEvent.click((await screen.findAllByRole("button", { name: "Edit" }))[0] as HTMLElement);
    const box = screen.getByTestId("edit-box");
    expect(within(box).getByTestId("edit-vision-notice")).toHaveTextContent(
      "Mistral Small can't read images — pick a model with vision or remove them.",
    );
    const save = within(box).getByRole("button", { name: "Save & submit" });
    expect(save).toBeDisabled();
    fireEvent.click(within(box).getByRole("button", { name: "Remove image 1" }));
    expect(within(box).queryByTestId("edit-vision-notice")).toBeNull();
    expect(save).toBeEnabled();
    fireEvent.click(save);
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ edit_message_id: 1, content: "What is this?", model: "mistral-small-latest" });
    expect(bodies[0]).not.toHaveProperty("attachments");
  });

  it("editing a later message: images before it block the edit whatever is kept", async () => {
    mockChat();
    renderChat({ textOnly: true });
    await screen.findByTestId("history-vision-notice");
    fireEvent.click(editButtons()[1] as HTMLElement);
    const box = screen.getByTestId("edit-box");
    fireEvent.click(within(box).getByRole("button", { name: "Remove image 1" }));
    expect(within(box).getByTestId("edit-vision-notice")).toHaveTextContent("This chat has images that Mistral Small can't read");
    expect(within(box).getByRole("button", { name: "Save & submit" })).toBeDisabled();
  });
});

describe("a failed edit or regenerate", () => {
  it("a refused edit stays open with the edited text, its images and the reason; submitting again is an edit", async () => {
    const bodies = mockChat(refusal(400, "capability_unsupported", "claude-sonnet-4-6 is busy"), refusal(503, "unavailable", "Down"));
    renderChat();
    fireEvent.click((await screen.findAllByRole("button", { name: "Edit" }))[1] as HTMLElement);
    fireEvent.change(screen.getByRole("textbox", { name: "Edit" }), { target: { value: "And that one?" } });
    fireEvent.click(screen.getByRole("button", { name: "Save & submit" }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({ edit_message_id: 3, content: "And that one?" });

    const box = await screen.findByTestId("edit-box");
    expect(within(box).getByRole("textbox", { name: "Edit" })).toHaveValue("And that one?");
    expect(within(box).getByRole("button", { name: "Remove image 1" })).toBeInTheDocument();
    expect(within(box).getByRole("alert")).toHaveTextContent("claude-sonnet-4-6 is busy");
    // Not retryable (a 400): no Retry, but Save & submit tries the edit again.
    expect(within(box).queryByRole("button", { name: "Retry" })).toBeNull();
    // The rest of the conversation is back, and the error is not repeated below it.
    expect(screen.getByText("Dots.")).toBeInTheDocument();
    expect(screen.queryByTestId("live-answer")).toBeNull();

    fireEvent.click(within(box).getByRole("button", { name: "Save & submit" }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toMatchObject({ edit_message_id: 3, content: "And that one?", attachments: [{ data: IMG.data }] });
    // A 503 is retryable: the box offers Retry, which is an edit again.
    const again = await screen.findByTestId("edit-box");
    fireEvent.click(within(again).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(bodies).toHaveLength(3));
    expect(bodies[2]).toMatchObject({ edit_message_id: 3, content: "And that one?" });
  });

  it("an edit whose answer started then failed: Retry asks a new answer, never re-sends the question", async () => {
    const bodies = mockChat(startedThenFailed(12, 13), startedThenFailed(12, 14));
    renderChat();
    fireEvent.click((await screen.findAllByRole("button", { name: "Edit" }))[1] as HTMLElement);
    fireEvent.change(screen.getByRole("textbox", { name: "Edit" }), { target: { value: "And that one?" } });
    fireEvent.click(screen.getByRole("button", { name: "Save & submit" }));
    fireEvent.click(await screen.findByRole("button", { name: "Retry" }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toEqual({ model: "claude-sonnet-4-6", provider: "claude", conversation_id: 1, regenerate_message_id: 13 });
  });

  it("a refused regenerate is retried as a regenerate of the same answer", async () => {
    const bodies = mockChat(refusal(503, "unavailable", "Down for a moment"), refusal(503, "unavailable", "Still down"));
    renderChat();
    const regenerate = await screen.findAllByRole("button", { name: "Regenerate" });
    fireEvent.click(regenerate[1] as HTMLElement);
    fireEvent.click(await screen.findByRole("button", { name: "Retry" }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[0]).toMatchObject({ regenerate_message_id: 4 });
    expect(bodies[1]).toEqual({ model: "claude-sonnet-4-6", provider: "claude", conversation_id: 1, regenerate_message_id: 4 });
  });
});
