import { ChevronDown, PanelLeftOpen, SquarePen } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useConversationQuery } from "@/api/endpoints";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import { useAppDispatch, useAppSelector } from "@/store";
import { sidebarToggled } from "@/store/uiSlice";
import { ShortcutsDialog } from "@/features/shortcuts/ShortcutsDialog";
import { COMPOSER_SELECTOR, SEARCH_SELECTOR, focusSoon } from "@/features/shortcuts/shortcuts";
import { useShortcuts } from "@/features/shortcuts/useShortcuts";
import { documentTitle } from "./documentTitle";
import { ConversationMenu } from "./ConversationMenu";
import { Sidebar } from "./Sidebar";
import { useConversationActions } from "./useConversationActions";

function TopBar({ conversationId }: { conversationId: string | null }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const open = useAppSelector((s) => s.ui.sidebarOpen);
  const conv = useConversationQuery(conversationId ?? "", { skip: !conversationId });
  const title = conversationId ? conv.data?.title : null;
  const actions = useConversationActions();
  useEffect(() => {
    document.title = documentTitle(title);
  }, [title]);
  return (
    <header className="flex h-12 shrink-0 items-center gap-1 px-2">
      <div className={cn("flex items-center gap-1", open && "md:hidden")}>
        <Button variant="ghost" size="icon" aria-label={t("sidebar.open")} onClick={() => dispatch(sidebarToggled(true))}>
          <PanelLeftOpen />
        </Button>
        <Button variant="ghost" size="icon" aria-label={t("sidebar.newChat")} onClick={() => navigate("/")}>
          <SquarePen />
        </Button>
      </div>
      {/* The title opens the conversation's menu (as the sidebar row's "…" does). Centred on
          phones between the drawer buttons, left on wide screens; long titles truncate. */}
      <div className="flex min-w-0 flex-1 justify-center md:justify-start">
        {conversationId && conv.data ? (
          <ConversationMenu
            conversation={{ id: conv.data.id, title: conv.data.title, pinned: conv.data.pinned }}
            actions={actions}
          >
            <button
              type="button"
              aria-label={t("convSettings.headerMenu", { title: conv.data.title || t("sidebar.untitled") })}
              className="flex min-w-0 max-w-full items-center gap-1 rounded-lg px-2 py-1 text-sm font-medium hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring data-[state=open]:bg-accent"
              data-testid="conversation-menu"
            >
              <span className="truncate" data-testid="conversation-title">
                {conv.data.title || t("sidebar.untitled")}
              </span>
              <ChevronDown className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
            </button>
          </ConversationMenu>
        ) : (
          <p className="truncate px-2 text-sm font-medium" data-testid="conversation-title" />
        )}
      </div>
      {actions.dialogs}
    </header>
  );
}

/** Sidebar beside the content on wide screens; a drawer over it on phones. */
export function AppLayout({
  children,
  conversationId,
  onLogout,
  showTopBar = true,
}: {
  children: ReactNode;
  conversationId: string | null;
  onLogout: () => void;
  showTopBar?: boolean;
}) {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const open = useAppSelector((s) => s.ui.sidebarOpen);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  useShortcuts({
    newChat: () => {
      navigate("/");
      // After the route has rendered: the old conversation's composer is still there now.
      requestAnimationFrame(() => focusSoon(COMPOSER_SELECTOR));
    },
    search: () => {
      dispatch(sidebarToggled(true)); // on phones the search lives in the drawer
      focusSoon(SEARCH_SELECTOR);
    },
    focusComposer: () => focusSoon(COMPOSER_SELECTOR, 0),
    showShortcuts: () => setShortcutsOpen((o) => !o),
  });
  return (
    <div className="flex h-dvh w-full overflow-hidden">
      {open && (
        <div
          className="fixed inset-0 z-30 bg-black/30 md:hidden"
          aria-hidden="true"
          onClick={() => dispatch(sidebarToggled(false))}
        />
      )}
      <aside
        className={cn(
          "fixed inset-y-0 left-0 z-40 w-72 border-r border-border transition-transform md:static md:z-auto md:w-64 md:shrink-0",
          // Closed: off-screen and out of the tab order and accessibility tree.
          open ? "visible translate-x-0" : "invisible -translate-x-full md:hidden",
        )}
      >
        <Sidebar onLogout={onLogout} onShowShortcuts={() => setShortcutsOpen(true)} />
      </aside>
      <main className="flex min-w-0 flex-1 flex-col">
        {showTopBar && <TopBar conversationId={conversationId} />}
        <div className="min-h-0 flex-1">{children}</div>
      </main>
      <ShortcutsDialog open={shortcutsOpen} onOpenChange={setShortcutsOpen} />
    </div>
  );
}
