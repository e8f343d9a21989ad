import { describe, expect, it } from "vitest";
import type { ChatMessage, ImagePart } from "@/api/types";
import type { LiveStream } from "@/store/streamSlice";
import { branchHasImages, imagesBeforeEach, retryPlan } from "./branchGuard";

const IMG: ImagePart = { media_type: "image/png", data: "AAAA" };

function msg(id: string, role: "user" | "assistant", images?: ImagePart[]): ChatMessage {
  return {
    id,
    parent_id: null,
    role,
    content: id,
    provider: null,
    model: null,
    status: "complete",
    error: null,
    created_at: null,
    siblings: [id],
    usage: null,
    images,
  };
}

type Live = Parameters<typeof retryPlan>[0];
const live = (over: Partial<LiveStream>): Live => ({
  kind: "send",
  assistantMessageId: null,
  replaces: null,
  pendingUserText: null,
  pendingImages: null,
  ...over,
});

describe("which messages the server checks for images", () => {
  const branch = [msg("1", "user"), msg("2", "assistant"), msg("3", "user", [IMG]), msg("4", "assistant"), msg("5", "user")];

  it("a message is blocked by images strictly before it (an edit replaces the message itself)", () => {
    const before = imagesBeforeEach(branch, false);
    expect(["1", "2", "3", "4", "5"].map((id) => before.get(id))).toEqual([false, false, false, true, true]);
  });

  it("images older than the loaded page count for every loaded message", () => {
    const before = imagesBeforeEach([msg("1", "user"), msg("2", "assistant")], true);
    expect(before.get("1")).toBe(true);
    expect(branchHasImages([msg("1", "user")], true)).toBe(true);
  });

  it("a new message carries the whole branch; a branch without images is free", () => {
    expect(branchHasImages(branch, false)).toBe(true);
    expect(branchHasImages([msg("1", "user"), msg("2", "assistant")], false)).toBe(false);
  });
});

describe("what Retry asks again", () => {
  it("a refused edit is retried as an edit of the same message, with its text and images", () => {
    expect(retryPlan(live({ kind: "edit", replaces: "7", pendingUserText: "Fixed question", pendingImages: [IMG] }))).toEqual({
      kind: "edit",
      messageId: "7",
      content: "Fixed question",
      images: [IMG],
      files: [],
    });
  });

  it("an edit whose answer started then failed: a new answer beside it, never a new message", () => {
    expect(retryPlan(live({ kind: "edit", replaces: "7", assistantMessageId: "12", pendingUserText: "Fixed" }))).toEqual({
      kind: "regenerate",
      messageId: "12",
    });
  });

  it("a refused regenerate is retried as a regenerate of the same answer", () => {
    expect(retryPlan(live({ kind: "regenerate", replaces: "8" }))).toEqual({ kind: "regenerate", messageId: "8" });
  });

  it("a new message: re-sent when its text is still shown, else from the composer it went back to", () => {
    expect(retryPlan(live({ pendingUserText: "Hi" }))).toEqual({ kind: "send", content: "Hi", images: [], files: [] });
    const file = { name: "a.py", media_type: "text/x-python", text: "x = 1" };
    expect(retryPlan(live({ pendingFiles: [file] }))).toEqual({ kind: "send", content: "", images: [], files: [file] });
    expect(retryPlan(live({}))).toEqual({ kind: "composer" });
    expect(retryPlan(live({ assistantMessageId: "3", pendingUserText: "Hi" }))).toEqual({ kind: "regenerate", messageId: "3" });
  });
});
