import { ArrowDown, KeyRound } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import {
  useConversationQuery,
  useProfileQuery,
  useUpdateConversationMutation,
} from "@/api/endpoints";
import type { ChatMessage } from "@/api/types";
import { Button } from "@/components/ui/button";
import { ModelSelector } from "@/features/models/ModelSelector";
import { useAppDispatch, useAppSelector } from "@/store";
import { modelChosen } from "@/store/uiSlice";
import { Composer } from "./Composer";
import { LiveAnswer } from "./LiveAnswer";
import { MessageItem, UserBubble, type MessageHandlers } from "./MessageItem";
import { useOlderMessages } from "./useOlderMessages";
import { clearStream, isStreaming, reattach, sendMessage, stopStream } from "./streamController";
import { useModelChoice } from "./useModelChoice";

const DRAFT = "new";

export function ChatView({ conversationId }: { conversationId: string | null }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const profile = useProfileQuery();
  const key = conversationId ?? DRAFT;
  const conv = useConversationQuery(conversationId ?? "", { skip: !conversationId });
  const [updateConversation] = useUpdateConversationMutation();
  // A new chat's stream is keyed "draft-…" until the server names the conversation.
  const draftKey = useAppSelector((s) =>
    conversationId ? null : (Object.keys(s.stream.byConversation).find((k) => k.startsWith("draft-")) ?? null),
  );
  const liveKey = conversationId ?? draftKey;

  // Select primitives only: the streaming text itself is read by LiveAnswer alone.
  const livePhase = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.phase : undefined));
  const liveAssistantId = useAppSelector((s) =>
    liveKey ? s.stream.byConversation[liveKey]?.assistantMessageId : undefined,
  );
  const liveUserId = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.userMessageId : undefined));
  const livePending = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.pendingUserText : undefined));
  const liveReplaces = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.replaces : undefined));
  const streaming = livePhase === "connecting" || livePhase === "streaming";

  const { messages, hasMore, loadOlder, loadingOlder, olderFailed } = useOlderMessages(conversationId, conv.data);
  const choice = useModelChoice(key, conv.data ? { model: conv.data.model, provider: conv.data.provider } : null);

  // A reload mid-answer: the server still writes it; follow along.
  useEffect(() => {
    if (!conversationId || livePhase) return;
    const last = messages[messages.length - 1];
    if (last && last.role === "assistant" && last.status === "streaming" && !isStreaming(conversationId)) {
      void dispatch(reattach(conversationId, last.id, last.content));
    }
  }, [conversationId, messages, livePhase, dispatch]);

  // Once the saved conversation holds the finished answer, the live copy can go.
  useEffect(() => {
    if (!liveKey || !livePhase || livePhase === "connecting" || livePhase === "streaming") return;
    if (!conversationId || conv.isFetching) return;
    const saved = liveAssistantId ? messages.find((m) => m.id === liveAssistantId) : undefined;
    if (saved && saved.status !== "streaming") dispatch(clearStream(liveKey));
  }, [liveKey, livePhase, liveAssistantId, messages, conv.isFetching, conversationId, dispatch]);

  const send = useCallback(
    (args: { content: string; regenerateMessageId?: string | null; editMessageId?: string | null }) => {
      if (!choice.value) return;
      if (liveKey) dispatch(clearStream(liveKey));
      const target = choice.value;
      void dispatch(
        sendMessage(
          {
            conversationId,
            content: args.content,
            model: target.model,
            provider: target.provider,
            regenerateMessageId: args.regenerateMessageId,
            editMessageId: args.editMessageId,
          },
          (newId) => {
            dispatch(modelChosen({ conversationId: newId, model: target.model, provider: target.provider }));
            if (!conversationId) navigate(`/c/${newId}`, { replace: true });
          },
        ),
      );
    },
    [choice.value, conversationId, dispatch, liveKey, navigate],
  );

  const lastUserText = useRef("");
  const handlers: MessageHandlers = useMemo(
    () => ({
      onRegenerate: (m: ChatMessage) => {
        send({ content: "", regenerateMessageId: m.id });
      },
      onEdit: (m: ChatMessage, text: string) => {
        send({ content: text, editMessageId: m.id });
      },
      onSelectBranch: (siblingId: string) => {
        if (conversationId) void updateConversation({ id: conversationId, active_message_id: Number(siblingId) });
      },
    }),
    [send, conversationId, updateConversation],
  );

  const onStop = useCallback(() => {
    if (liveKey) void dispatch(stopStream(liveKey));
  }, [dispatch, liveKey]);

  // What to draw: the saved path, cut at the branch point while a regenerate/edit streams,
  // then the just-sent text and the live answer.
  const shown = useMemo(() => {
    if (!livePhase) return messages;
    if (liveAssistantId && messages.some((m) => m.id === liveAssistantId)) {
      const i = messages.findIndex((m) => m.id === liveAssistantId);
      return messages.slice(0, i);
    }
    if (liveReplaces) {
      const i = messages.findIndex((m) => m.id === liveReplaces);
      if (i >= 0) return messages.slice(0, i);
    }
    return messages;
  }, [messages, livePhase, liveAssistantId, liveReplaces]);
  const showPending = Boolean(livePhase && livePending && !(liveUserId && shown.some((m) => m.id === liveUserId)));

  // Scroll: stick to the bottom while the user is there.
  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const onScroll = () => {
    const el = scroller.current;
    if (el) setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight < 80);
  };
  useEffect(() => {
    const el = scroller.current;
    if (!el || !atBottom) return;
    const obs = new ResizeObserver(() => {
      el.scrollTop = el.scrollHeight;
    });
    const inner = el.firstElementChild;
    if (inner) obs.observe(inner);
    el.scrollTop = el.scrollHeight;
    return () => obs.disconnect();
  }, [atBottom, conversationId]);

  // Only a new chat shows the greeting; a conversation still loading keeps its layout so
  // nothing jumps (and an open model menu is not remounted) when the messages arrive.
  const empty = !conversationId && !livePhase;
  const name = profile.data?.display_name || profile.data?.username;
  const notFound = conversationId && conv.isError;

  const toolbar = (
    <ModelSelector
      models={choice.models}
      providers={choice.providers}
      providerErrors={choice.providerErrors}
      side={!conversationId && !livePhase ? "bottom" : "top"}
      value={choice.value}
      loading={choice.loading}
      onChange={(m) => choice.choose(m)}
      onConfigure={() => navigate("/settings/providers")}
    />
  );

  const composer = (
    <Composer
      onSend={(text) => {
        lastUserText.current = text;
        send({ content: text });
      }}
      onStop={onStop}
      streaming={streaming}
      disabled={!choice.value}
      modelLabel={choice.label}
      toolbar={toolbar}
    />
  );

  return (
    <div className="flex h-full min-h-0 flex-col">
      {notFound ? (
        <div className="flex flex-1 items-center justify-center p-6 text-muted-foreground">{t("chat.notFound")}</div>
      ) : empty ? (
        <div className="flex flex-1 flex-col items-center justify-center px-4 pb-[10vh]">
          <h1 className="mb-6 text-center font-serif text-3xl text-foreground sm:text-4xl">
            {name ? t("chat.greetingNamed", { name }) : t("chat.greeting")}
          </h1>
          {!choice.loading && !choice.hasAnyModel && (
            <div className="mb-6 flex max-w-xl flex-col items-center gap-3 rounded-xl border border-border bg-card p-5 text-center">
              <KeyRound className="size-6 text-primary" />
              <p className="font-medium">{t("chat.noKeyTitle")}</p>
              <p className="text-sm text-muted-foreground">{t("chat.noKeyBody")}</p>
              <Button asChild>
                <Link to="/settings/providers">{t("chat.openSettings")}</Link>
              </Button>
            </div>
          )}
          <div className="w-full max-w-3xl">{composer}</div>
        </div>
      ) : (
        <>
          <div ref={scroller} onScroll={onScroll} className="relative min-h-0 flex-1 overflow-y-auto" data-testid="message-list">
            <div className="mx-auto flex w-full max-w-3xl flex-col gap-4 px-4 py-6 sm:px-6">
              {hasMore && (
                <div className="flex flex-col items-center gap-1">
                  <Button variant="ghost" size="sm" disabled={loadingOlder} onClick={() => void loadOlder()}>
                    {loadingOlder ? t("chat.loadingEarlier") : t("chat.loadEarlier")}
                  </Button>
                  {olderFailed && <p className="text-xs text-danger">{t("chat.loadEarlierFailed")}</p>}
                </div>
              )}
              {shown.map((m) => (
                <MessageItem key={m.id} message={m} handlers={handlers} busy={streaming} />
              ))}
              {showPending && livePending && (
                <div className="flex flex-col items-end" data-role="user">
                  <UserBubble text={livePending} />
                </div>
              )}
              {livePhase && liveKey && (
                <LiveAnswer
                  conversationKey={liveKey}
                  onRetry={() => {
                    if (liveAssistantId && messages.some((m) => m.id === liveAssistantId)) {
                      const m = messages.find((x) => x.id === liveAssistantId) as ChatMessage;
                      handlers.onRegenerate(m);
                    } else if (livePending) {
                      send({ content: livePending });
                    }
                  }}
                />
              )}
            </div>
          </div>
          {!atBottom && (
            <div className="pointer-events-none relative">
              <button
                type="button"
                aria-label={t("chat.scrollDown")}
                onClick={() => {
                  const el = scroller.current;
                  if (el) el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
                }}
                className="pointer-events-auto absolute -top-12 left-1/2 inline-flex size-8 -translate-x-1/2 items-center justify-center rounded-full border border-border bg-card shadow"
              >
                <ArrowDown className="size-4" />
              </button>
            </div>
          )}
          <div className="mx-auto w-full max-w-3xl px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] sm:px-6">
            {composer}
            <p className="mt-2 text-center text-xs text-muted-foreground">{t("chat.disclaimer")}</p>
          </div>
        </>
      )}
    </div>
  );
}
