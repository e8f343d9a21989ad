import { Keyboard, LogOut, MoreHorizontal, PanelLeftClose, Search, Settings, SquarePen, Star } from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink, useNavigate } from "react-router";
import { useConversationsInfiniteQuery, useProfileQuery } from "@/api/endpoints";
import type { ConversationSummary } from "@/api/types";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { focusSoon } from "@/features/shortcuts/shortcuts";
import { cn } from "@/lib/utils";
import { useAppDispatch } from "@/store";
import { sidebarToggled } from "@/store/uiSlice";
import { ConversationMenu } from "./ConversationMenu";
import { groupByDate } from "./dateGroups";
import { SearchResults } from "./SearchResults";
import { onSearchBoxKeyDown } from "./searchKeys";
import { useConversationSearch } from "./useConversationSearch";
import { useConversationActions, type ConversationActions } from "./useConversationActions";

function ConversationRow({
  c,
  actions,
  onNavigate,
}: {
  c: ConversationSummary;
  actions: ConversationActions;
  onNavigate: () => void;
}) {
  const { t } = useTranslation();
  const title = c.title || t("sidebar.untitled");
  return (
    <li className="group relative" data-conversation-id={c.id}>
      <NavLink
        to={`/c/${c.id}`}
        onClick={onNavigate}
        className={({ isActive }) =>
          cn(
            "block truncate rounded-lg py-1.5 pl-2.5 pr-8 text-sm hover:bg-accent",
            isActive && "bg-accent font-medium",
          )
        }
        title={title}
      >
        {title}
      </NavLink>
      <ConversationMenu conversation={c} actions={actions}>
        <button
          type="button"
          aria-label={`${t("sidebar.options")}: ${title}`}
          className="absolute right-1 top-1/2 inline-flex size-6 -translate-y-1/2 items-center justify-center rounded-md text-muted-foreground opacity-100 hover:bg-background focus-visible:opacity-100 data-[state=open]:opacity-100 md:opacity-0 md:group-hover:opacity-100"
        >
          <MoreHorizontal className="size-4" />
        </button>
      </ConversationMenu>
    </li>
  );
}

