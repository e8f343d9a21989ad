import { describe, expect, it } from "vitest";
import { provider } from "@/test/fixtures";
import { lightFor } from "./lights";

describe("a provider's light", () => {
  it("keeps a provider with a key but no passed test yellow", () => {
    expect(lightFor(provider("claude", { last_test: null }))).toBe("yellow");
    expect(lightFor(provider("claude", { last_test: { success: null, message: null, checked_at: null } }))).toBe("yellow");
    expect(lightFor(provider("claude", { last_test: { success: true, message: null, checked_at: null } }))).toBe("green");
    expect(lightFor(provider("claude", { status: "error", status_message: "invalid x-api-key" }))).toBe("red");
    expect(lightFor(provider("claude", { enabled: false }))).toBe("gray");
  });
});
