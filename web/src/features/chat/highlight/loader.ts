import { lazyModule } from "@/lib/lazyModule";

/** The lazily loaded highlighting module (rehype-highlight, lowlight, highlight.js). */
export type HighlightModule = typeof import("./index");

/**
 * Cheap test run on every render: could this text hold a block the highlighter would
 * colour? Only fences that name a language are highlighted (no guessing), so text without
 * a ```lang or ~~~lang line never loads the highlighter. ```math is math, not code.
 */
export function mightNeedHighlight(text: string): boolean {
  return /^ {0,3}(?:`{3,}|~{3,})[ \t]*(?!math\b)[^\s`~]/m.test(text);
}

const highlight = lazyModule<HighlightModule>(() => import("./index"));

/** Loads the highlighter once; every caller shares the same request. */
export const loadHighlight = highlight.load;

/**
 * The highlighter once it is there, starting its download when `needed`. Until it arrives
 * the code block shows as plain monospace text in its final frame (same box, same font, so
 * colouring it later moves nothing), then only that block re-renders, once.
 */
export const useHighlight = highlight.use;
