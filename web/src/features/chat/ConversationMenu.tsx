import { Download, FileJson, Pencil, SlidersHorizontal, Star, StarOff, Trash2 } from "lucide-react";
import type { ComponentProps, ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import type { ConversationActions, ConversationRef } from "./useConversationActions";

/**
 * A conversation's menu: Star/Unstar, Rename, Conversation settings, Export (Markdown, JSON),
 * Delete. The same items wherever it opens (a sidebar row's "…", the chat header's title);
 * `children` is the trigger, a button the caller labels and styles.
 */
export function ConversationMenu({
  conversation: c,
  actions,
  children,
  align = "start",
  contentProps,
}: {
  conversation: ConversationRef;
  actions: Omit<ConversationActions, "dialogs">;
  /** The trigger: one focusable element (rendered with `asChild`). */
  children: ReactNode;
  align?: "start" | "center" | "end";
  contentProps?: Omit<ComponentProps<typeof DropdownMenuContent>, "children">;
}) {
  const { t } = useTranslation();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>{children}</DropdownMenuTrigger>
      <DropdownMenuContent align={align} collisionPadding={8} className="min-w-52" {...contentProps}>
        <DropdownMenuItem onSelect={() => actions.star(c)}>
          {c.pinned ? <StarOff /> : <Star />}
          {c.pinned ? t("sidebar.unstar") : t("sidebar.star")}
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => actions.rename(c)}>
          <Pencil />
          {t("common.rename")}
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => actions.settings(c)}>
          <SlidersHorizontal />
          {t("convSettings.menuItem")}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => actions.exportAs(c, "markdown")}>
          <Download />
          {t("sidebar.exportMarkdown")}
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => actions.exportAs(c, "json")}>
          <FileJson />
          {t("sidebar.exportJson")}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem danger onSelect={() => actions.remove(c)}>
          <Trash2 />
          {t("common.delete")}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
