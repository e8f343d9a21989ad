import { Brain, ChevronRight } from "lucide-react";
import { memo, useId, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { cn } from "@/lib/utils";
import { countThinkingRender } from "./renderStats";
import { thinkingHeader } from "./thinkingTime";

/** Distance from the bottom (px) within which the live text keeps following new thoughts. */
const FOLLOW_PX = 24;

/**
 * What the model thought before answering, above the answer. While it thinks (`live`) the
 * text shows under a pulsing "Thinking…", in a bounded box that follows the newest line;
 * once the answer starts (or the message ends) it folds to "Thought for 12 s", and the
 * header button opens and closes it (click, Enter or Space).
 *
 * The text is a React string child: whatever the model wrote stays text (no HTML, no
 * Markdown). Memoized: the answer's tokens do not re-render it, only new thoughts do.
 */
export const ThinkingBlock = memo(function ThinkingBlock({
  text,
  live,
  durationMs,
}: {
  text: string;
  /** Still thinking: no answer text yet and the stream is open. */
  live: boolean;
  durationMs: number | null;
}) {
  countThinkingRender();
  const { t } = useTranslation();
  const id = useId();
  // null: follow the state (open while thinking, folded after); a click makes it the user's.
  const [chosen, setChosen] = useState<boolean | null>(null);
  const open = chosen ?? live;
  const body = useRef<HTMLDivElement>(null);
  const follow = useRef(true);

  // Pinned to the newest thought while thinking, unless the reader scrolled up to read.
  useLayoutEffect(() => {
    const el = body.current;
    if (!el || !live || !open) return;
    if (follow.current) el.scrollTop = el.scrollHeight;
    // The top edge fades once earlier lines scroll out of view (set on the element: no render).
    el.dataset.scrolled = el.scrollTop > 0 ? "true" : "false";
  }, [text, live, open]);

  return (
    <div className="mb-3" data-testid="thinking-block" data-state={live ? "live" : "done"}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`${id}-text`}
        onClick={() => setChosen(!open)}
        className="group -ml-1.5 inline-flex max-w-full items-center gap-1.5 rounded-md px-1.5 py-1 text-sm text-muted-foreground transition-colors hover:bg-accent/70 hover:text-foreground focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring"
        data-testid="thinking-toggle"
      >
        <Brain className={cn("size-4 shrink-0", live && "animate-pulse text-primary")} aria-hidden="true" />
        <span className={cn("truncate", live && "animate-pulse")} data-testid="thinking-header">
          {live ? t("thinking.live") : thinkingHeader(t, durationMs)}
        </span>
        <ChevronRight
          aria-hidden="true"
          className={cn("size-3.5 shrink-0 transition-transform duration-200", open && "rotate-90")}
        />
      </button>
      {open && (
        <div
          ref={body}
          id={`${id}-text`}
          // The answer's bubble is a polite live region; reading every thought aloud is noise.
          aria-live="off"
          onScroll={(e) => {
            const el = e.currentTarget;
            follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_PX;
            el.dataset.scrolled = el.scrollTop > 0 ? "true" : "false";
          }}
          className={cn(
            "mt-1 ml-[0.8125rem] overflow-y-auto overscroll-contain border-l-2 border-border py-0.5 pr-2 pl-3.5 text-[0.8125rem] leading-relaxed break-words whitespace-pre-wrap text-muted-foreground",
            live
              ? "max-h-44 data-[scrolled=true]:[mask-image:linear-gradient(to_bottom,transparent,black_2rem)]"
              : "max-h-80",
          )}
          data-testid="thinking-text"
        >
          {text}
        </div>
      )}
    </div>
  );
});
