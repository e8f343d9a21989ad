import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "react-redux";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeStore } from "@/store";
import { Sidebar } from "./Sidebar";

/** Node's Request refuses relative URLs; the app calls `/api/...` as a browser would. */
class BrowserRequest extends Request {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" ? new URL(input, "http://localhost").href : input, init);
  }
}

const conv = (i: number) => ({
  id: String(i),
  title: `Chat ${i}`,
  provider: "claude",
  model: "claude-sonnet-4-6",
  created_at: "2020-01-01T00:00:00Z",
  updated_at: "2020-01-01T00:00:00Z",
});

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });

let seen: string[] = [];

beforeEach(() => {
  seen = [];
  vi.stubGlobal("Request", BrowserRequest);
  vi.stubGlobal(
    "fetch",
    vi.fn((input: RequestInfo | URL) => {
      const url = new URL(input instanceof Request ? input.url : String(input), "http://localhost");
      seen.push(url.pathname + url.search);
      if (url.pathname === "/api/conversations") {
        const cursor = url.searchParams.get("cursor");
        if (cursor === null) return Promise.resolve(json({ items: [conv(1), conv(2)], next_cursor: "page-2" }));
        if (cursor === "page-2") return Promise.resolve(json({ items: [conv(3)], next_cursor: null }));
      }
      if (url.pathname === "/api/me") return Promise.resolve(json({ id: 1, username: "ada", email: "a@b.c" }));
      return Promise.resolve(new Response("{}", { status: 404 }));
    }),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("Sidebar conversation list", () => {
  it("loads older conversations page by page with the server's cursor, then stops offering more", async () => {
    render(
      <Provider store={makeStore()}>
        <MemoryRouter>
          <Sidebar onLogout={() => {}} />
        </MemoryRouter>
      </Provider>,
    );
    const list = await screen.findByTestId("conversation-list");
    await within(list).findByText("Chat 1");
    expect(within(list).getByText("Chat 2")).toBeInTheDocument();
    expect(within(list).queryByText("Chat 3")).toBeNull();

    await userEvent.setup().click(await screen.findByRole("button", { name: "Load more chats" }));
    expect(await within(list).findByText("Chat 3")).toBeInTheDocument();
    expect(within(list).getByText("Chat 1")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Load more chats" })).toBeNull());
    expect(seen.filter((u) => u.startsWith("/api/conversations"))).toEqual([
      "/api/conversations?limit=50",
      "/api/conversations?limit=50&cursor=page-2",
    ]);
  });
});
