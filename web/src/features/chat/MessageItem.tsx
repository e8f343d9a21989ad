import { AlertCircle, RotateCcw } from "lucide-react";
import { memo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { ChatMessage } from "@/api/types";
import { Button } from "@/components/ui/button";
import { ProviderIcon } from "@/features/providers/ProviderIcon";
import { countMessageRender } from "./blocks";
import { Markdown } from "./Markdown";
import {
  BranchNav,
  CopyButton,
  DetailsButton,
  EditButton,
  RegenerateButton,
} from "./MessageActions";

export interface MessageHandlers {
  onRegenerate: (message: ChatMessage) => void;
  onEdit: (message: ChatMessage, text: string) => void;
  onSelectBranch: (siblingId: string) => void;
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
}: {
  message: ChatMessage;
  handlers: MessageHandlers;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);
  if (editing) {
    return (
      <div className="ml-auto w-full max-w-[85%] rounded-2xl border border-border bg-card p-3">
        <textarea
          aria-label={t("chat.edit")}
          className="min-h-20 w-full resize-y bg-transparent leading-relaxed outline-none"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          autoFocus
        />
        <div className="mt-2 flex justify-end gap-2">
          <Button size="sm" variant="ghost" onClick={() => setEditing(false)}>
            {t("common.cancel")}
          </Button>
          <Button
            size="sm"
            disabled={!draft.trim() || busy}
            onClick={() => {
              setEditing(false);
              handlers.onEdit(message, draft.trim());
            }}
          >
            {t("chat.saveAndSubmit")}
          </Button>
        </div>
      </div>
    );
  }
  return (
    <div className="group flex flex-col items-end" data-role="user">
      <UserBubble text={message.content} />
      <div className="mt-1 flex items-center gap-0.5">
        <BranchNav message={message} onSelect={handlers.onSelectBranch} />
        <span className="flex items-center gap-0.5 opacity-100 transition-opacity md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
          <CopyButton text={message.content} />
        <EditButton
          disabled={busy}
          onClick={() => {
            setDraft(message.content);
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

/** A finished message: memoized, so streaming another answer never re-renders it. */
export const MessageItem = memo(function MessageItem({
  message,
  handlers,
  busy,
}: {
  message: ChatMessage;
  handlers: MessageHandlers;
  busy: boolean;
}) {
  countMessageRender();
  return message.role === "user" ? (
    <UserMessage message={message} handlers={handlers} busy={busy} />
  ) : (
    <AssistantMessage message={message} handlers={handlers} busy={busy} />
  );
});
