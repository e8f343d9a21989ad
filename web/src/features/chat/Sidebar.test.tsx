import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { json, renderWithApp, stubServer } from "@/test/app";
import { Sidebar } from "./Sidebar";

interface Row {
  id: string;
  title: string;
  pinned: boolean;
  /** Words inside one of its messages (only the search endpoint sees them). */
  text?: string;
}

const wire = (c: Row) => ({
  ...c,
  provider: "claude",
  model: "claude-sonnet-4-6",
  created_at: "2020-01-01T00:00:00Z",
  updated_at: "2020-01-01T00:00:00Z",
});

/** A tiny server: the conversation list (pages of two, filtered by `pinned`) and PUT. */
let rows: Row[] = [];
let seen: string[] = [];
let puts: { id: string; body: unknown }[] = [];

beforeEach(() => {
  seen = [];
  puts = [];
  rows = [];
  stubServer(async (input: RequestInfo | URL) => {
    const req = input instanceof Request ? input : new Request(String(input));
    const url = new URL(req.url, "http://localhost");
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === "/api/conversations" && req.method === "GET") {
      const pinned = url.searchParams.get("pinned");
      const all = rows.filter((r) => pinned === null || String(r.pinned) === pinned);
      const start = Number(url.searchParams.get("cursor") ?? 0);
      const next = start + 2 < all.length ? String(start + 2) : null;
      return json({ items: all.slice(start, start + 2).map(wire), next_cursor: next });
    }
    const one = /^\/api\/conversations\/(\w+)$/.exec(url.pathname);
    if (one && req.method === "PUT") {
      const body = (await req.json()) as { pinned?: boolean };
      puts.push({ id: one[1]!, body });
      const row = rows.find((r) => r.id === one[1]);
      if (row && typeof body.pinned === "boolean") row.pinned = body.pinned;
      return json(row ? wire(row) : {});
    }
    const exp = /^\/api\/conversations\/(\w+)\/export$/.exec(url.pathname);
    if (exp && req.method === "GET") {
      const json_ = url.searchParams.get("format") === "json";
      return new Response(json_ ? '{"messages": []}' : "# Chat 1\n", {
        status: 200,
        headers: {
          "content-type": json_ ? "application/json" : "text/markdown; charset=utf-8",
          "content-disposition": `attachment; filename="chat-${exp[1]}.${json_ ? "json" : "md"}"; filename*=UTF-8''Chat%20${exp[1]}`,
        },
      });
    }
    if (url.pathname === "/api/conversations/search") {
      // Titles and "message text" (a snippet per row), as the server searches them.
      const q = (url.searchParams.get("q") ?? "").toLowerCase();
      const items = rows
        .filter((r) => r.title.toLowerCase().includes(q) || (r.text ?? "").toLowerCase().includes(q))
        .map((r) => ({
          ...wire(r),
          match: r.text?.toLowerCase().includes(q)
            ? { message_id: 99, role: "assistant", snippet: r.text }
            : { message_id: null, role: "title", snippet: r.title },
        }));
      return json({ items, next_cursor: null });
    }
    if (url.pathname === "/api/users/profile") return json({ id: 1, username: "ada", email: "a@b.c" });
    return new Response("{}", { status: 404 });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderSidebar(onShowShortcuts = () => {}) {
  renderWithApp(<Sidebar onLogout={() => {}} onShowShortcuts={onShowShortcuts} />);
}

const chats = (n: number, pinned: (i: number) => boolean = () => false): Row[] =>
  Array.from({ length: n }, (_, k) => ({ id: String(k + 1), title: `Chat ${k + 1}`, pinned: pinned(k + 1) }));

describe("Sidebar conversation list", () => {
  it("loads older conversations page by page with the server's cursor, then stops offering more", async () => {
    rows = chats(3);
    renderSidebar();
    const list = await screen.findByTestId("conversation-list");
    await within(list).findByText("Chat 1");
    expect(within(list).getByText("Chat 2")).toBeInTheDocument();
    expect(within(list).queryByText("Chat 3")).toBeNull();

    await userEvent.setup().click(await screen.findByRole("button", { name: "Load more chats" }));
    expect(await within(list).findByText("Chat 3")).toBeInTheDocument();
    expect(within(list).getByText("Chat 1")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Load more chats" })).toBeNull());
    expect(seen.filter((u) => u.includes("pinned=false"))).toEqual([
      "GET /api/conversations?limit=50&pinned=false",
      "GET /api/conversations?limit=50&pinned=false&cursor=2",
    ]);
    // Nothing starred: no Starred section at all.
    expect(seen).toContain("GET /api/conversations?limit=50&pinned=true");
    expect(screen.queryByTestId("starred-section")).toBeNull();
  });
});

describe("Sidebar Starred section", () => {
  it("lists starred chats on top, each once, and moves a chat in and out with the keyboard", async () => {
    rows = chats(3, (i) => i === 3);
    const user = userEvent.setup();
    renderSidebar();
    const starred = await screen.findByTestId("starred-section");
    const list = screen.getByTestId("conversation-list");
    expect(within(starred).getByRole("heading", { name: "Starred" })).toBeInTheDocument();
    expect(within(starred).getByText("Chat 3")).toBeInTheDocument();
    expect(await within(list).findByText("Chat 1")).toBeInTheDocument();
    expect(within(list).getAllByText("Chat 3")).toHaveLength(1); // not also under its date
    // The Starred section comes first, before the date groups.
    const headings = within(list).getAllByRole("heading").map((h) => h.textContent);
    expect(headings[0]).toBe("Starred");
    expect(headings.slice(1)).toEqual(["Older"]);

    // Star "Chat 1" from its menu, by keyboard only.
    const options = screen.getByRole("button", { name: "Conversation options: Chat 1" });
    options.focus();
    await user.keyboard("{Enter}");
    const star = await screen.findByRole("menuitem", { name: "Star" });
    await waitFor(() => expect(star).toHaveFocus());
    await user.keyboard("{Enter}");
    expect(puts).toEqual([{ id: "1", body: { pinned: true } }]);
    await waitFor(() => expect(within(screen.getByTestId("starred-section")).getByText("Chat 1")).toBeInTheDocument());
    expect(within(list).getAllByText("Chat 1")).toHaveLength(1);
    // The keyboard follows the row to its new place.
    await waitFor(() =>
      expect(within(screen.getByTestId("starred-section")).getByRole("button", { name: "Conversation options: Chat 1" })).toHaveFocus(),
    );

    // And out again: "Unstar" in a starred chat's menu puts it back among the others.
    screen.getByRole("button", { name: "Conversation options: Chat 3" }).focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("menuitem", { name: "Unstar" })).toBeInTheDocument();
    await user.keyboard("{Enter}");
    expect(puts.at(-1)).toEqual({ id: "3", body: { pinned: false } });
    await waitFor(() => expect(within(screen.getByTestId("starred-section")).queryByText("Chat 3")).toBeNull());
    expect(within(list).getByText("Chat 3")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Conversation options: Chat 3" })).toHaveFocus());
  });

  it("searches every chat on the server, in place of the list, and clearing brings the list back", async () => {
    rows = [
      { id: "1", title: "Lyon trip", pinned: true },
      { id: "2", title: "Paris trip", pinned: false },
      { id: "3", title: "Prime numbers", pinned: false, text: "Then the train to Lyon left at noon." },
    ];
    const user = userEvent.setup();
    renderSidebar();
    await screen.findByTestId("starred-section");
    const box = screen.getByRole("searchbox", { name: "Search chats" });
    await user.type(box, "lyon");
    const results = await screen.findByRole("region", { name: "Search results" });
    await within(results).findByText("Prime numbers");
    // One request, after typing stopped; the list is out of the way (and out of reach).
    expect(seen.filter((u) => u.includes("/search"))).toEqual(["GET /api/conversations/search?q=lyon&limit=20"]);
    expect(screen.getByTestId("conversation-list")).not.toBeVisible();
    const links = within(results).getAllByRole("link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/c/1", "/c/3"]);
    // The words are emphasised in the title and in the message snippet.
    expect(within(links[0]!).getByText("Lyon", { selector: "mark" })).toBeInTheDocument();
    const snippet = within(links[1]!).getByTestId("search-snippet");
    expect(snippet).toHaveTextContent("Then the train to Lyon left at noon.");
    expect(within(snippet).getByText("Lyon", { selector: "mark" })).toBeInTheDocument();
    // ArrowDown from the box walks the results; ArrowUp from the first goes back.
    await user.keyboard("{ArrowDown}");
    expect(links[0]).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(links[1]).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(box).toHaveFocus();

    await user.clear(box);
    expect(screen.queryByRole("region", { name: "Search results" })).toBeNull();
    expect(screen.getByTestId("conversation-list")).toBeVisible();
    expect(within(screen.getByTestId("conversation-list")).getByText("Paris trip")).toBeInTheDocument();
  });

  it("says so when nothing matches", async () => {
    rows = chats(2);
    const user = userEvent.setup();
    renderSidebar();
    await screen.findByText("Chat 1");
    await user.type(screen.getByRole("searchbox", { name: "Search chats" }), "zebra");
    expect(await screen.findByText("No chats match “zebra”")).toBeInTheDocument();
  });

  it("opens the keyboard shortcuts from the account menu", async () => {
    rows = chats(1);
    const onShow = vi.fn();
    const user = userEvent.setup();
    renderSidebar(onShow);
    await user.click(await screen.findByTestId("account-menu"));
    await user.click(await screen.findByRole("menuitem", { name: "Keyboard shortcuts" }));
    expect(onShow).toHaveBeenCalledOnce();
  });
});

describe("Sidebar export", () => {
  it("downloads a conversation as Markdown or JSON under the server's file name", async () => {
    rows = chats(1);
    const saved: { name: string; href: string }[] = [];
    const blobs: Blob[] = [];
    // jsdom has no object URLs: record the blobs instead (restored below).
    const { createObjectURL, revokeObjectURL } = URL;
    URL.createObjectURL = vi.fn((b: Blob) => {
      blobs.push(b);
      return `blob:test/${blobs.length}`;
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, href: this.href });
    });
    const user = userEvent.setup();
    renderSidebar();
    await user.click(await screen.findByRole("button", { name: "Conversation options: Chat 1" }));
    await user.click(await screen.findByRole("menuitem", { name: "Export as Markdown" }));
    await waitFor(() => expect(saved).toEqual([{ name: "chat-1.md", href: "blob:test/1" }]));
    expect(await blobs[0]!.text()).toBe("# Chat 1\n");
    expect(blobs[0]!.type).toBe("text/markdown");

    await user.click(screen.getByRole("button", { name: "Conversation options: Chat 1" }));
    await user.click(await screen.findByRole("menuitem", { name: "Export as JSON" }));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved[1]!.name).toBe("chat-1.json");
    expect(seen).toContain("GET /api/conversations/1/export?format=markdown");
    expect(seen).toContain("GET /api/conversations/1/export?format=json");
    click.mockRestore();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
  });
});
