import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { ImagePart } from "@/api/types";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { cn } from "@/lib/utils";
import { toDataUrl } from "./attachments";

/** The larger view of one image: a labelled dialog, Esc or the close button ends it. */
export function ImageViewer({
  src,
  label,
  onClose,
}: {
  src: string | null;
  label: string;
  onClose: () => void;
}) {
  return (
    <Dialog open={src !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={label}
        className="w-auto min-w-72 max-w-[min(64rem,calc(100%-2rem))] p-3 sm:p-4"
        data-testid="image-viewer"
      >
        {src && (
          <img
            src={src}
            alt={label}
            className="mx-auto max-h-[75vh] w-auto max-w-full rounded-lg object-contain"
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

/**
 * A message's images as thumbnails; each opens the viewer (a button, so Enter and Space do
 * too). Parts with a media type other than the four image types are not drawn at all.
 */
export function MessageImages({ images, className }: { images: readonly ImagePart[]; className?: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<number | null>(null);
  const urls = images.map((p) => toDataUrl(p)).filter((u): u is string => u !== null);
  if (urls.length === 0) return null;
  return (
    <div className={cn("flex flex-wrap justify-end gap-2", className)} data-testid="message-images">
      {urls.map((url, i) => (
        <button
          key={i}
          type="button"
          onClick={() => setOpen(i)}
          aria-label={t("chat.attach.open", { n: i + 1, total: urls.length })}
          className="overflow-hidden rounded-xl border border-border bg-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
        >
          <img src={url} alt="" className="size-24 object-cover sm:size-28" data-testid="message-image" />
        </button>
      ))}
      <ImageViewer
        src={open !== null ? (urls[open] ?? null) : null}
        label={t("chat.attach.viewerTitle", { n: (open ?? 0) + 1, total: urls.length })}
        onClose={() => setOpen(null)}
      />
    </div>
  );
}
