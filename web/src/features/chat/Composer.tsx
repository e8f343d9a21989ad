import { Paperclip } from "lucide-react";
import { useEffect, useId, useImperativeHandle, useLayoutEffect, useRef, useState, type ReactNode, type Ref } from "react";
import { useTranslation } from "react-i18next";
import type { FilePart, ImagePart } from "@/api/types";
import { browserResizer, type ImageResizer } from "./attachments";
import { AttachmentProblems } from "./composer/AttachmentProblems";
import { AttachmentTray } from "./composer/AttachmentTray";
import { SendStopButton } from "./composer/SendStopButton";
import { useAttachments } from "./composer/useAttachments";
import { joinTexts, useDraftText } from "./composer/useDraftText";
import { VisionNotice } from "./composer/VisionNotice";
import { onReturnedDraft } from "./drafts";
import { FileViewer } from "./FileAttachments";
import { ImageViewer } from "./ImageViewer";
import { ThinkToggle } from "./thinking/ThinkToggle";

/** What the chat view can ask of the composer: files dropped on the page, or a retry. */
export interface ComposerHandle {
  addFiles: (files: readonly File[]) => void;
  submit: () => void;
}

export interface ComposerProps {
  onSend: (text: string, images: ImagePart[], files: FilePart[]) => void;
  onStop: () => void;
  streaming: boolean;
  disabled?: boolean;
  modelLabel: string | null;
  /** The chosen model's name when it cannot read images (null: it can, or unknown). */
  noVisionModel?: string | null;
  /**
   * The chosen model's name when it cannot read images AND the conversation's branch already
   * holds some: the server would refuse any message, so sending waits for another model.
   */
  historyNoVisionModel?: string | null;
  /** Where the unsent text is kept (per user and conversation). */
  draftKey: string;
  toolbar?: ReactNode;
  /** Think on or off, for a model that can think; null or absent: no toggle. */
  thinking?: { on: boolean; onChange: (on: boolean) => void } | null;
  /** Tests inject a fake; the app uses the browser's canvas. */
  resizer?: ImageResizer;
  ref?: Ref<ComposerHandle>;
}

/**
 * Enter sends, Shift+Enter adds a line, Esc stops; the box grows with its text. Images and
 * text files come from the paperclip, a paste, or a drop on the chat (via `addFiles`); the
 * text is saved as a draft while typing.
 */
export function Composer({
  onSend,
  onStop,
  streaming,
  disabled,
  modelLabel,
  noVisionModel = null,
  historyNoVisionModel = null,
  draftKey,
  toolbar,
  thinking = null,
  resizer = browserResizer,
  ref,
}: ComposerProps) {
  const { t } = useTranslation();
  const { text, setText, clear: clearText } = useDraftText(draftKey);
  const attachments = useAttachments(resizer);
  const { items, problems, images, files, reading, addFiles, restore } = attachments;
  const [viewing, setViewing] = useState<string | null>(null);
  const [viewingFile, setViewingFile] = useState<FilePart | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const noticeId = useId();

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  useEffect(() => {
    if (!streaming) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onStop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [streaming, onStop]);

  // A send that failed before its answer started gives its message back.
  useEffect(
    () =>
      onReturnedDraft(draftKey, (d) => {
        setText((cur) => joinTexts(d.text, cur));
        restore(d);
      }),
    [draftKey, setText, restore],
  );

  const historyBlocked = historyNoVisionModel !== null;
  const visionBlocked = images.length > 0 && noVisionModel !== null;
  const hasContent = text.trim().length > 0 || images.length > 0 || files.length > 0;
  const canSend = !disabled && !streaming && !reading && !visionBlocked && !historyBlocked && hasContent;

  const send = () => {
    if (!canSend) return;
    onSend(text.trim(), images, files);
    clearText();
    attachments.clear();
  };
  useImperativeHandle(ref, () => ({ addFiles, submit: send }));

  return (
    <form
      className="rounded-2xl border border-border bg-card shadow-sm focus-within:border-input focus-within:shadow-md"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {items.length > 0 && (
        <AttachmentTray items={items} onRemove={attachments.remove} onViewImage={setViewing} onViewFile={setViewingFile} />
      )}
      {problems.length > 0 && <AttachmentProblems problems={problems} onDismiss={attachments.dismissProblems} />}
      {(historyBlocked || visionBlocked) && (
        <VisionNotice id={noticeId} model={historyBlocked ? historyNoVisionModel : noVisionModel} history={historyBlocked} />
      )}
      <textarea
        ref={box}
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
        onPaste={(e) => {
          const pasted = Array.from(e.clipboardData.files);
          if (pasted.length === 0) return;
          // Copied spreadsheet cells or a document also carry a picture of themselves: the
          // text is what was meant. A copied file carries only its own name as text.
          const plain = e.clipboardData.getData("text/plain").trim();
          if (plain && !pasted.some((f) => f.name && plain.includes(f.name))) return;
          e.preventDefault();
          addFiles(pasted);
        }}
        placeholder={modelLabel ? t("chat.placeholder", { model: modelLabel }) : t("chat.placeholderNoModel")}
        aria-label={t("chat.message")}
        className="block max-h-60 w-full resize-none bg-transparent px-4 pt-3.5 pb-1 leading-relaxed outline-none placeholder:text-muted-foreground"
        data-testid="composer-input"
      />
      <div className="flex items-center gap-1 px-2 pb-2">
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          onChange={(e) => {
            addFiles(Array.from(e.target.files ?? []));
            e.target.value = ""; // picking the same file again must fire again
          }}
          data-testid="attach-input"
        />
        <button
          type="button"
          onClick={() => fileInput.current?.click()}
          aria-label={t("chat.attach.add")}
          title={t("chat.attach.add")}
          className="inline-flex size-8 shrink-0 items-center justify-center rounded-lg text-muted-foreground hover:bg-accent hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
          data-testid="attach-button"
        >
          <Paperclip className="size-4" />
        </button>
        {thinking && <ThinkToggle on={thinking.on} onChange={thinking.onChange} />}
        <div className="min-w-0 flex-1">{toolbar}</div>
        <SendStopButton
          streaming={streaming}
          canSend={canSend}
          onStop={onStop}
          describedBy={historyBlocked || visionBlocked ? noticeId : undefined}
        />
      </div>
      <ImageViewer src={viewing} label={t("chat.attach.viewerTitleOne")} onClose={() => setViewing(null)} />
      <FileViewer file={viewingFile} onClose={() => setViewingFile(null)} />
    </form>
  );
}
