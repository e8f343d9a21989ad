/**
 * Syntax highlighting, loaded on demand (see `loader.ts`): highlight.js with its common
 * languages weighs about 160 kB, more than the rest of the chat screen's own code, and most
 * answers have no fenced code block with a language.
 */
import rehypeHighlight from "rehype-highlight";
import type { PluggableList } from "unified";

/** `detect: false`: only fences that name their language are coloured, never guessed. */
export const rehypeHighlightPlugins: PluggableList = [[rehypeHighlight, { detect: false, ignoreMissing: true }]];
