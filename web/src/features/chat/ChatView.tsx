import { ArrowDown, Paperclip, KeyRound } from "lucide-react";
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent as ReactDragEvent,
} from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import {
  useConversationQuery,
  useProfileQuery,
  useUpdateConversationMutation,
} from "@/api/endpoints";
import type { ChatMessage, FilePart, ImagePart } from "@/api/types";
import { Button } from "@/components/ui/button";
import { ModelSelector } from "@/features/models/ModelSelector";
import { useAppDispatch, useAppSelector } from "@/store";
import { pendingReturned } from "@/store/streamSlice";
import { modelChosen, thinkingChosen } from "@/store/uiSlice";
import { MAX_ATTACHMENTS } from "./attachments";
import { Composer, type ComposerHandle } from "./Composer";
import { draftOwner, returnDraft } from "./drafts";
import { MessageFiles } from "./FileAttachments";
import { MessageImages } from "./ImageViewer";
import { LiveAnswer } from "./LiveAnswer";
import { branchHasImages, imagesBeforeEach, retryPlan } from "./branchGuard";
import { MessageItem, UserBubble, type MessageHandlers, type ReturnedEdit } from "./MessageItem";
import { useOlderMessages } from "./useOlderMessages";
import { clearStream, isStreaming, reattach, sendMessage, stopStream } from "./streamController";
import { useModelChoice } from "./useModelChoice";
import { useThinking } from "./thinking/useThinking";

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
  // The unsent text is kept per user, so a shared browser never shows one person's draft to another.
  const token = useAppSelector((s) => s.auth.token);
  const owner = useMemo(() => draftOwner(token), [token]);
  const composerKey = `${owner}:${key}`;
  const composerRef = useRef<ComposerHandle>(null);

  // Select primitives only: the streaming text itself is read by LiveAnswer alone.
  const livePhase = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.phase : undefined));
  const liveAssistantId = useAppSelector((s) =>
    liveKey ? s.stream.byConversation[liveKey]?.assistantMessageId : undefined,
  );
  const liveUserId = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.userMessageId : undefined));
  const livePending = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.pendingUserText : undefined));
  const livePendingImages = useAppSelector((s) =>
    liveKey ? s.stream.byConversation[liveKey]?.pendingImages : undefined,
  );
  const livePendingFiles = useAppSelector((s) =>
    liveKey ? s.stream.byConversation[liveKey]?.pendingFiles : undefined,
  );
  const liveReplaces = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.replaces : undefined));
  const liveKind = useAppSelector((s) => (liveKey ? s.stream.byConversation[liveKey]?.kind : undefined));
  const streaming = livePhase === "connecting" || livePhase === "streaming";

  const { messages, hasMore, imagesBefore, loadOlder, loadingOlder, olderFailed } = useOlderMessages(
    conversationId,
    conv.data,
  );
  // Read by `send` when a refusal comes back, without re-creating every message's handlers.
  const latestMessages = useRef(messages);
  useEffect(() => {
    latestMessages.current = messages;
  }, [messages]);
  // An edit the server refused before answering goes back into its edit box (per conversation).
  const [returned, setReturned] = useState<(ReturnedEdit & { conversationId: string | null }) | null>(null);
  const returnedEdit = returned && returned.conversationId === conversationId ? returned : null;
  const choice = useModelChoice(key, conv.data ? { model: conv.data.model, provider: conv.data.provider } : null);
  // The chosen model, to warn before sending images it cannot read and to offer Think.
  const current = choice.value
    ? choice.models.find((m) => m.id === choice.value?.model && m.provider === choice.value.provider)
    : undefined;
  const thinking = useThinking(key, !conversationId, conv.data?.params?.reasoning, current);
  // Read by `send` (which every message's handlers hold): switching Think re-renders no message.
  const reasoning = useRef(thinking.request);
  useLayoutEffect(() => {
    reasoning.current = thinking.request;
  });

  // A reload mid-answer: the server still writes it; follow along.
  useEffect(() => {
    if (!conversationId || livePhase) return;
    const last = messages[messages.length - 1];
    if (last && last.role === "assistant" && last.status === "streaming" && !dispatch(isStreaming(conversationId))) {
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
    (args: {
      content: string;
      images?: readonly ImagePart[];
      files?: readonly FilePart[];
      regenerateMessageId?: string | null;
      editMessageId?: string | null;
    }) => {
      if (!choice.value) return;
      if (liveKey) dispatch(clearStream(liveKey));
      setReturned(null);
      const target = choice.value;
      const think = reasoning.current;
      const fromComposer = !args.regenerateMessageId && !args.editMessageId;
      void dispatch(
        sendMessage(
          {
            conversationId,
            content: args.content,
            model: target.model,
            provider: target.provider,
            regenerateMessageId: args.regenerateMessageId,
            editMessageId: args.editMessageId,
            attachments: args.images,
            files: args.files,
            reasoning: think,
          },
          (newId) => {
            dispatch(modelChosen({ conversationId: newId, model: target.model, provider: target.provider }));
            if (think) dispatch(thinkingChosen({ conversationId: newId, on: think !== "off" }));
            if (!conversationId) navigate(`/c/${newId}`, { replace: true });
          },
        ),
      ).then((result) => {
        // Refused before the answer started: nothing was saved, so the message goes back
        // into the composer (the error stays on screen) instead of being lost.
        if (result.outcome === "refused" && fromComposer) {
          dispatch(pendingReturned(result.key));
          returnDraft(composerKey, {
            text: args.content,
            images: [...(args.images ?? [])],
            files: [...(args.files ?? [])],
          });
        }
        // A refused edit: the message comes back on screen with its edit box open, holding
        // the edited text and images and saying why (its Retry is an edit again).
        const edited = args.editMessageId;
        if (result.outcome === "refused" && edited && latestMessages.current.some((m) => m.id === edited)) {
          dispatch(clearStream(result.key));
          setReturned({
            conversationId,
            messageId: edited,
            text: args.content,
            images: [...(args.images ?? [])],
            files: [...(args.files ?? [])],
            error: result.error?.message ?? "",
            retryable: result.error?.retryable ?? false,
          });
        }
      });
    },
    [choice.value, conversationId, dispatch, liveKey, navigate, composerKey],
  );

  const lastUserText = useRef("");
  const handlers: MessageHandlers = useMemo(
    () => ({
      onRegenerate: (m: ChatMessage) => {
        send({ content: "", regenerateMessageId: m.id });
      },
      onEdit: (m: ChatMessage, text: string, images: readonly ImagePart[], files: readonly FilePart[]) => {
        // The server builds the edited turn from this request alone: its images and files
        // come along.
        send({ content: text, images, files, editMessageId: m.id });
      },
      onEditClosed: () => setReturned(null),
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
  const showPending = Boolean(
    livePhase && (livePending || livePendingImages?.length || livePendingFiles?.length) && !(liveUserId && shown.some((m) => m.id === liveUserId)),
  );

  const noVisionModel = current && !current.capabilities.vision ? (choice.label ?? current.id) : null;
  // Exactly what the server checks: the images of the branch that would be sent (older,
  // unloaded messages included via `imagesBefore`), per message for its edit box.
  const before = useMemo(() => imagesBeforeEach(messages, imagesBefore), [messages, imagesBefore]);
  const historyNoVisionModel =
    noVisionModel && conversationId && branchHasImages(messages, imagesBefore) ? noVisionModel : null;

  // Drag and drop of image files anywhere on the chat. Enter/leave fire for every child
  // crossed, so a counter tells when the pointer really left.
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const hasFiles = (e: ReactDragEvent) => Array.from(e.dataTransfer.types).includes("Files");
  // A file dropped beside the chat (the sidebar, a margin) must not make the browser leave
  // the app to show it.
  useEffect(() => {
    const swallow = (e: DragEvent) => {
      if (e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files")) e.preventDefault();
    };
    window.addEventListener("dragover", swallow);
    window.addEventListener("drop", swallow);
    return () => {
      window.removeEventListener("dragover", swallow);
      window.removeEventListener("drop", swallow);
    };
  }, []);
  const dropHandlers = {
    onDragEnter: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (e: ReactDragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      composerRef.current?.addFiles(Array.from(e.dataTransfer.files));
    },
  };

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
  // A failed refetch (offline, a send refused) keeps what was loaded: only a conversation that
  // never loaded is "not found".
  const notFound = conversationId && conv.isError && !conv.data;

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
      key={composerKey}
      ref={composerRef}
      draftKey={composerKey}
      onSend={(text, images, files) => {
        lastUserText.current = text;
        send({ content: text, images, files });
      }}
      onStop={onStop}
      streaming={streaming}
      disabled={!choice.value}
      modelLabel={choice.label}
      noVisionModel={noVisionModel}
      historyNoVisionModel={historyNoVisionModel}
      toolbar={toolbar}
      thinking={thinking.capable ? { on: thinking.on, onChange: thinking.setOn } : null}
    />
  );

  return (
    <div className="relative flex h-full min-h-0 flex-col" {...dropHandlers}>
      {dragging && (
        <div
          className="pointer-events-none absolute inset-0 z-40 flex items-center justify-center bg-background/80 p-3 backdrop-blur-sm"
          data-testid="drop-overlay"
          aria-hidden="true"
        >
          <div className="flex size-full flex-col items-center justify-center gap-2 rounded-2xl border-2 border-dashed border-primary bg-primary/5 px-4 text-center">
            <Paperclip className="size-10 text-primary" />
            <p className="font-serif text-2xl text-foreground">{t("chat.attach.dropTitle")}</p>
            <p className="text-sm text-muted-foreground">{t("chat.attach.dropHint", { max: MAX_ATTACHMENTS })}</p>
          </div>
        </div>
      )}
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
                <MessageItem
                  key={m.id}
                  message={m}
                  handlers={handlers}
                  busy={streaming}
                  noVisionModel={noVisionModel}
                  imagesBefore={before.get(m.id) ?? false}
                  returned={returnedEdit?.messageId === m.id ? returnedEdit : null}
                />
              ))}
              {showPending && (
                <div className="flex flex-col items-end" data-role="user">
                  {livePendingImages && livePendingImages.length > 0 && (
                    <MessageImages images={livePendingImages} className="mb-1.5" />
                  )}
                  {livePendingFiles && livePendingFiles.length > 0 && (
                    <MessageFiles files={livePendingFiles} className="mb-1.5" />
                  )}
                  {livePending && <UserBubble text={livePending} />}
                </div>
              )}
              {livePhase && liveKey && (
                <LiveAnswer
                  conversationKey={liveKey}
                  onRetry={() => {
                    const plan = retryPlan({
                      kind: liveKind ?? "send",
                      assistantMessageId: liveAssistantId ?? null,
                      replaces: liveReplaces ?? null,
                      pendingUserText: livePending ?? null,
                      pendingImages: livePendingImages ?? null,
                      pendingFiles: livePendingFiles ?? null,
                    });
                    switch (plan.kind) {
                      case "regenerate":
                        send({ content: "", regenerateMessageId: plan.messageId });
                        break;
                      case "edit":
                        send({
                          content: plan.content,
                          images: plan.images,
                          files: plan.files,
                          editMessageId: plan.messageId,
                        });
                        break;
                      case "send":
                        send({ content: plan.content, images: plan.images, files: plan.files });
                        break;
                      default:
                        // Refused before it started: the message is back in the composer.
                        composerRef.current?.submit();
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
