import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { useNavigate } from "react-router";
import type { ChatMessage, FilePart, ImagePart, ReasoningSetting } from "@/api/types";
import { useAppDispatch } from "@/store";
import { pendingReturned } from "@/store/streamSlice";
import { modelChosen, thinkingChosen } from "@/store/uiSlice";
import { retryPlan } from "../branchGuard";
import { returnDraft } from "../drafts";
import type { ReturnedEdit } from "../MessageItem";
import { clearStream, sendMessage } from "../streamController";
import type { LiveTurn } from "./liveStream";

/** A new message, an edit (`editMessageId`) or a new answer (`regenerateMessageId`). */
export interface SendRequest {
  content: string;
  images?: readonly ImagePart[];
  files?: readonly FilePart[];
  regenerateMessageId?: string | null;
  editMessageId?: string | null;
}

export interface ChatSendOptions {
  conversationId: string | null;
  /** The live stream's key, cleared before a new send. */
  liveKey: string | null;
  /** The model to ask; null: none chosen, nothing is sent. */
  target: { model: string; provider: string } | null;
  /** Think, read at send time (a ref, so switching it re-creates no handler). */
  reasoning: RefObject<ReasoningSetting | undefined>;
  /** Where a refused composer message goes back to. */
  composerKey: string;
  messages: ChatMessage[];
}

/**
 * Sending, regenerating, editing and retrying in one conversation. A send refused before its
 * answer started saved nothing: a composer message goes back into the composer, an edit comes
 * back on screen with its edit box open (`returned`), saying why.
 */
export function useChatSend({ conversationId, liveKey, target, reasoning, composerKey, messages }: ChatSendOptions) {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  // Read when a refusal comes back, without re-creating every message's handlers.
  const latestMessages = useRef(messages);
  useEffect(() => {
    latestMessages.current = messages;
  }, [messages]);
  // An edit the server refused before answering goes back into its edit box (per conversation).
  const [returned, setReturned] = useState<(ReturnedEdit & { conversationId: string | null }) | null>(null);

  const send = useCallback(
    (args: SendRequest) => {
      if (!target) return;
      if (liveKey) dispatch(clearStream(liveKey));
      setReturned(null);
      const think = reasoning.current;
      const fromComposer = !args.regenerateMessageId && !args.editMessageId;
      void dispatch(
        sendMessage(
          { ...args, conversationId, model: target.model, provider: target.provider, reasoning: think },
          (newId) => {
            dispatch(modelChosen({ conversationId: newId, model: target.model, provider: target.provider }));
            if (think) dispatch(thinkingChosen({ conversationId: newId, on: think !== "off" }));
            if (!conversationId) navigate(`/c/${newId}`, { replace: true });
          },
        ),
      ).then((result) => {
        if (result.outcome !== "refused") return;
        const sent = { text: args.content, images: [...(args.images ?? [])], files: [...(args.files ?? [])] };
        // Nothing was saved: the message goes back into the composer (the error stays on screen).
        if (fromComposer) {
          dispatch(pendingReturned(result.key));
          returnDraft(composerKey, sent);
        }
        // A refused edit comes back on screen with its edit box open (its Retry is an edit again).
        const edited = args.editMessageId;
        if (edited && latestMessages.current.some((m) => m.id === edited)) {
          dispatch(clearStream(result.key));
          setReturned({
            conversationId,
            messageId: edited,
            ...sent,
            error: result.error?.message ?? "",
            retryable: result.error?.retryable ?? false,
          });
        }
      });
    },
    [target, conversationId, dispatch, liveKey, navigate, composerKey, reasoning],
  );

  /**
   * Retry the live turn as it was asked (an edit stays an edit); false when it was refused
   * before it started, so its message is back in the composer for the caller to submit.
   */
  const retry = useCallback(
    (live: LiveTurn): boolean => {
      const plan = retryPlan({
        kind: live.kind ?? "send",
        assistantMessageId: live.assistantMessageId ?? null,
        replaces: live.replaces ?? null,
        pendingUserText: live.pendingUserText ?? null,
        pendingImages: live.pendingImages ?? null,
        pendingFiles: live.pendingFiles ?? null,
      });
      switch (plan.kind) {
        case "regenerate":
          send({ content: "", regenerateMessageId: plan.messageId });
          return true;
        case "edit":
          send({ content: plan.content, images: plan.images, files: plan.files, editMessageId: plan.messageId });
          return true;
        case "send":
          send({ content: plan.content, images: plan.images, files: plan.files });
          return true;
        default:
          return false;
      }
    },
    [send],
  );

  const returnedEdit = returned && returned.conversationId === conversationId ? returned : null;
  const clearReturned = useCallback(() => setReturned(null), []);
  return { send, retry, returnedEdit, clearReturned };
}
