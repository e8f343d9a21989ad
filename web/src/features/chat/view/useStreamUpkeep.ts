import { useEffect } from "react";
import type { ChatMessage } from "@/api/types";
import { useAppDispatch } from "@/store";
import { clearStream, isStreaming, reattach } from "../streamController";
import type { LiveTurn } from "./liveStream";

/**
 * The live stream's life beside the saved conversation: after a reload mid-answer, follow the
 * answer the server still writes; once the saved conversation holds the finished answer, drop
 * the live copy.
 */
export function useStreamUpkeep(
  conversationId: string | null,
  messages: ChatMessage[],
  live: LiveTurn,
  fetching: boolean,
): void {
  const dispatch = useAppDispatch();
  const { key, phase, assistantMessageId } = live;

  useEffect(() => {
    if (!conversationId || phase) return;
    const last = messages[messages.length - 1];
    if (last && last.role === "assistant" && last.status === "streaming" && !dispatch(isStreaming(conversationId))) {
      void dispatch(reattach(conversationId, last.id, last.content));
    }
  }, [conversationId, messages, phase, dispatch]);

  useEffect(() => {
    if (!key || !phase || phase === "connecting" || phase === "streaming") return;
    if (!conversationId || fetching) return;
    const saved = assistantMessageId ? messages.find((m) => m.id === assistantMessageId) : undefined;
    if (saved && saved.status !== "streaming") dispatch(clearStream(key));
  }, [key, phase, assistantMessageId, messages, fetching, conversationId, dispatch]);
}