export function Sidebar({ onLogout, onShowShortcuts }: { onLogout: () => void; onShowShortcuts: () => void }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  // Two lists from the server, so a conversation is never listed twice: starred ones on top,
  // the rest grouped by date below.
  const starredQuery = useConversationsInfiniteQuery({ pinned: true });
  const conversations = useConversationsInfiniteQuery({ pinned: false });
  const starredLoaded = useMemo(() => starredQuery.data?.pages.flatMap((p) => p.items) ?? [], [starredQuery.data]);
  const loaded = useMemo(() => conversations.data?.pages.flatMap((p) => p.items) ?? [], [conversations.data]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = conversations;
  // Infinite scroll: a sentinel at the end of the list asks for the next page when it comes
  // into view; the button beside it does the same for keyboards and browsers without observers.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const profile = useProfileQuery();
  // The row moves to the other section (a new element) after Star/Unstar: keep the keyboard
  // on its menu button there instead of losing focus to the page.
  const actions = useConversationActions({
    onStarred: (c, pinned) => {
      const section = pinned ? '[data-testid="starred-section"]' : '[data-testid="dated-sections"]';
      focusSoon(`${section} [data-conversation-id="${CSS.escape(c.id)}"] [aria-haspopup="menu"]`, 120);
    },
  });

  const closeOnMobile = () => {
    if (window.innerWidth < 768) dispatch(sidebarToggled(false));
  };
  const [query, setQuery] = useState("");
  // The box searches every chat on the server (titles and message text, not just the pages
  // loaded here); while it holds text its results take the list's place.
  const search = useConversationSearch(query);
  const starred = starredLoaded;
  const groups = groupByDate(loaded);
  const name = profile.data?.display_name || profile.data?.username || "";
  const row = (c: ConversationSummary) => (
    <ConversationRow
      key={c.id}
      c={c}
      onNavigate={closeOnMobile}
      actions={actions}
    />
  );

  return (
    <nav aria-label={t("sidebar.conversations")} className="flex h-full w-full flex-col bg-sidebar">
      <div className="flex items-center justify-between px-3 pt-3 pb-2">
        <Link to="/" className="flex items-center gap-2 rounded-md px-1 font-serif text-lg font-semibold">
          <img src="/favicon.svg" alt="" className="size-6" />
          {t("common.appName")}
        </Link>
        <Button variant="ghost" size="icon-sm" aria-label={t("sidebar.close")} onClick={() => dispatch(sidebarToggled(false))}>
          <PanelLeftClose />
        </Button>
      </div>
      <div className="px-2">
        <Button
          variant="ghost"
          className="w-full justify-start gap-2 px-2.5 text-primary hover:text-primary"
          onClick={() => {
            navigate("/");
            closeOnMobile();
          }}
          data-testid="new-chat"
          aria-keyshortcuts="Control+Shift+O Meta+Shift+O"
        >
          <SquarePen />
          {t("sidebar.newChat")}
        </Button>
      </div>
      {(loaded.length > 0 || starredLoaded.length > 0) && (
        <div className="relative mx-2 mt-1">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-3.5 -translate-y-1/2 text-muted-foreground" />
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t("sidebar.search")}
            aria-label={t("sidebar.search")}
            aria-keyshortcuts="Control+K Meta+K"
            data-testid="sidebar-search"
            onKeyDown={onSearchBoxKeyDown}
            className="h-8 w-full rounded-lg bg-transparent pl-8 pr-2 text-sm placeholder:text-muted-foreground hover:bg-accent focus:bg-card focus-visible:outline-2 focus-visible:outline-ring"
          />
        </div>
      )}
      {search.active && <SearchResults search={search} onNavigate={closeOnMobile} />}
      <div className="mt-2 min-h-0 flex-1 overflow-y-auto px-2 pb-2" data-testid="conversation-list" hidden={search.active}>
        {conversations.isSuccess && starredQuery.isSuccess && groups.length === 0 && starred.length === 0 && (
          <p className="px-2.5 py-2 text-sm text-muted-foreground">
            {t("sidebar.empty")}
          </p>
        )}
        {starred.length > 0 && (
          <section className="mb-3" aria-labelledby="sidebar-starred" data-testid="starred-section">
            <h2 id="sidebar-starred" className="flex items-center gap-1.5 px-2.5 pb-1 pt-2 text-xs font-medium text-muted-foreground">
              <Star className="size-3" aria-hidden="true" />
              {t("sidebar.starred")}
            </h2>
            <ul className="space-y-0.5">{starred.map(row)}</ul>
            {starredQuery.hasNextPage && (
              <Button
                variant="ghost"
                size="sm"
                className="mt-1 w-full text-muted-foreground"
                disabled={starredQuery.isFetchingNextPage}
                onClick={() => void starredQuery.fetchNextPage()}
              >
                {starredQuery.isFetchingNextPage ? t("sidebar.loadingMore") : t("sidebar.loadMoreStarred")}
              </Button>
            )}
          </section>
        )}
        <div data-testid="dated-sections">
          {groups.map((g) => (
            <section key={g.group} className="mb-3">
              <h2 className="px-2.5 pb-1 pt-2 text-xs font-medium text-muted-foreground">{t(`sidebar.${g.group}`)}</h2>
              <ul className="space-y-0.5">{g.items.map(row)}</ul>
            </section>
          ))}
        </div>
        {hasNextPage && (
          <div ref={sentinel} className="px-1 pb-2">
            <Button
              variant="ghost"
              size="sm"
              className="w-full text-muted-foreground"
              disabled={isFetchingNextPage}
              onClick={() => void fetchNextPage()}
            >
              {isFetchingNextPage ? t("sidebar.loadingMore") : t("sidebar.loadMore")}
            </Button>
          </div>
        )}
      </div>
      <div className="border-t border-border p-2">
        <DropdownMenu>
          <DropdownMenuTrigger className="flex w-full items-center gap-2 rounded-lg px-2 py-1.5 text-left text-sm hover:bg-accent" data-testid="account-menu">
            <span className="inline-flex size-7 shrink-0 items-center justify-center rounded-full bg-foreground text-xs font-semibold uppercase text-background">
              {name.slice(0, 1)}
            </span>
            <span className="min-w-0 flex-1 truncate">{name}</span>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="start" side="top" className="w-56">
            <DropdownMenuItem
              onSelect={() => {
                navigate("/settings");
                closeOnMobile();
              }}
            >
              <Settings />
              {t("sidebar.settings")}
            </DropdownMenuItem>
            <DropdownMenuItem
              onSelect={() => {
                closeOnMobile();
                onShowShortcuts();
              }}
            >
              <Keyboard />
              {t("sidebar.shortcuts")}
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            <DropdownMenuItem onSelect={onLogout}>
              <LogOut />
              {t("auth.logout")}
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      </div>

      {actions.dialogs}
    </nav>
  );
}
