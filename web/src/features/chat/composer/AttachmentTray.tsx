import { Loader2, X } from "lucide-react";
import { useTranslation } from "react-i18next";
import type { FilePart } from "@/api/types";
import { toDataUrl } from "../attachments";
import { FileChip } from "../FileAttachments";
import type { Attachment } from "./useAttachments";

/** The attachments above the text: thumbnails (a spinner while reading) and file chips. */
export function AttachmentTray({
  items,
  onRemove,
  onViewImage,
  onViewFile,
}: {
  items: readonly Attachment[];
  onRemove: (id: number) => void;
  onViewImage: (url: string) => void;
  onViewFile: (file: FilePart) => void;
}) {
  const { t } = useTranslation();
  return (
    <ul className="flex flex-wrap items-center gap-2 px-3 pt-3" aria-label={t("chat.attach.list")} data-testid="attachment-tray">
      {items.map((it, i) => {
        if (it.kind === "file") {
          const file = it.file;
          return (
            <FileChip
              key={it.id}
              file={file}
              name={it.name}
              onOpen={file ? () => onViewFile(file) : undefined}
              onRemove={() => onRemove(it.id)}
            />
          );
        }
        const url = it.image ? toDataUrl(it.image) : null;
        const label = it.name || t("chat.attach.imageN", { n: i + 1 });
        return (
          <li
            key={it.id}
            className="relative size-16 shrink-0"
            data-testid="attachment-thumb"
            data-state={it.image ? "ready" : "reading"}
            data-type={it.image?.media_type}
            data-size={it.size ? `${it.size.width}x${it.size.height}` : undefined}
          >
            {url ? (
              <button
                type="button"
                onClick={() => onViewImage(url)}
                aria-label={t("chat.attach.preview", { name: label })}
                className="block size-16 overflow-hidden rounded-lg border border-border bg-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
              >
                <img src={url} alt="" className="size-full object-cover" />
              </button>
            ) : (
              <div
                role="status"
                aria-label={t("chat.attach.reading", { name: label })}
                className="flex size-16 items-center justify-center rounded-lg border border-border bg-muted"
              >
                <Loader2 className="size-5 animate-spin text-muted-foreground" />
              </div>
            )}
            <button
              type="button"
              onClick={() => onRemove(it.id)}
              aria-label={t("chat.attach.remove", { name: label })}
              title={t("chat.attach.remove", { name: label })}
              className="absolute -top-1.5 -right-1.5 inline-flex size-5 items-center justify-center rounded-full border border-border bg-foreground text-background shadow hover:opacity-90 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring"
            >
              <X className="size-3" strokeWidth={3} />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
