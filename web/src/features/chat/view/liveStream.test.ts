import { describe, expect, it } from "vitest";
import { chatMessage } from "@/test/app";
import { isLive, visibleMessages, type LiveTurn } from "./liveStream";

const saved = [
  chatMessage("1", "user", "Hi", null),
  chatMessage("2", "assistant", "Hello", "1"),
  chatMessage("3", "user", "And?", "2"),
  chatMessage("4", "assistant", "More", "3"),
];

const none: LiveTurn = {
  key: null,
  phase: undefined,
  assistantMessageId: undefined,
  userMessageId: undefined,
  pendingUserText: undefined,
  pendingImages: undefined,
  pendingFiles: undefined,
  replaces: undefined,
  kind: undefined,
};
const live = (over: Partial<LiveTurn>): LiveTurn => ({ ...none, key: "1", phase: "streaming", ...over });
const ids = (r: { shown: { id: string }[] }) => r.shown.map((m) => m.id);

describe("visibleMessages", () => {
  it("shows the saved path as it is when nothing streams", () => {
    expect(visibleMessages(saved, none)).toEqual({ shown: saved, showPending: false });
  });

  it("shows the just-sent text below the saved path until the saved path holds it", () => {
    const sending = live({ pendingUserText: "Next?", userMessageId: null });
    expect(visibleMessages(saved, sending)).toEqual({ shown: saved, showPending: true });
    const echoed = [...saved, chatMessage("5", "user", "Next?", "4")];
    expect(visibleMessages(echoed, { ...sending, userMessageId: "5" }).showPending).toBe(false);
  });

  it("a pending turn of images or files alone is shown too", () => {
    const image = { media_type: "image/png" as const, data: "AAAA" };
    expect(visibleMessages(saved, live({ pendingImages: [image] })).showPending).toBe(true);
    expect(visibleMessages(saved, live({ pendingImages: [] })).showPending).toBe(false);
  });

  it("cuts the path at the answer being regenerated or the message being edited", () => {
    expect(ids(visibleMessages(saved, live({ kind: "regenerate", replaces: "4" })))).toEqual(["1", "2", "3"]);
    expect(ids(visibleMessages(saved, live({ kind: "edit", replaces: "3", pendingUserText: "Or?" })))).toEqual([
      "1",
      "2",
    ]);
  });

  it("hides the saved copy of the answer that is still live (a refetch mid-stream)", () => {
    expect(ids(visibleMessages(saved, live({ assistantMessageId: "4" })))).toEqual(["1", "2", "3"]);
  });

  it("an unknown replaced id leaves the path whole", () => {
    expect(ids(visibleMessages(saved, live({ replaces: "99" })))).toEqual(["1", "2", "3", "4"]);
  });
});

describe("isLive", () => {
  it("is true while connecting or streaming only", () => {
    expect(isLive(live({ phase: "connecting" }))).toBe(true);
    expect(isLive(live({ phase: "streaming" }))).toBe(true);
    expect(isLive(live({ phase: "done" }))).toBe(false);
    expect(isLive(live({ phase: "error" }))).toBe(false);
    expect(isLive(none)).toBe(false);
  });
});
