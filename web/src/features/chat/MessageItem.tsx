import { AlertCircle, AlertTriangle, RotateCcw, X } from "lucide-react";
import { memo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { ChatMessage, FilePart, ImagePart } from "@/api/types";
import { Button } from "@/components/ui/button";
import { ProviderIcon } from "@/features/providers/ProviderIcon";
import { toDataUrl } from "./attachments";
import { countMessageRender } from "./blocks";
import { FileChip, FileViewer, MessageFiles } from "./FileAttachments";
import { MessageImages } from "./ImageViewer";
import { Markdown } from "./Markdown";
import { ThinkingBlock } from "./thinking/ThinkingBlock";
import {
  BranchNav,
  CopyButton,
  DetailsButton,
  EditButton,
  RegenerateButton,
} from "./MessageActions";

export interface MessageHandlers {
  onRegenerate: (message: ChatMessage) => void;
  /**
   * `images` and `files`: the message's attachments the user kept; they are sent again with
   * the new text.
   */
  onEdit: (message: ChatMessage, text: string, images: readonly ImagePart[], files: readonly FilePart[]) => void;
  /** The edit box was closed without sending (a returned edit is then forgotten). */
  onEditClosed: () => void;
  onSelectBranch: (siblingId: string) => void;
}

/** An edit the server refused before answering: it comes back into its edit box. */
export interface ReturnedEdit {
  messageId: string;
  text: string;
  images: readonly ImagePart[];
  files?: readonly FilePart[];
  error: string;
  retryable: boolean;
}

/** What the server's vision check means for one message's edit box. */
export interface VisionContext {
  /** The chosen model's name when it cannot read images; null when it can (or unknown). */
  noVisionModel: string | null;
  /** Messages before this one on the branch hold images (an edit is sent with them). */
  imagesBefore: boolean;
}

export function ErrorNotice({
  message,
  onRetry,
}: {
  message: string;
  onRetry?: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div
      role="alert"
      className="mt-2 flex flex-wrap items-center gap-3 rounded-lg border border-danger/40 bg-danger/5 px-3 py-2 text-sm"
    >
      <AlertCircle className="size-4 shrink-0 text-danger" />
      <span className="min-w-0 flex-1">
        <span className="font-medium text-danger">{t("chat.errorTitle")}</span>
        {message && <span className="text-foreground">: {message}</span>}
      </span>
      {onRetry && (
        <Button size="sm" variant="outline" onClick={onRetry}>
          <RotateCcw />
          {t("common.retry")}
        </Button>
      )}
    </div>
  );
}

export function UserBubble({ text }: { text: string }) {
  return (
    <div className="ml-auto w-fit max-w-[85%] whitespace-pre-wrap break-words rounded-2xl bg-muted px-4 py-2.5 leading-relaxed">
      {text}
    </div>
  );
}

function UserMessage({
  message,
  handlers,
  busy,
  vision,
  returned,
}: {
  message: ChatMessage;
  handlers: MessageHandlers;
  busy: boolean;
  vision: VisionContext;
  returned: ReturnedEdit | null;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(returned !== null);
  const [draft, setDraft] = useState(returned?.text ?? message.content);
  const [kept, setKept] = useState<readonly ImagePart[]>(returned?.images ?? message.images ?? []);
  const [keptFiles, setKeptFiles] = useState<readonly FilePart[]>(returned?.files ?? message.files ?? []);
  const [viewingFile, setViewingFile] = useState<FilePart | null>(null);
  // A refused edit coming back opens the box again with what was sent (state adjusted while
  // rendering: React's way to follow a prop).
  const [seenReturn, setSeenReturn] = useState(returned);
  if (returned !== seenReturn) {
    setSeenReturn(returned);
    if (returned) {
      setEditing(true);
      setDraft(returned.text);
      setKept(returned.images);
      setKeptFiles(returned.files ?? []);
    }
  }
  const images = message.images ?? [];
  const files = message.files ?? [];
  if (editing) {
    // The server sends the branch before this message plus the edited one: a model without
    // vision is refused if either holds an image. Removing the kept images fixes the second.
    const historyBlocked = vision.noVisionModel !== null && vision.imagesBefore;
    const keptBlocked = vision.noVisionModel !== null && kept.length > 0;
    const canSubmit =
      (draft.trim().length > 0 || kept.length > 0 || keptFiles.length > 0) && !busy && !historyBlocked && !keptBlocked;
    const submit = () => {
      if (!canSubmit) return;
      setEditing(false);
      handlers.onEdit(message, draft.trim(), kept, keptFiles);
    };
    return (
      <div className="ml-auto w-full max-w-[85%] rounded-2xl border border-border bg-card p-3" data-testid="edit-box">
        <textarea
          aria-label={t("chat.edit")}
          className="min-h-20 w-full resize-y bg-transparent leading-relaxed outline-none"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          autoFocus
        />
        {kept.length > 0 && (
          <ul className="mt-2 flex flex-wrap gap-2" aria-label={t("chat.attach.list")}>
            {kept.map((img, i) => {
              const url = toDataUrl(img);
              const label = t("chat.attach.imageN", { n: i + 1 });
              return (
                url && (
                  <li key={i} className="relative size-14">
                    <img src={url} alt="" className="size-14 rounded-lg border border-border object-cover" />
                    <button
                      type="button"
                      onClick={() => setKept((cur) => cur.filter((x) => x !== img))}
                      aria-label={t("chat.attach.remove", { name: label })}
                      title={t("chat.attach.remove", { name: label })}
                      className="absolute -top-1.5 -right-1.5 inline-flex size-5 items-center justify-center rounded-full bg-foreground text-background shadow focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring"
                    >
                      <X className="size-3" strokeWidth={3} />
                    </button>
                  </li>
                )
              );
            })}
          </ul>
        )}
        {keptFiles.length > 0 && (
          <ul className="mt-2 flex flex-wrap gap-2" aria-label={t("chat.files.list")} data-testid="edit-files">
            {keptFiles.map((f, i) => (
              <FileChip
                key={i}
                file={f}
                name={f.name}
                onOpen={() => setViewingFile(f)}
                onRemove={() => setKeptFiles((cur) => cur.filter((x) => x !== f))}
              />
            ))}
          </ul>
        )}
        <FileViewer file={viewingFile} onClose={() => setViewingFile(null)} />
        {(historyBlocked || keptBlocked) && (
          <p
            role="alert"
            className="mt-2 flex items-start gap-2 rounded-lg border border-warning/40 bg-warning/10 px-3 py-2 text-sm"
            data-testid="edit-vision-notice"
          >
            <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" />
            <span>
              {historyBlocked
                ? t("chat.attach.historyNoVision", { model: vision.noVisionModel })
                : t("chat.attach.noVision", { model: vision.noVisionModel })}
            </span>
          </p>
        )}
        {returned && (
          <ErrorNotice message={returned.error} onRetry={returned.retryable && canSubmit ? submit : undefined} />
        )}
        <div className="mt-2 flex justify-end gap-2">
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setEditing(false);
              handlers.onEditClosed();
            }}
          >
            {t("common.cancel")}
          </Button>
          <Button size="sm" disabled={!canSubmit} onClick={submit}>
            {t("chat.saveAndSubmit")}
          </Button>
        </div>
      </div>
    );
  }
  return (
    <div className="group flex flex-col items-end" data-role="user">
      {files.length > 0 && <MessageFiles files={files} className="mb-1.5" />}
      {images.length > 0 && <MessageImages images={images} className="mb-1.5" />}
      {message.content && <UserBubble text={message.content} />}
      <div className="mt-1 flex items-center gap-0.5">
        <BranchNav message={message} onSelect={handlers.onSelectBranch} />
        <span className="flex items-center gap-0.5 opacity-100 transition-opacity md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
          <CopyButton text={message.content} />
        <EditButton
          disabled={busy}
          onClick={() => {
            setDraft(message.content);
            setKept(message.images ?? []);
            setKeptFiles(message.files ?? []);
            setEditing(true);
          }}
        />
        </span>
      </div>
    </div>
  );
}

