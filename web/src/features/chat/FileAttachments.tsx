import { Check, Copy, FileText, Loader2, X } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { FilePart } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { cn } from "@/lib/utils";
import { formatBytes, utf8Bytes } from "./attachments";

/**
 * One attached text file opened: its name as the dialog title and its content as plain text
 * in a scrollable monospace block (React text, never HTML: a file is untrusted), with Copy.
 */
export function FileViewer({ file, onClose }: { file: FilePart | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [copied, setCopied] = useState(false);
  const lines = file ? file.text.split("\n").length - (file.text.endsWith("\n") ? 1 : 0) : 0;
  return (
    <Dialog
      open={file !== null}
      onOpenChange={(open) => {
        if (!open) {
          setCopied(false);
          onClose();
        }
      }}
    >
      <DialogContent
        title={file?.name ?? ""}
        className="flex max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-4xl flex-col p-4 sm:p-5 [&>h2]:truncate [&>h2]:pr-8"
        data-testid="file-viewer"
      >
        {file && (
          <div className="flex min-h-0 flex-col gap-3">
            <div className="flex items-center gap-3 text-sm text-muted-foreground">
              <span className="min-w-0 flex-1 truncate" data-testid="file-viewer-meta">
                {t("chat.files.meta", {
                  type: file.media_type,
                  size: formatBytes(utf8Bytes(file.text), i18n.language),
                  count: lines,
                })}
              </span>
              <Button
                size="sm"
                variant="outline"
                onClick={async () => {
                  try {
                    await navigator.clipboard.writeText(file.text);
                    setCopied(true);
                    setTimeout(() => setCopied(false), 1500);
                  } catch {
                    /* clipboard refused */
                  }
                }}
              >
                {copied ? <Check /> : <Copy />}
                {copied ? t("common.copied") : t("common.copy")}
              </Button>
            </div>
            <pre
              className="max-h-[65vh] min-h-0 overflow-auto rounded-lg border border-border bg-muted/60 p-3 font-mono text-xs leading-relaxed whitespace-pre text-foreground"
              tabIndex={0}
              aria-label={t("chat.files.content", { name: file.name })}
              data-testid="file-viewer-text"
            >
              {file.text}
            </pre>
          </div>
        )}
      </DialogContent>
    </Dialog>
  );
}

/**
 * A file as a chip: icon, name and size. A button that opens the file when `onOpen` is
 * given (Enter and Space too); a × when `onRemove` is given; a spinner while it is read.
 */
export function FileChip({
  file,
  name,
  onOpen,
  onRemove,
  className,
}: {
  /** null while the file is being read. */
  file: FilePart | null;
  name: string;
  onOpen?: () => void;
  onRemove?: () => void;
  className?: string;
}) {
  const { t, i18n } = useTranslation();
  const body = (
    <>
      <span className="flex size-9 shrink-0 items-center justify-center rounded-md bg-primary/10 text-primary">
        {file ? <FileText className="size-4.5" /> : <Loader2 className="size-4 animate-spin" />}
      </span>
      <span className="flex min-w-0 flex-col text-left leading-tight">
        <span className="truncate text-sm font-medium text-foreground" title={name} data-testid="file-chip-name">
          {name}
        </span>
        <span className="truncate text-xs text-muted-foreground">
          {file ? formatBytes(utf8Bytes(file.text), i18n.language) : t("chat.files.reading")}
        </span>
      </span>
    </>
  );
  const shell =
    "flex h-14 w-52 max-w-full items-center gap-2.5 rounded-xl border border-border bg-card px-2.5 shadow-xs";
  return (
    <li
      className={cn("relative shrink-0 list-none", className)}
      data-testid="file-chip"
      data-state={file ? "ready" : "reading"}
    >
      {file && onOpen ? (
        <button
          type="button"
          onClick={onOpen}
          aria-label={t("chat.files.open", { name })}
          className={cn(
            shell,
            "hover:bg-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring",
          )}
        >
          {body}
        </button>
      ) : (
        <div className={shell} role={file ? undefined : "status"} aria-label={file ? undefined : t("chat.files.readingName", { name })}>
          {body}
        </div>
      )}
      {onRemove && (
        <button
          type="button"
          onClick={onRemove}
          aria-label={t("chat.attach.remove", { name })}
          title={t("chat.attach.remove", { name })}
          className="absolute -top-1.5 -right-1.5 inline-flex size-5 items-center justify-center rounded-full border border-border bg-foreground text-background shadow hover:opacity-90 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring"
        >
          <X className="size-3" strokeWidth={3} />
        </button>
      )}
    </li>
  );
}

/** A sent message's files as chips; each opens the viewer. */
export function MessageFiles({ files, className }: { files: readonly FilePart[]; className?: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<number | null>(null);
  if (files.length === 0) return null;
  return (
    <>
      <ul
        className={cn("flex flex-wrap justify-end gap-2", className)}
        aria-label={t("chat.files.list")}
        data-testid="message-files"
      >
        {files.map((f, i) => (
          <FileChip key={i} file={f} name={f.name} onOpen={() => setOpen(i)} />
        ))}
      </ul>
      <FileViewer file={open !== null ? (files[open] ?? null) : null} onClose={() => setOpen(null)} />
    </>
  );
}
