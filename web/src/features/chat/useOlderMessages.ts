import { useMemo, useState } from "react";
import { useLazyOlderMessagesQuery } from "@/api/endpoints";
import type { ChatMessage, Conversation } from "@/api/types";

interface Older {
  conversationId: string;
  messages: ChatMessage[];
  hasMore: boolean;
  /** The server's `images_before` for the oldest page loaded. */
  imagesBefore: boolean;
}

/**
 * The newest page of a conversation plus any older pages the user asked for. Older messages
 * are joined only where the newest page's first message names its parent among them, so a
 * branch switch or a newest page that moved past them falls back to the newest page alone
 * (never a gap or a duplicate); the user can then load earlier messages again.
 */
export function useOlderMessages(conversationId: string | null | undefined, page: Conversation | undefined) {
  const [older, setOlder] = useState<Older | null>(null);
  const [fetchOlder, { isFetching, isError }] = useLazyOlderMessagesQuery();
  const own = older && older.conversationId === conversationId ? older : null;

  const { messages, prefix } = useMemo(() => {
    const newest = page?.messages ?? [];
    const first = newest[0];
    if (!own || !first) return { messages: newest, prefix: null };
    const i = own.messages.findIndex((m) => m.id === first.parent_id);
    if (i < 0) return { messages: newest, prefix: null };
    const kept = own.messages.slice(0, i + 1);
    return { messages: [...kept, ...newest], prefix: kept };
  }, [own, page]);

  const hasMore = prefix && own ? own.hasMore : (page?.has_more ?? false);
  // Images on the branch older than anything loaded: sent with every turn all the same.
  const imagesBefore = prefix && own ? own.imagesBefore : (page?.images_before ?? false);

  const loadOlder = async () => {
    const first = messages[0];
    if (!conversationId || !first) return;
    try {
      const r = await fetchOlder({ id: conversationId, before: first.id }).unwrap();
      setOlder({
        conversationId,
        messages: [...r.messages, ...(prefix ?? [])],
        hasMore: r.has_more ?? false,
        imagesBefore: r.images_before ?? false,
      });
    } catch {
      // isError shows the failure beside the button; the user can try again.
    }
  };

  return { messages, hasMore, imagesBefore, loadOlder, loadingOlder: isFetching, olderFailed: isError };
}
