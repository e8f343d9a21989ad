import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ADA, chatConversation, chatMessage, renderWithApp, seededChatStore } from "@/test/app";
import { ChatView } from "./ChatView";

const PNG = btoa("pixels");

function seededStore() {
  const conversation = chatConversation("Pictures", [
    chatMessage("1", "user", "What is this?", null, { images: [{ media_type: "image/png", data: PNG }] }),
    chatMessage("2", "assistant", "Stripes.", "1"),
  ]);
  return seededChatStore({ conversation, user: ADA });
}

/** Chat requests answer with `answer`; every other request stays pending (cached data stays). */
function mockFetch(answer: () => Response) {
  const bodies: Record<string, unknown>[] = [];
  const fetchMock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.includes("/api/chat/stream")) {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return Promise.resolve(answer());
    }
    return new Promise<Response>(() => {});
  });
  vi.stubGlobal("fetch", fetchMock);
  return bodies;
}

function renderChat() {
  renderWithApp(<ChatView conversationId="1" />, { store: seededStore() });
}

beforeEach(() => {
  localStorage.clear();
  // jsdom cannot decode images; a small one is only measured, never redrawn.
  vi.stubGlobal("createImageBitmap", () => Promise.resolve({ width: 8, height: 8, close: () => {} }));
});
afterEach(() => vi.unstubAllGlobals());

describe("sending images", () => {
  it("a saved message shows its image; editing it sends the image again with the new text", async () => {
    const bodies = mockFetch(() => new Response("", { status: 500 }));
    renderChat();
    const open = await screen.findByRole("button", { name: "Open image 1 of 1" });
    expect(open.querySelector("img")).toHaveAttribute("src", `data:image/png;base64,${PNG}`);
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    fireEvent.change(screen.getByRole("textbox", { name: "Edit" }), { target: { value: "And now?" } });
    fireEvent.click(screen.getByRole("button", { name: "Save & submit" }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({
      edit_message_id: 1,
      content: "And now?",
      attachments: [{ type: "image", media_type: "image/png", data: PNG }],
    });
  });

  it("a 400 before the answer starts: the error shows and the text and image are back in the composer", async () => {
    const bodies = mockFetch(
      () =>
        new Response(
          JSON.stringify({
            error: { code: "capability_unsupported", message: "claude-sonnet-4-6 cannot read images: pick a model with vision" },
          }),
          { status: 400, headers: { "Content-Type": "application/json" } },
        ),
    );
    renderChat();
    const box = await screen.findByTestId("composer-input");
    fireEvent.paste(box, {
      clipboardData: {
        files: [new File(["pixels"], "shot.png", { type: "image/png" })],
        types: ["Files"],
        getData: () => "",
      },
    });
    await waitFor(() => expect(screen.getByTestId("attachment-thumb")).toHaveAttribute("data-state", "ready"));
    fireEvent.change(box, { target: { value: "Describe it" } });
    fireEvent.click(screen.getByRole("button", { name: "Send message" }));

    expect(await screen.findByText(/cannot read images: pick a model with vision/)).toBeInTheDocument();
    expect(bodies[0]).toMatchObject({
      conversation_id: 1,
      content: "Describe it",
      attachments: [{ type: "image", media_type: "image/png", data: PNG }],
    });
    await waitFor(() => expect(screen.getByTestId("composer-input")).toHaveValue("Describe it"));
    expect(screen.getByTestId("attachment-thumb")).toHaveAttribute("data-state", "ready");
    // Not shown twice: the refused message is in the composer, not in a bubble above.
    expect(screen.getAllByText("Describe it")).toHaveLength(1);
  });
});
