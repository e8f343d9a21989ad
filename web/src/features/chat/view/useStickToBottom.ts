import { useEffect, useRef, useState } from "react";

/** How near the bottom (px) still counts as "at the bottom". */
const NEAR = 80;

/**
 * A scroller that sticks to the bottom while the user is there (its content growing keeps it
 * there) and lets go once they scroll up. `resetKey` (the conversation) re-sticks it.
 */
export function useStickToBottom(resetKey: unknown) {
  const scroller = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const onScroll = () => {
    const el = scroller.current;
    if (el) setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight < NEAR);
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
  }, [atBottom, resetKey]);
  const scrollToBottom = () => {
    const el = scroller.current;
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
  };
  return { scroller, atBottom, onScroll, scrollToBottom };
}
