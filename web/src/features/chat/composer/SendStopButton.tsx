import { ArrowUp, Square } from "lucide-react";
import { useTranslation } from "react-i18next";
import { cn } from "@/lib/utils";

/** Stop while an answer streams, else Send (a submit button, off until there is something to send). */
export function SendStopButton({
  streaming,
  canSend,
  onStop,
  describedBy,
}: {
  streaming: boolean;
  canSend: boolean;
  onStop: () => void;
  /** The notice saying why Send is off, if any. */
  describedBy?: string;
}) {
  const { t } = useTranslation();
  return streaming ? (
    <button
      key="stop"
      type="button"
      onClick={onStop}
      aria-label={t("chat.stop")}
      title={`${t("chat.stop")} (Esc)`}
      className="inline-flex size-8 items-center justify-center rounded-lg bg-foreground text-background hover:opacity-90 focus-visible:outline-2 focus-visible:outline-ring"
      data-testid="stop-button"
    >
      <Square className="size-3.5 fill-current" />
    </button>
  ) : (
    // Keyed apart: one element morphing from Stop would fade its dark colour into Send's.
    <button
      key="send"
      type="submit"
      disabled={!canSend}
      aria-label={t("chat.send")}
      aria-describedby={describedBy}
      className={cn(
        "inline-flex size-8 items-center justify-center rounded-lg transition-colors focus-visible:outline-2 focus-visible:outline-ring",
        canSend ? "bg-primary text-primary-foreground hover:opacity-90" : "bg-muted text-muted-foreground",
      )}
      data-testid="send-button"
    >
      <ArrowUp className="size-4" />
    </button>
  );
}
