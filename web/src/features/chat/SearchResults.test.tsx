import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import type { ConversationSearchHit } from "@/api/types";
import { SearchResults } from "./SearchResults";
import { leadToHit, shortDate, splitHits } from "./searchText";
import type { ConversationSearch } from "./useConversationSearch";

const hit = (over: Partial<ConversationSearchHit> & Pick<ConversationSearchHit, "id" | "match">): ConversationSearchHit => ({
  title: "A chat",
  provider: "claude",
  model: "m",
  pinned: false,
  created_at: "2024-03-05T10:00:00Z",
  updated_at: "2024-03-05T10:00:00Z",
  ...over,
});

const state = (over: Partial<ConversationSearch>): ConversationSearch => ({
  active: true,
  query: "",
  results: [],
  status: "ready",
  stale: false,
  hasMore: false,
  loadingMore: false,
  loadMore: vi.fn(),
  retry: vi.fn(),
  ...over,
});

function show(search: ConversationSearch) {
  return render(
    <MemoryRouter>
      <SearchResults search={search} onNavigate={() => {}} />
    </MemoryRouter>,
  );
}

describe("splitHits", () => {
  it("finds every occurrence, case-insensitively, across collapsed spaces", () => {
    expect(splitHits("Heron, HERON and heron.", "heron")).toEqual([
      { text: "Heron", hit: true },
      { text: ", ", hit: false },
      { text: "HERON", hit: true },
      { text: " and ", hit: false },
      { text: "heron", hit: true },
      { text: ".", hit: false },
    ]);
    expect(splitHits("a grey  heron", "grey heron")).toEqual([
      { text: "a ", hit: false },
      { text: "grey  heron", hit: true },
    ]);
    // Regular-expression characters in the query are literal.
    expect(splitHits("costs 5.00 (or 50%)", "(or 50%)")).toEqual([
      { text: "costs 5.00 ", hit: false },
      { text: "(or 50%)", hit: true },
    ]);
    expect(splitHits("nothing here", "zebra")).toEqual([{ text: "nothing here", hit: false }]);
  });

  it("starts a long snippet a few words before the hit, so a narrow sidebar shows it", () => {
    const long = "…you will find limpets, barnacles and the common periwinkle, a small grazing snail that hides when the tide goes out.";
    expect(leadToHit(long, "tide")).toBe("…snail that hides when the tide goes out.");
    expect(leadToHit("the tide is high", "tide")).toBe("the tide is high");
    expect(leadToHit(long, "zebra")).toBe(long);
  });

  it("formats a short date in the UI language", () => {
    const now = new Date(2024, 5, 1, 12);
    expect(shortDate(new Date(2024, 2, 5).toISOString(), "en", now)).toBe("Mar 5");
    expect(shortDate(new Date(2023, 2, 5).toISOString(), "fr", now)).toBe("5 mars 2023");
    expect(shortDate(null, "en", now)).toBe("");
  });
});

describe("SearchResults", () => {
  it("shows the title, the snippet with the words emphasised, and the date; links open the chat", () => {
    show(
      state({
        query: "heron",
        results: [
          hit({ id: "7", title: "Birds", match: { message_id: "70", role: "assistant", snippet: "…a grey Heron stood still…" } }),
          hit({ id: "8", title: "Heron facts", match: { message_id: null, role: "title", snippet: "Heron facts" } }),
        ],
      }),
    );
    const links = within(screen.getByRole("region", { name: "Search results" })).getAllByRole("link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/c/7", "/c/8"]);
    expect(links[0]).toHaveTextContent("Birds");
    expect(within(links[0]!).getByTestId("search-snippet")).toHaveTextContent("…a grey Heron stood still…");
    expect(within(links[0]!).getByText("Heron", { selector: "mark" })).toBeInTheDocument();
    expect(within(links[0]!).getByText("Mar 5, 2024", { selector: "time" })).toBeInTheDocument();
    // A title hit shows no snippet line (it would repeat the title), but the title is marked.
    expect(within(links[1]!).queryByTestId("search-snippet")).toBeNull();
    expect(within(links[1]!).getByText("Heron", { selector: "mark" })).toBeInTheDocument();
  });

  it("renders hostile snippet and title text as inert text", () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> onerror';
    const { container } = show(
      state({
        query: "onerror",
        results: [
          hit({ id: "1", title: "<b>bold</b> onerror", match: { message_id: "2", role: "user", snippet: evil } }),
        ],
      }),
    );
    expect(container.querySelector("img, script, b")).toBeNull();
    expect(screen.getByTestId("search-snippet")).toHaveTextContent(evil);
    expect(screen.getByRole("link")).toHaveTextContent("<b>bold</b> onerror");
    // The emphasis is still there, around the literal words only.
    const marks = Array.from(container.querySelectorAll("mark")).map((m) => m.textContent);
    expect(marks).toEqual(["onerror", "onerror", "onerror"]);
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("has calm loading, empty and error states", () => {
    const { rerender } = show(state({ status: "loading", query: "heron" }));
    expect(screen.getByText("Searching…")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Search results" })).toHaveAttribute("aria-busy", "true");

    const retry = vi.fn();
    rerender(
      <MemoryRouter>
        <SearchResults search={state({ status: "ready", query: "zebra" })} onNavigate={() => {}} />
      </MemoryRouter>,
    );
    expect(screen.getByText("No chats match “zebra”")).toBeInTheDocument();
    expect(screen.getByText("0 chats found")).toBeInTheDocument();

    rerender(
      <MemoryRouter>
        <SearchResults search={state({ status: "error", query: "zebra", retry })} onNavigate={() => {}} />
      </MemoryRouter>,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("Search failed.");
    screen.getByRole("button", { name: "Retry" }).click();
    expect(retry).toHaveBeenCalledOnce();
  });
});
