import { AlertTriangle, ArrowUp, ImageOff, Loader2, Paperclip, Square, X } from "lucide-react";
import {
  useCallback,
  useEffect,
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type ReactNode,
  type Ref,
} from "react";
import { useTranslation } from "react-i18next";
import type { FilePart, ImagePart } from "@/api/types";
import { cn } from "@/lib/utils";
import {
  AttachmentError,
  MAX_ATTACHMENTS,
  MAX_FILE_CHARS,
  MAX_FILES_CHARS,
  MAX_INPUT_BYTES,
  browserResizer,
  isImageType,
  prepareImage,
  readTextFile,
  screenFiles,
  toDataUrl,
  type AttachmentProblem,
  type ImageResizer,
} from "./attachments";
import { loadDraftText, onReturnedDraft, saveDraftText } from "./drafts";
import { FileChip, FileViewer } from "./FileAttachments";
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

interface Item {
  id: number;
  name: string;
  /** An image, or a text file (read as UTF-8, shown as a chip). */
  kind: "image" | "file";
  /** null while the file is being read and resized. */
  image: ImagePart | null;
  /** The text file once read (null while reading, or for an image). */
  file: FilePart | null;
  /** Pixel size as it will be sent (after any downscaling), when known. */
  size?: { width: number; height: number };
}

const SAVE_DELAY_MS = 400;
let nextId = 1;

