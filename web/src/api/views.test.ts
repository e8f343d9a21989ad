import { describe, expect, it } from "vitest";
import { conversationOut, messageOut } from "@/test/fixtures";
import { toConversation, toModelsResult } from "./views";

const capabilities = { vision: false, tools: false, streaming: true, reasoning: false };

describe("server answers to UI views", () => {
  it("keeps a conversation's images_before and has_more", () => {
    expect(toConversation(conversationOut(1, { has_more: true, images_before: true })).images_before).toBe(true);
    expect(toConversation(conversationOut(1)).images_before).toBe(false);
  });

  it("joins each model with its provider's list status", () => {
    const model = (id: string, provider: string) => ({
      id,
      provider,
      provider_display_name: provider,
      display_name: id,
      context_window: null,
      max_output_tokens: null,
      capabilities,
      is_default: false,
      available: true,
    });
    const group = (provider: string, status: "ok" | "error", error: string | null) => ({
      provider,
      display_name: provider,
      status,
      available: status === "ok",
      error,
    });
    const r = toModelsResult({
      models: [model("claude-sonnet-4-6", "claude"), model("llama3.2", "ollama")],
      providers: [group("claude", "ok", null), group("ollama", "error", "Cannot reach Ollama"), group("lab", "error", "401")],
    });
    expect(r.models.map((m) => [m.id, m.provider_status, m.provider_error])).toEqual([
      ["claude-sonnet-4-6", "ok", null],
      ["llama3.2", "error", "Cannot reach Ollama"],
    ]);
    expect(r.models[0]?.ignored_params).toEqual([]);
    expect(r.errors).toEqual({ ollama: "Cannot reach Ollama", lab: "401" });
  });

  it("reads messages with their siblings and string ids", () => {
    const c = toConversation(
      conversationOut(7, {
        title: "T",
        messages: [messageOut(3, { parent_id: 2, content: "Hi", status: "stopped", sibling_ids: [1, 3] })],
      }),
    );
    expect(c.id).toBe("7");
    expect(c.messages[0]).toMatchObject({ id: "3", parent_id: "2", status: "stopped", siblings: ["1", "3"] });
  });

  it("reads a message's image and file parts, dropping an image type it cannot render", () => {
    const m = toConversation(
      conversationOut(1, {
        messages: [
          messageOut(1, {
            role: "user",
            parts: [
              { v: 1, kind: "text", text: "Look" },
              { v: 1, kind: "image", media_type: "image/png", data: "iVBO" },
              { v: 1, kind: "image", media_type: "image/tiff", data: "SUkq" },
              { v: 1, kind: "file", name: "notes.md", media_type: "text/markdown", text: "# Notes" },
            ],
          }),
        ],
      }),
    ).messages[0];
    expect(m?.images).toEqual([{ media_type: "image/png", data: "iVBO" }]);
    expect(m?.files).toEqual([{ name: "notes.md", media_type: "text/markdown", text: "# Notes" }]);
    expect(m?.thinking).toBeUndefined();
  });

});
