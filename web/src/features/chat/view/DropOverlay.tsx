import { Paperclip } from "lucide-react";
import { useTranslation } from "react-i18next";
import { MAX_ATTACHMENTS } from "../attachments";

/** Covers the chat while files are dragged over it: dropping attaches them. */
export function DropOverlay() {
  const { t } = useTranslation();
  return (
    <div
      className="pointer-events-none absolute inset-0 z-40 flex items-center justify-center bg-background/80 p-3 backdrop-blur-sm"
      data-testid="drop-overlay"
      aria-hidden="true"
    >
      <div className="flex size-full flex-col items-center justify-center gap-2 rounded-2xl border-2 border-dashed border-primary bg-primary/5 px-4 text-center">
        <Paperclip className="size-10 text-primary" />
        <p className="font-serif text-2xl text-foreground">{t("chat.attach.dropTitle")}</p>
        <p className="text-sm text-muted-foreground">{t("chat.attach.dropHint", { max: MAX_ATTACHMENTS })}</p>
      </div>
    </div>
  );
}
