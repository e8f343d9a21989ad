import { AlertTriangle, X } from "lucide-react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import {
  MAX_ATTACHMENTS,
  MAX_FILE_CHARS,
  MAX_FILES_CHARS,
  MAX_INPUT_BYTES,
  type AttachmentProblem,
} from "../attachments";

/** Why a file was not attached, in the user's words. */
function problemText(t: TFunction, p: AttachmentProblem): string {
  switch (p.kind) {
    case "type":
      return t("chat.attach.badType", { name: p.name });
    case "size":
      return t("chat.attach.tooLarge", { name: p.name, mb: Math.round(MAX_INPUT_BYTES / 1024 / 1024) });
    case "count":
      return t("chat.attach.tooMany", { max: MAX_ATTACHMENTS, count: Number(p.name) });
    case "binary":
      return t("chat.files.binary", { name: p.name });
    case "pdf":
      return t("chat.files.pdf", { name: p.name });
    case "office":
      return t("chat.files.office", { name: p.name });
    case "textSize":
      return t("chat.files.tooLarge", { name: p.name, kb: Math.round(MAX_FILE_CHARS / 1000) });
    case "total":
      return t("chat.files.total", { name: p.name, max: (MAX_FILES_CHARS / 1_000_000).toLocaleString() });
    default:
      return t("chat.attach.unreadable", { name: p.name });
  }
}

/** The files that could not be attached, as one alert the user can dismiss. */
export function AttachmentProblems({
  problems,
  onDismiss,
}: {
  problems: readonly AttachmentProblem[];
  onDismiss: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div
      role="alert"
      className="mx-3 mt-3 flex items-start gap-2 rounded-lg border border-danger/40 bg-danger/5 px-3 py-2 text-sm"
      data-testid="attach-problems"
    >
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-danger" />
      <ul className="min-w-0 flex-1 space-y-0.5">
        {problems.map((p, i) => (
          <li key={i} className="break-words">
            {problemText(t, p)}
          </li>
        ))}
      </ul>
      <button
        type="button"
        onClick={onDismiss}
        aria-label={t("chat.attach.dismiss")}
        className="rounded p-0.5 text-muted-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
      >
        <X className="size-3.5" />
      </button>
    </div>
  );
}