function joinTexts(returned: string, current: string): string {
  if (!current.trim() || current === returned) return returned;
  if (!returned.trim()) return current;
  return `${returned}\n\n${current}`;
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
  const [text, setText] = useState(() => loadDraftText(draftKey));
  const [items, setItems] = useState<Item[]>([]);
  const [problems, setProblems] = useState<AttachmentProblem[]>([]);
  const [viewing, setViewing] = useState<string | null>(null);
  const [viewingFile, setViewingFile] = useState<FilePart | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const alive = useRef(true);
  // For callbacks that outlive a render: the draft flush on leave, and addFiles' count.
  const latestText = useRef(text);
  const count = useRef(0);
  // Characters of the text files read so far, by item: a file that would take the message
  // past the server's total is refused as it finishes reading (two may finish in one tick).
  const fileChars = useRef(new Map<number, number>());
  useLayoutEffect(() => {
    latestText.current = text;
    count.current = items.length;
    for (const id of [...fileChars.current.keys()]) {
      if (!items.some((it) => it.id === id)) fileChars.current.delete(id);
    }
  });

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

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

  // The draft: saved a moment after typing stops, and at once when leaving or hiding the page.
  useEffect(() => {
    const timer = setTimeout(() => saveDraftText(draftKey, text), SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draftKey, text]);
  useEffect(() => {
    const flush = () => saveDraftText(draftKey, latestText.current);
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, [draftKey]);

  // A send that failed before its answer started gives its message back.
  useEffect(
    () =>
      onReturnedDraft(draftKey, (d) => {
        setText((cur) => joinTexts(d.text, cur));
        setItems((cur) =>
          [
            ...d.images.map((image): Item => ({ id: nextId++, name: "", kind: "image", image, file: null })),
            ...(d.files ?? []).map((file): Item => {
              const id = nextId++;
              fileChars.current.set(id, file.text.length);
              return { id, name: file.name, kind: "file", image: null, file };
            }),
            ...cur,
          ].slice(0, MAX_ATTACHMENTS),
        );
      }),
    [draftKey],
  );

  const addFiles = useCallback(
    (files: readonly File[]) => {
      if (files.length === 0) return;
      const { accepted, problems: found } = screenFiles(files, count.current);
      setProblems(found);
      const added = accepted.map((f) => ({
        id: nextId++,
        name: f.name,
        kind: isImageType(f.type) ? ("image" as const) : ("file" as const),
        blob: f,
      }));
      count.current += added.length;
      setItems((cur) => [
        ...cur,
        ...added.map(({ id, name, kind }): Item => ({ id, name, kind, image: null, file: null })),
      ]);
      const refuse = (id: number, name: string, err: unknown) => {
        if (!alive.current) return;
        const kind = err instanceof AttachmentError ? err.kind : "read";
        setItems((cur) => cur.filter((it) => it.id !== id));
        setProblems((cur) => [...cur, { kind, name }]);
      };
      for (const a of added) {
        if (a.kind === "file") {
          readTextFile(a.blob).then((file) => {
            if (!alive.current) return;
            let used = 0;
            for (const n of fileChars.current.values()) used += n;
            if (used + file.text.length > MAX_FILES_CHARS) {
              refuse(a.id, a.name, new AttachmentError("total", a.name));
              return;
            }
            fileChars.current.set(a.id, file.text.length);
            setItems((cur) => cur.map((it) => (it.id === a.id ? { ...it, name: file.name, file } : it)));
          }, (err: unknown) => refuse(a.id, a.name, err));
          continue;
        }
        prepareImage(a.blob, resizer).then(
          (img) => {
            if (!alive.current) return;
            const part: ImagePart = { media_type: img.media_type, data: img.data };
            const size = { width: img.width, height: img.height };
            setItems((cur) => cur.map((it) => (it.id === a.id ? { ...it, image: part, size } : it)));
          },
          (err: unknown) => refuse(a.id, a.name, err),
        );
      }
    },
    [resizer],
  );

  const reading = items.some((it) => it.image === null && it.file === null);
  const images = items.flatMap((it) => (it.image ? [it.image] : []));
  const files = items.flatMap((it) => (it.file ? [it.file] : []));
  const historyBlocked = historyNoVisionModel !== null;
  const visionBlocked = images.length > 0 && noVisionModel !== null;
  const hasContent = text.trim().length > 0 || images.length > 0 || files.length > 0;
  const canSend = !disabled && !streaming && !reading && !visionBlocked && !historyBlocked && hasContent;
  const noticeId = useId();

  const send = () => {
    if (!canSend) return;
    onSend(text.trim(), images, files);
    setText("");
    setItems([]);
    setProblems([]);
    // Sending may unmount this composer (a new chat changes layout) before a render updates
    // the ref: its last draft flush must not write the sent text back.
    latestText.current = "";
    saveDraftText(draftKey, "");
  };
  useImperativeHandle(ref, () => ({ addFiles, submit: send }));

  const problemText = (p: AttachmentProblem): string => {
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
  };

  return (
    <form
      className="rounded-2xl border border-border bg-card shadow-sm focus-within:border-input focus-within:shadow-md"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {items.length > 0 && (
        <ul className="flex flex-wrap items-center gap-2 px-3 pt-3" aria-label={t("chat.attach.list")} data-testid="attachment-tray">
          {items.map((it, i) => {
            if (it.kind === "file") {
              const file = it.file;
              return (
                <FileChip
                  key={it.id}
                  file={file}
                  name={it.name}
                  onOpen={file ? () => setViewingFile(file) : undefined}
                  onRemove={() => setItems((cur) => cur.filter((x) => x.id !== it.id))}
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
                    onClick={() => setViewing(url)}
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
                  onClick={() => setItems((cur) => cur.filter((x) => x.id !== it.id))}
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
      )}
      {problems.length > 0 && (
        <div
          role="alert"
          className="mx-3 mt-3 flex items-start gap-2 rounded-lg border border-danger/40 bg-danger/5 px-3 py-2 text-sm"
          data-testid="attach-problems"
        >
          <AlertTriangle className="mt-0.5 size-4 shrink-0 text-danger" />
          <ul className="min-w-0 flex-1 space-y-0.5">
            {problems.map((p, i) => (
              <li key={i} className="break-words">
                {problemText(p)}
              </li>
            ))}
          </ul>
          <button
            type="button"
            onClick={() => setProblems([])}
            aria-label={t("chat.attach.dismiss")}
            className="rounded p-0.5 text-muted-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
          >
            <X className="size-3.5" />
          </button>
        </div>
      )}
      {historyBlocked ? (
        // Calm: nothing went wrong yet, the user only switched models. A status, not an alert.
        <p
          role="status"
          id={noticeId}
          className="mx-3 mt-3 flex items-start gap-2 rounded-lg border border-border bg-muted/60 px-3 py-2 text-sm"
          data-testid="history-vision-notice"
        >
          <ImageOff className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
          <span>{t("chat.attach.historyNoVision", { model: historyNoVisionModel })}</span>
        </p>
      ) : visionBlocked && (
        <p
          role="alert"
          id={noticeId}
          className="mx-3 mt-3 flex items-start gap-2 rounded-lg border border-warning/40 bg-warning/10 px-3 py-2 text-sm"
          data-testid="vision-notice"
        >
          <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" />
          <span>{t("chat.attach.noVision", { model: noVisionModel })}</span>
        </p>
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
          const files = Array.from(e.clipboardData.files);
          if (files.length === 0) return;
          // Copied spreadsheet cells or a document also carry a picture of themselves: the
          // text is what was meant. A copied file carries only its own name as text.
          const plain = e.clipboardData.getData("text/plain").trim();
          if (plain && !files.some((f) => f.name && plain.includes(f.name))) return;
          e.preventDefault();
          addFiles(files);
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
        {streaming ? (
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
            aria-describedby={historyBlocked || visionBlocked ? noticeId : undefined}
            className={cn(
              "inline-flex size-8 items-center justify-center rounded-lg transition-colors focus-visible:outline-2 focus-visible:outline-ring",
              canSend ? "bg-primary text-primary-foreground hover:opacity-90" : "bg-muted text-muted-foreground",
            )}
            data-testid="send-button"
          >
            <ArrowUp className="size-4" />
          </button>
        )}
      </div>
      <ImageViewer src={viewing} label={t("chat.attach.viewerTitleOne")} onClose={() => setViewing(null)} />
      <FileViewer file={viewingFile} onClose={() => setViewingFile(null)} />
    </form>
  );
}
