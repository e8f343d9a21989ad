import { afterEach, describe, expect, it, vi } from "vitest";
import { acrossTabs, refreshAccessToken } from "./base";

/** A lock manager like the browser's: one holder per name, the rest wait in order. */
function fakeLocks() {
  const tails = new Map<string, Promise<unknown>>();
  const names: string[] = [];
  return {
    names,
    request: <T>(name: string, run: () => Promise<T>): Promise<T> => {
      names.push(name);
      const before = tails.get(name) ?? Promise.resolve();
      const result = before.then(run, run);
      tails.set(name, result.catch(() => undefined));
      return result;
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("refresh across tabs", () => {
  it("runs one refresh at a time: a second tab starts only after the first got its answer", async () => {
    const locks = fakeLocks();
    vi.stubGlobal("navigator", { ...navigator, locks });
    const order: string[] = [];
    let release!: () => void;
    const first = acrossTabs(async () => {
      order.push("tab 1 sends");
      await new Promise<void>((r) => (release = r));
      order.push("tab 1 answered");
    });
    const second = acrossTabs(async () => {
      order.push("tab 2 sends");
    });
    await Promise.resolve();
    expect(order).toEqual(["tab 1 sends"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["tab 1 sends", "tab 1 answered", "tab 2 sends"]);
  });

  it("sends the refresh request while holding the shared lock", async () => {
    const locks = fakeLocks();
    vi.stubGlobal("navigator", { ...navigator, locks });
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ access_token: "fresh" }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    const dispatch = vi.fn();
    await expect(refreshAccessToken(dispatch)).resolves.toBe("fresh");
    expect(locks.names).toEqual(["polychat-auth-refresh"]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(dispatch).toHaveBeenCalledWith(expect.objectContaining({ payload: "fresh" }));
  });

  it("still refreshes in a browser without Web Locks", async () => {
    vi.stubGlobal("navigator", { ...navigator, locks: undefined });
    await expect(acrossTabs(async () => 42)).resolves.toBe(42);
  });
});
