import { memo } from "react";
import { useAppSelector } from "@/store";
import { ThinkingBlock } from "./ThinkingBlock";

/**
 * The thinking block of the answer being written. It alone reads the streaming thoughts, so a
 * thought re-renders this block and not the answer's Markdown (nor the finished messages).
 */
export const LiveThinking = memo(function LiveThinking({
  conversationKey,
  live,
  durationMs,
}: {
  conversationKey: string;
  live: boolean;
  durationMs: number | null;
}) {
  const text = useAppSelector((s) => s.stream.byConversation[conversationKey]?.thinking ?? "");
  return <ThinkingBlock text={text} live={live} durationMs={durationMs} />;
});
