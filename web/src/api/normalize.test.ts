import { describe, expect, it } from "vitest";
import { toConversation, toModelsResult, toProvider, toUser } from "./normalize";

describe("server JSON to UI types", () => {
  it("keeps the custom instructions and a conversation's images_before", () => {
    const user = toUser({ id: 1, username: "ada", preferences: { theme: "dark", custom_instructions: "Be brief." } });
    expect(user.preferences.custom_instructions).toBe("Be brief.");
    expect(toUser({ id: 1, username: "ada", preferences: {} }).preferences.custom_instructions).toBeNull();
    expect(toConversation({ id: 1, messages: [], has_more: true, images_before: true }).images_before).toBe(true);
    expect(toConversation({ id: 1, messages: [] }).images_before).toBe(false);
  });

  it("keeps a provider with a key but no passed test yellow ('untested')", () => {
    const base = { id: "claude", display_name: "Anthropic Claude", configured: true, status: "ok" };
    expect(toProvider({ ...base, last_test: null }).status).toBe("untested");
    expect(toProvider({ ...base, last_test: { success: true, message: null } }).status).toBe("ok");
    const failed = toProvider({ ...base, status: "error", status_message: "invalid x-api-key" });
    expect(failed.status).toBe("error");
    expect(failed.status_message).toBe("invalid x-api-key");
  });

  it("joins each model with its provider's list status", () => {
    const r = toModelsResult({
      models: [
        { id: "claude-sonnet-4-6", provider: "claude", display_name: "Claude Sonnet 4.6", available: true },
        { id: "llama3.2", provider: "ollama", display_name: "llama3.2", available: true },
      ],
      providers: [
        { provider: "claude", status: "ok", error: null },
        { provider: "ollama", status: "error", error: "Cannot reach Ollama" },
        { provider: "lab", status: "error", error: "401" },
      ],
    });
    expect(r.models.map((m) => [m.id, m.provider_status])).toEqual([
      ["claude-sonnet-4-6", "ok"],
      ["llama3.2", "error"],
    ]);
    expect(r.errors).toEqual({ ollama: "Cannot reach Ollama", lab: "401" });
  });

  it("reads messages with their siblings and string ids", () => {
    const c = toConversation({
      id: 7,
      title: "T",
      messages: [{ id: 3, parent_id: 2, role: "assistant", content: "Hi", status: "stopped", sibling_ids: [1, 3] }],
    });
    expect(c.id).toBe("7");
    expect(c.messages[0]).toMatchObject({ id: "3", parent_id: "2", status: "stopped", siblings: ["1", "3"] });
  });
});
