import { useLayoutEffect, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useConversationQuery, useProfileQuery, useUpdateConversationMutation } from "@/api/endpoints";
import type { ChatMessage, FilePart, ImagePart } from "@/api/types";
import { ModelSelector } from "@/features/models/ModelSelector";
import { useAppDispatch, useAppSelector } from "@/store";
import { Composer, type ComposerHandle } from "./Composer";
import { draftOwner } from "./drafts";
import { LiveAnswer } from "./LiveAnswer";
import { branchHasImages, imagesBeforeEach } from "./branchGuard";
import { MessageItem, type MessageHandlers } from "./MessageItem";
import { useOlderMessages } from "./useOlderMessages";
import { stopStream } from "./streamController";
import { useModelChoice } from "./useModelChoice";
import { useThinking } from "./thinking/useThinking";
import { ChatGreeting } from "./view/ChatGreeting";
import { DropOverlay } from "./view/DropOverlay";
import { isLive, useLiveTurn, visibleMessages } from "./view/liveStream";
import { LoadEarlier } from "./view/LoadEarlier";
import { PendingTurn } from "./view/PendingTurn";
import { ScrollDownButton } from "./view/ScrollDownButton";
import { useChatSend } from "./view/useChatSend";
import { useDropZone } from "./view/useDropZone";
import { useStickToBottom } from "./view/useStickToBottom";
import { useStreamUpkeep } from "./view/useStreamUpkeep";

const DRAFT = "new";

/** One conversation (or a new chat): its messages, the live answer and the composer. */
export function ChatView({ conversationId }: { conversationId: string | null }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const profile = useProfileQuery();
  const key = conversationId ?? DRAFT;
  const conv = useConversationQuery(conversationId ?? "", { skip: !conversationId });
  const [updateConversation] = useUpdateConversationMutation();
  const live = useLiveTurn(conversationId);
  const streaming = isLive(live);
  // The unsent text is kept per user, so a shared browser never shows one person's draft to another.
  const token = useAppSelector((s) => s.auth.token);
  const owner = useMemo(() => draftOwner(token), [token]);
  const composerKey = `${owner}:${key}`;
  const composerRef = useRef<ComposerHandle>(null);

  const { messages, hasMore, imagesBefore, loadOlder, loadingOlder, olderFailed } = useOlderMessages(
    conversationId,
    conv.data,
  );
  useStreamUpkeep(conversationId, messages, live, conv.isFetching);
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
  const { send, retry, returnedEdit, clearReturned } = useChatSend({
    conversationId,
    liveKey: live.key,
    target: choice.value,
    reasoning,
    composerKey,
    messages,
  });

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
      onEditClosed: clearReturned,
      onSelectBranch: (siblingId: string) => {
        if (conversationId) void updateConversation({ id: conversationId, active_message_id: Number(siblingId) });
      },
    }),
    [send, clearReturned, conversationId, updateConversation],
  );

  const { shown, showPending } = useMemo(() => visibleMessages(messages, live), [messages, live]);

  const noVisionModel = current && !current.capabilities.vision ? (choice.label ?? current.id) : null;
  // Exactly what the server checks: the images of the branch that would be sent (older,
  // unloaded messages included via `imagesBefore`), per message for its edit box.
  const before = useMemo(() => imagesBeforeEach(messages, imagesBefore), [messages, imagesBefore]);
  const historyNoVisionModel =
    noVisionModel && conversationId && branchHasImages(messages, imagesBefore) ? noVisionModel : null;

  const { dragging, dropHandlers } = useDropZone((files) => composerRef.current?.addFiles(files));
  const { scroller, atBottom, onScroll, scrollToBottom } = useStickToBottom(conversationId);

  // Only a new chat shows the greeting; a conversation still loading keeps its layout so
  // nothing jumps (and an open model menu is not remounted) when the messages arrive.
  const empty = !conversationId && !live.phase;
  const name = profile.data?.display_name || profile.data?.username;
  // A failed refetch (offline, a send refused) keeps what was loaded: only a conversation that
  // never loaded is "not found".
  const notFound = conversationId && conv.isError && !conv.data;

  const toolbar = (
    <ModelSelector
      models={choice.models}
      providers={choice.providers}
      providerErrors={choice.providerErrors}
      side={!conversationId && !live.phase ? "bottom" : "top"}
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
      onSend={(text, images, files) => send({ content: text, images, files })}
      onStop={() => {
        if (live.key) void dispatch(stopStream(live.key));
      }}
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
      {dragging && <DropOverlay />}
      {notFound ? (
        <div className="flex flex-1 items-center justify-center p-6 text-muted-foreground">{t("chat.notFound")}</div>
      ) : empty ? (
        <ChatGreeting name={name} noModel={!choice.loading && !choice.hasAnyModel}>
          {composer}
        </ChatGreeting>
      ) : (
        <>
          <div
            ref={scroller}
            onScroll={onScroll}
            className="relative min-h-0 flex-1 overflow-y-auto"
            data-testid="message-list"
          >
            <div className="mx-auto flex w-full max-w-3xl flex-col gap-4 px-4 py-6 sm:px-6">
              {hasMore && <LoadEarlier loading={loadingOlder} failed={olderFailed} onLoad={() => void loadOlder()} />}
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
                <PendingTurn text={live.pendingUserText} images={live.pendingImages} files={live.pendingFiles} />
              )}
              {live.phase && live.key && (
                <LiveAnswer
                  conversationKey={live.key}
                  onRetry={() => {
                    // Refused before it started: the message is back in the composer.
                    if (!retry(live)) composerRef.current?.submit();
                  }}
                />
              )}
            </div>
          </div>
          {!atBottom && <ScrollDownButton onClick={scrollToBottom} />}
          <div className="mx-auto w-full max-w-3xl px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] sm:px-6">
            {composer}
            <p className="mt-2 text-center text-xs text-muted-foreground">{t("chat.disclaimer")}</p>
          </div>
        </>
      )}
    </div>
  );
}
