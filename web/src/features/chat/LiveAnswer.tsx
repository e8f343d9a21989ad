import { useTranslation } from "react-i18next";
import { ProviderIcon } from "@/features/providers/ProviderIcon";
import { useAppSelector } from "@/store";
import { ErrorNotice } from "./MessageItem";
import { StreamingMarkdown } from "./StreamingMarkdown";
import { LiveThinking } from "./thinking/LiveThinking";

/**
 * The answer being written. It is the only component that reads the streaming text, so
 * each token re-renders this bubble and nothing else; its thoughts are read by LiveThinking
 * alone (here only whether there are any, and how long they took).
 */
export function LiveAnswer({
  conversationKey,
  onRetry,
}: {
  conversationKey: string;
  onRetry: () => void;
}) {
  const { t } = useTranslation();
  const text = useAppSelector((s) => s.stream.byConversation[conversationKey]?.text ?? "");
  const phase = useAppSelector((s) => s.stream.byConversation[conversationKey]?.phase);
  const provider = useAppSelector((s) => s.stream.byConversation[conversationKey]?.provider);
  const error = useAppSelector((s) => s.stream.byConversation[conversationKey]?.error);
  const hasThinking = useAppSelector((s) => Boolean(s.stream.byConversation[conversationKey]?.thinking));
  const thinkingMs = useAppSelector((s) => s.stream.byConversation[conversationKey]?.thinkingMs ?? null);
  const streaming = phase === "connecting" || phase === "streaming";
  return (
    <div className="flex gap-3" data-role="assistant" data-status={streaming ? "streaming" : phase} aria-live="polite" aria-busy={streaming}>
      <div className="mt-1 hidden sm:block">
        {provider && (
          <ProviderIcon provider={provider} size="sm" className={streaming ? "animate-pulse" : undefined} />
        )}
      </div>
      <div className="min-w-0 flex-1" data-testid="live-answer">
        {hasThinking && (
          <LiveThinking conversationKey={conversationKey} live={streaming && !text} durationMs={thinkingMs} />
        )}
        {text ? (
          <>
            <StreamingMarkdown text={text} streaming={streaming} />
            {streaming && (
              <span aria-hidden="true" className="mt-2 inline-block size-2.5 animate-pulse rounded-full bg-primary" />
            )}
          </>
        ) : streaming && !hasThinking ? (
          <p className="animate-pulse text-muted-foreground">{t("chat.thinking")}</p>
        ) : null}
        {phase === "stopped" && <p className="mt-1 text-xs italic text-muted-foreground">{t("chat.stopped")}</p>}
        {phase === "error" && error && (
          <ErrorNotice message={error.message} onRetry={onRetry} />
        )}
      </div>
    </div>
  );
}
