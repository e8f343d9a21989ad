import { shallowEqual } from "react-redux";
import type { ChatMessage } from "@/api/types";
import { useAppSelector } from "@/store";
import type { LiveStream } from "@/store/streamSlice";

/** What the chat view reads of its live stream: never the streaming text (LiveAnswer alone does). */
const FIELDS = [
  "phase",
  "assistantMessageId",
  "userMessageId",
  "pendingUserText",
  "pendingImages",
  "pendingFiles",
  "replaces",
  "kind",
] as const;

/**
 * The chat view's live turn: ids, the just-sent turn and the phase, so a token does not
 * re-render the view. `key` is the stream's key (the conversation id, or a new chat's
 * "draft-…"); null when there is none.
 */
export type LiveTurn = { key: string | null } & Partial<Pick<LiveStream, (typeof FIELDS)[number]>>;

/** The live turn of `conversationId` (a new chat's stream is keyed "draft-…" until named). */
export function useLiveTurn(conversationId: string | null): LiveTurn {
  return useAppSelector((s) => {
    const streams = s.stream.byConversation;
    const key = conversationId ?? Object.keys(streams).find((k) => k.startsWith("draft-")) ?? null;
    const live = key ? streams[key] : undefined;
    return Object.fromEntries([["key", key], ...FIELDS.map((f) => [f, live?.[f]])]) as LiveTurn;
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
