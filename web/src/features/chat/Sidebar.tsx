import {
  LogOut,
  MoreHorizontal,
  PanelLeftClose,
  Pencil,
  Search,
  Settings,
  SquarePen,
  Trash2,
} from "lucide-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink, useNavigate, useParams } from "react-router";
import { toast } from "sonner";
import {
  useConversationsInfiniteQuery,
  useDeleteConversationMutation,
  useProfileQuery,
  useRenameConversationMutation,
} from "@/api/endpoints";
import type { ConversationSummary } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { useAppDispatch } from "@/store";
import { sidebarToggled } from "@/store/uiSlice";
import { groupByDate } from "./dateGroups";

function ConversationRow({
  c,
  onRename,
  onDelete,
  onNavigate,
}: {
  c: ConversationSummary;
  onRename: (c: ConversationSummary) => void;
  onDelete: (c: ConversationSummary) => void;
  onNavigate: () => void;
}) {
  const { t } = useTranslation();
  const title = c.title || t("sidebar.untitled");
  return (
    <li className="group relative">
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
      <DropdownMenu>
        <DropdownMenuTrigger
          aria-label={`${t("sidebar.options")}: ${title}`}
          className="absolute right-1 top-1/2 inline-flex size-6 -translate-y-1/2 items-center justify-center rounded-md text-muted-foreground opacity-100 hover:bg-background focus-visible:opacity-100 data-[state=open]:opacity-100 md:opacity-0 md:group-hover:opacity-100"
        >
          <MoreHorizontal className="size-4" />
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start">
          <DropdownMenuItem onSelect={() => onRename(c)}>
            <Pencil />
            {t("common.rename")}
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem danger onSelect={() => onDelete(c)}>
            <Trash2 />
            {t("common.delete")}
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
    </li>
  );
}

export function Sidebar({ onLogout }: { onLogout: () => void }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const { conversationId } = useParams();
  const conversations = useConversationsInfiniteQuery();
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
  const [rename, { isLoading: renaming }] = useRenameConversationMutation();
  const [remove, { isLoading: deleting }] = useDeleteConversationMutation();
  const [renaming_, setRenaming] = useState<ConversationSummary | null>(null);
  const [title, setTitle] = useState("");
  const [deleting_, setDeleting] = useState<ConversationSummary | null>(null);

  const closeOnMobile = () => {
    if (window.innerWidth < 768) dispatch(sidebarToggled(false));
  };
  const [query, setQuery] = useState("");
  const q = query.trim().toLowerCase();
  const groups = groupByDate(
    loaded.filter((c) => !q || (c.title ?? "").toLowerCase().includes(q)),
  );
  const name = profile.data?.display_name || profile.data?.username || "";

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
        >
          <SquarePen />
          {t("sidebar.newChat")}
        </Button>
      </div>
      {loaded.length > 0 && (
        <div className="relative mx-2 mt-1">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-3.5 -translate-y-1/2 text-muted-foreground" />
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t("sidebar.search")}
            aria-label={t("sidebar.search")}
            className="h-8 w-full rounded-lg bg-transparent pl-8 pr-2 text-sm placeholder:text-muted-foreground hover:bg-accent focus:bg-card focus-visible:outline-2 focus-visible:outline-ring"
          />
        </div>
      )}
      <div className="mt-2 min-h-0 flex-1 overflow-y-auto px-2 pb-2" data-testid="conversation-list">
        {conversations.isSuccess && groups.length === 0 && (
          <p className="px-2.5 py-2 text-sm text-muted-foreground">
            {q ? t("sidebar.noMatch") : t("sidebar.empty")}
          </p>
        )}
        {groups.map((g) => (
          <section key={g.group} className="mb-3">
            <h2 className="px-2.5 pb-1 pt-2 text-xs font-medium text-muted-foreground">{t(`sidebar.${g.group}`)}</h2>
            <ul className="space-y-0.5">
              {g.items.map((c) => (
                <ConversationRow
                  key={c.id}
                  c={c}
                  onNavigate={closeOnMobile}
                  onRename={(x) => {
                    setTitle(x.title ?? "");
                    setRenaming(x);
                  }}
                  onDelete={setDeleting}
                />
              ))}
            </ul>
          </section>
        ))}
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
            <DropdownMenuSeparator />
            <DropdownMenuItem onSelect={onLogout}>
              <LogOut />
              {t("auth.logout")}
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      </div>

      <Dialog open={renaming_ !== null} onOpenChange={(o) => !o && setRenaming(null)}>
        <DialogContent title={t("sidebar.renameTitle")}>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              if (!renaming_ || !title.trim()) return;
              const res = await rename({ id: renaming_.id, title: title.trim() });
              if ("error" in res) toast.error(t("common.error"));
              else toast.success(t("sidebar.renamed"));
              setRenaming(null);
            }}
          >
            <Input value={title} onChange={(e) => setTitle(e.target.value)} aria-label={t("common.rename")} autoFocus maxLength={200} />
            <div className="mt-4 flex justify-end gap-2">
              <Button variant="ghost" onClick={() => setRenaming(null)}>
                {t("common.cancel")}
              </Button>
              <Button type="submit" disabled={renaming || !title.trim()}>
                {t("common.save")}
              </Button>
            </div>
          </form>
        </DialogContent>
      </Dialog>

      <Dialog open={deleting_ !== null} onOpenChange={(o) => !o && setDeleting(null)}>
        <DialogContent
          title={t("sidebar.deleteTitle")}
          description={t("sidebar.deleteBody", { title: deleting_?.title || t("sidebar.untitled") })}
        >
          <div className="flex justify-end gap-2">
            <Button variant="ghost" onClick={() => setDeleting(null)}>
              {t("common.cancel")}
            </Button>
            <Button
              variant="danger"
              disabled={deleting}
              data-testid="confirm-delete"
              onClick={async () => {
                if (!deleting_) return;
                const res = await remove(deleting_.id);
                if ("error" in res) toast.error(t("common.error"));
                else {
                  toast.success(t("sidebar.deleted"));
                  if (conversationId === deleting_.id) navigate("/");
                }
                setDeleting(null);
              }}
            >
              {t("common.delete")}
            </Button>
          </div>
        </DialogContent>
      </Dialog>
    </nav>
  );
}
