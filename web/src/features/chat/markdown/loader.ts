import { lazyModule } from "@/lib/lazyModule";

/** The lazily loaded Markdown pipeline (react-markdown, remark-gfm and what they pull in). */
export type MarkdownModule = typeof import("./RichMarkdown");

const markdown = lazyModule<MarkdownModule>(() => import("./RichMarkdown"));

/**
 * Loads the Markdown pipeline once; every caller shares the request. `main.tsx` starts it
 * right after the first render, so it is usually there before the first answer is shown.
 */
export const loadMarkdown = markdown.load;

/** The pipeline once it is there, starting its download when `needed` (see lazyModule). */
export const useMarkdown = markdown.use;
