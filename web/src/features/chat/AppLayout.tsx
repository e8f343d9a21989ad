import { PanelLeftOpen, SquarePen } from "lucide-react";
import { useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useConversationQuery } from "@/api/endpoints";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import { useAppDispatch, useAppSelector } from "@/store";
import { sidebarToggled } from "@/store/uiSlice";
import { Sidebar } from "./Sidebar";

function TopBar({ conversationId }: { conversationId: string | null }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const open = useAppSelector((s) => s.ui.sidebarOpen);
  const conv = useConversationQuery(conversationId ?? "", { skip: !conversationId });
  const title = conversationId ? conv.data?.title : null;
  useEffect(() => {
    document.title = title ? `${title} · Polychat` : "Polychat";
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
      <p className="min-w-0 flex-1 truncate px-2 text-center text-sm font-medium md:text-left" data-testid="conversation-title">
        {conversationId ? (conv.data?.title ?? "") : ""}
      </p>
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
  const open = useAppSelector((s) => s.ui.sidebarOpen);
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
        <Sidebar onLogout={onLogout} />
      </aside>
      <main className="flex min-w-0 flex-1 flex-col">
        {showTopBar && <TopBar conversationId={conversationId} />}
        <div className="min-h-0 flex-1">{children}</div>
      </main>
    </div>
  );
}
