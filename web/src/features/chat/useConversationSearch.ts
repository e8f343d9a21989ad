import { useEffect, useState } from "react";
import { useSearchConversationsInfiniteQuery } from "@/api/endpoints";
import type { ConversationSearchHit } from "@/api/types";

/** Wait this long after the last keystroke before asking the server. */
export const SEARCH_DEBOUNCE_MS = 250;
/** The server refuses longer queries (422); longer text is searched by its start. */
export const SEARCH_MAX_CHARS = 200;

export type SearchStatus = "idle" | "loading" | "ready" | "error";

export interface ConversationSearch {
  /** The box holds something to search for: results replace the date-grouped list. */
  active: boolean;
  /** The words the shown results are for (what to emphasise in them). */
  query: string;
  results: ConversationSearchHit[];
  status: SearchStatus;
  /** While a new query loads, the previous query's results stay on screen (no flicker). */
  stale: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  retry: () => void;
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

interface Shown {
  query: string;
  results: ConversationSearchHit[];
}

/**
 * Server-side search of every chat for the sidebar box. Debounced; each query text has its
 * own cache entry, so an answer that arrives late for an older query is never shown for the
 * current one. Clearing the box is immediate.
 */
export function useConversationSearch(text: string): ConversationSearch {
  const words = text.trim().slice(0, SEARCH_MAX_CHARS).trim();
  // An emptied box settles at once, so words typed next never start from the old query.
  const debounced = useDebounced(words, words ? SEARCH_DEBOUNCE_MS : 0);
  const q = words ? debounced : "";
  const search = useSearchConversationsInfiniteQuery(q, { skip: !q });
  const current = search.currentData;

  // The last results that belonged to the query they were asked with: shown (dimmed) while
  // the next query loads. Adjusted during render, as React recommends for derived state.
  const [shown, setShown] = useState<Shown | null>(null);
  const [from, setFrom] = useState<typeof current>(undefined);
  if (current && current !== from && q) {
    setFrom(current);
    setShown({
      query: q,
      results: current.pages.flatMap((p) => p.items),
    });
  } else if (!words && shown) {
    setShown(null);
    setFrom(undefined);
  }

  if (!words) {
    return {
      active: false,
      query: "",
      results: [],
      status: "idle",
      stale: false,
      hasMore: false,
      loadingMore: false,
      loadMore: noop,
      retry: noop,
    };
  }
  const upToDate = q === words && current !== undefined && shown?.query === q;
  const failed = q === words && search.isError && !search.isFetching;
  const status: SearchStatus = failed ? "error" : upToDate ? "ready" : "loading";
  return {
    active: true,
    query: shown?.query ?? words,
    results: failed ? [] : (shown?.results ?? []),
    status,
    stale: status === "loading" && shown !== null,
    hasMore: upToDate && search.hasNextPage,
    loadingMore: search.isFetchingNextPage,
    loadMore: () => {
      if (search.hasNextPage && !search.isFetchingNextPage) void search.fetchNextPage();
    },
    retry: () => {
      if (q) void search.refetch();
    },
  };
}

const noop = () => {};