function AssistantMessage({
  message,
  handlers,
  busy,
}: {
  message: ChatMessage;
  handlers: MessageHandlers;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="group flex gap-3" data-role="assistant" data-status={message.status}>
      <div className="mt-1 hidden sm:block">
        {message.provider && <ProviderIcon provider={message.provider} size="sm" />}
      </div>
      <div className="min-w-0 flex-1">
        {message.thinking && (
          <ThinkingBlock text={message.thinking.text} live={false} durationMs={message.thinking.duration_ms} />
        )}
        {message.content && (
          <div className="prose-chat" data-testid="assistant-text">
            <Markdown text={message.content} />
          </div>
        )}
        {message.status === "stopped" && (
          <p className="mt-1 text-xs italic text-muted-foreground">{t("chat.stopped")}</p>
        )}
        {message.status === "interrupted" && (
          <p className="mt-1 text-xs italic text-muted-foreground">{t("chat.interrupted")}</p>
        )}
        {message.status === "error" && (
          <ErrorNotice
            message={message.error?.message ?? ""}
            onRetry={busy ? undefined : () => handlers.onRegenerate(message)}
          />
        )}
        <div className="mt-1 flex items-center gap-0.5">
          <BranchNav message={message} onSelect={handlers.onSelectBranch} />
          <CopyButton text={message.content} />
          <RegenerateButton disabled={busy} onClick={() => handlers.onRegenerate(message)} />
          <DetailsButton message={message} />
          {message.model && (
            <span className="ml-1 truncate text-xs text-muted-foreground">{message.model}</span>
          )}
        </div>
      </div>
    </div>
  );
}

const NO_VISION_LIMIT: VisionContext = { noVisionModel: null, imagesBefore: false };

/**
 * A finished message: memoized, so streaming another answer never re-renders it (its props
 * are primitives or stable objects; `returned` is null for every message but one).
 */
export const MessageItem = memo(function MessageItem({
  message,
  handlers,
  busy,
  noVisionModel = null,
  imagesBefore = false,
  returned = null,
}: {
  message: ChatMessage;
  handlers: MessageHandlers;
  busy: boolean;
  noVisionModel?: string | null;
  imagesBefore?: boolean;
  returned?: ReturnedEdit | null;
}) {
  countMessageRender();
  const vision = noVisionModel === null ? NO_VISION_LIMIT : { noVisionModel, imagesBefore };
  return message.role === "user" ? (
    <UserMessage message={message} handlers={handlers} busy={busy} vision={vision} returned={returned} />
  ) : (
    <AssistantMessage message={message} handlers={handlers} busy={busy} />
  );
});
