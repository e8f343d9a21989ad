import { AlertTriangle, ImageOff } from "lucide-react";
import { useTranslation } from "react-i18next";
import { cn } from "@/lib/utils";

/**
 * Why Send waits for another model: the conversation already holds images (`history`: calm,
 * a status; nothing went wrong, the user only switched models), or the attached images cannot
 * be read by it (an alert).
 */
export function VisionNotice({ id, model, history }: { id: string; model: string | null; history: boolean }) {
  const { t } = useTranslation();
  const Icon = history ? ImageOff : AlertTriangle;
  return (
    <p
      role={history ? "status" : "alert"}
      id={id}
      className={cn(
        "mx-3 mt-3 flex items-start gap-2 rounded-lg border px-3 py-2 text-sm",
        history ? "border-border bg-muted/60" : "border-warning/40 bg-warning/10",
      )}
      data-testid={history ? "history-vision-notice" : "vision-notice"}
    >
      <Icon className={cn("mt-0.5 size-4 shrink-0", history ? "text-muted-foreground" : "text-warning")} />
      <span>{t(history ? "chat.attach.historyNoVision" : "chat.attach.noVision", { model })}</span>
    </p>
  );
}
