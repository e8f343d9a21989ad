import { beforeEach, describe, expect, it } from "vitest";
import { draftOwner, loadDraftText, onReturnedDraft, returnDraft, saveDraftText } from "./drafts";

/** An unsigned JWT-shaped token: only its payload is read. */
function token(payload: object): string {
  const b64 = btoa(JSON.stringify(payload)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `eyJhbGciOiJIUzI1NiJ9.${b64}.signature`;
}

beforeEach(() => localStorage.clear());

describe("drafts", () => {
  it("belong to the user named by the access token", () => {
    expect(draftOwner(token({ sub: "42", exp: 1 }))).toBe("42");
    expect(draftOwner(token({ sub: 7 }))).toBe("7");
    expect(draftOwner(null)).toBe("me");
    expect(draftOwner("not-a-token")).toBe("me");
    expect(draftOwner("a.%%%.c")).toBe("me");
  });

  it("are kept per key, and an empty one is removed", () => {
    saveDraftText("1:new", "hello");
    saveDraftText("2:new", "other user");
    expect(loadDraftText("1:new")).toBe("hello");
    saveDraftText("1:new", "   ");
    expect(loadDraftText("1:new")).toBe("");
    expect(localStorage.getItem("polychat.draft.1:new")).toBeNull();
    expect(loadDraftText("2:new")).toBe("other user");
  });

  it("a message given back while no composer listens waits for the next one", () => {
    returnDraft("1:5", { text: "later", images: [] });
    const got: string[] = [];
    const stop = onReturnedDraft("1:5", (d) => got.push(d.text));
    expect(got).toEqual(["later"]);
    returnDraft("1:5", { text: "now", images: [] });
    expect(got).toEqual(["later", "now"]);
    stop();
    const again: string[] = [];
    onReturnedDraft("1:5", (d) => again.push(d.text))();
    expect(again).toEqual([]);
  });
});
