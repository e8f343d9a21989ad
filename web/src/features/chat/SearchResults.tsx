import type { KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";
import type { ConversationSearchHit } from "@/api/types";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import { focusResult, RESULT_ATTR } from "./searchKeys";
import { leadToHit, shortDate, splitHits } from "./searchText";
import type { ConversationSearch } from "./useConversationSearch";

/** `text` with every occurrence of the searched words in a <mark>; React text only. */
export function Highlighted({ text, query }: { text: string; query: string }) {
  return (
    <>
      {splitHits(text, query).map((s, i) =>
        s.hit ? (
          <mark key={i} className="rounded-[3px] bg-primary/20 px-px text-foreground dark:bg-primary/30">
            {s.text}
          </mark>
        ) : (
          s.text
        ),
      )}
    </>
  );
}

function ResultRow({ hit, query, onNavigate }: { hit: ConversationSearchHit; query: string; onNavigate: () => void }) {
  const { t, i18n } = useTranslation();
  const title = hit.title || t("sidebar.untitled");
  const snippet = hit.match.role === "title" ? "" : leadToHit(hit.match.snippet, query);
  return (
    <li>
      <NavLink
        to={`/c/${hit.id}`}
        onClick={onNavigate}
        {...{ [RESULT_ATTR]: hit.id }}
        className={({ isActive }) =>
          cn(
            "block rounded-lg px-2.5 py-2 hover:bg-accent focus-visible:bg-accent focus-visible:outline-2 focus-visible:outline-ring",
            isActive && "bg-accent",
          )
        }
      >
        <span className="flex items-baseline gap-2">
          <span className="min-w-0 flex-1 truncate text-sm font-medium">
            <Highlighted text={title} query={query} />
          </span>
          {hit.updated_at && (
            <time dateTime={hit.updated_at} className="shrink-0 text-xs text-muted-foreground">
              {shortDate(hit.updated_at, i18n.language)}
            </time>
          )}
        </span>
        {snippet && (
          <span className="mt-0.5 line-clamp-2 text-xs leading-relaxed text-muted-foreground" data-testid="search-snippet">
            <Highlighted text={snippet} query={query} />
          </span>
        )}
      </NavLink>
    </li>
  );
}

/**
 * The sidebar's search results, in place of the date-grouped list while the box holds text.
 * Loading never blanks the panel: the previous query's results (or "no match") stay, dimmed,
 * until the new ones arrive; "Searching…" only shows when there was nothing before.
 */
export function SearchResults({ search, onNavigate }: { search: ConversationSearch; onNavigate: () => void }) {
  const { t } = useTranslation();
  const { status, results, query, stale } = search;
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    focusResult(e.currentTarget, e.key === "ArrowDown" ? 1 : -1);
  };
  let body;
  if (status === "error") {
    body = (
      <div role="alert" className="px-2.5 py-2 text-sm text-muted-foreground">
        <p>{t("sidebar.searchFailed")}</p>
        <Button variant="outline" size="sm" className="mt-2" onClick={search.retry}>
          {t("common.retry")}
        </Button>
      </div>
    );
  } else if (results.length > 0) {
    body = (
      <ul className={cn("space-y-0.5 transition-opacity", stale && "opacity-60")} onKeyDown={onKeyDown}>
        {results.map((hit) => (
          <ResultRow key={hit.id} hit={hit} query={query} onNavigate={onNavigate} />
        ))}
      </ul>
    );
  } else if (status === "ready" || stale) {
    body = (
      <p className={cn("px-2.5 py-2 text-sm text-muted-foreground", stale && "opacity-60")}>
        {t("sidebar.noResults", { query })}
      </p>
    );
  } else {
    body = <p className="px-2.5 py-2 text-sm text-muted-foreground">{t("sidebar.searching")}</p>;
  }
  return (
    <section
      aria-label={t("sidebar.searchResults")}
      aria-busy={status === "loading"}
      data-testid="search-results"
      className="mt-2 min-h-0 flex-1 overflow-y-auto px-2 pb-2"
    >
      {body}
      {search.hasMore && (
        <Button
          variant="ghost"
          size="sm"
          className="mt-1 w-full text-muted-foreground"
          disabled={search.loadingMore}
          onClick={search.loadMore}
        >
          {search.loadingMore ? t("sidebar.loadingMore") : t("sidebar.moreResults")}
        </Button>
      )}
      <p className="sr-only" aria-live="polite">
        {status === "ready" ? t("sidebar.resultCount", { count: results.length }) : ""}
      </p>
    </section>
  );
}
