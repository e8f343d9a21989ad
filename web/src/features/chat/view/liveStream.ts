import { shallowEqual } from "react-redux";
import type { ChatMessage } from "@/api/types";
import { useAppSelector } from "@/store";
import type { LiveStream } from "@/store/streamSlice";

/**
 * What the chat view needs of its live stream: ids, the just-sent turn and the phase, never
 * the streaming text (LiveAnswer alone reads that), so a token does not re-render the view.
 */
export interface LiveTurn {
  /** The stream's key: the conversation id, or a new chat's "draft-…" key; null: none. */
  key: string | null;
  phase: LiveStream["phase"] | undefined;
  assistantMessageId: string | null | undefined;
  userMessageId: string | null | undefined;
  pendingUserText: string | null | undefined;
  pendingImages: LiveStream["pendingImages"] | undefined;
  pendingFiles: LiveStream["pendingFiles"] | undefined;
  replaces: string | null | undefined;
  kind: LiveStream["kind"] | undefined;
}

/** The live turn of `conversationId` (a new chat's stream is keyed "draft-…" until named). */
export function useLiveTurn(conversationId: string | null): LiveTurn {
  return useAppSelector((s) => {
    const streams = s.stream.byConversation;
    const key = conversationId ?? Object.keys(streams).find((k) => k.startsWith("draft-")) ?? null;
    const live = key ? streams[key] : undefined;
    return {
      key,
      phase: live?.phase,
      assistantMessageId: live?.assistantMessageId,
      userMessageId: live?.userMessageId,
      pendingUserText: live?.pendingUserText,
      pendingImages: live?.pendingImages,
      pendingFiles: live?.pendingFiles,
      replaces: live?.replaces,
      kind: live?.kind,
    };
  }, shallowEqual);
}

export const isLive = (live: LiveTurn): boolean => live.phase === "connecting" || live.phase === "streaming";

/**
 * What to draw: the saved path, cut at the branch point while a regenerate/edit streams; and
 * whether the just-sent turn still needs showing (until the saved path holds it).
 */
export function visibleMessages(
  messages: ChatMessage[],
  live: LiveTurn,
): { shown: ChatMessage[]; showPending: boolean } {
  let shown = messages;
  if (live.phase) {
    const answer = live.assistantMessageId ? messages.findIndex((m) => m.id === live.assistantMessageId) : -1;
    const replaced = live.replaces ? messages.findIndex((m) => m.id === live.replaces) : -1;
    if (answer >= 0) shown = messages.slice(0, answer);
    else if (replaced >= 0) shown = messages.slice(0, replaced);
  }
  const showPending = Boolean(
    live.phase &&
      (live.pendingUserText || live.pendingImages?.length || live.pendingFiles?.length) &&
      !(live.userMessageId && shown.some((m) => m.id === live.userMessageId)),
  );
  return { shown, showPending };
}
