import { AlertTriangle, ImageOff } from "lucide-react";
import { useTranslation } from "react-i18next";

/**
 * Why Send waits for another model: the conversation already holds images (`history`: calm,
 * a status; nothing went wrong, the user only switched models), or the attached images cannot
 * be read by it (an alert).
 */
export function VisionNotice({ id, model, history }: { id: string; model: string | null; history: boolean }) {
  const { t } = useTranslation();
  if (history) {
    return (
      <p
        role="status"
        id={id}
        className="mx-3 mt-3 flex items-start gap-2 rounded-lg border border-border bg-muted/60 px-3 py-2 text-sm"
        data-testid="history-vision-notice"
      >
        <ImageOff className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
        <span>{t("chat.attach.historyNoVision", { model })}</span>
      </p>
    );
  }
  return (
    <p
      role="alert"
      id={id}
      className="mx-3 mt-3 flex items-start gap-2 rounded-lg border border-warning/40 bg-warning/10 px-3 py-2 text-sm"
      data-testid="vision-notice"
    >
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" />
      <span>{t("chat.attach.noVision", { model })}</span>
    </p>
  );
}
