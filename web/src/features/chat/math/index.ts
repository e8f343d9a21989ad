/**
 * Math support, loaded on demand (see `loader.ts`): remark-math + KaTeX weigh about as much
 * as the rest of the app, and most answers contain no formula.
 */
import "katex/dist/katex.min.css";
import "./math.css";
import type { KatexOptions } from "katex";
import rehypeKatex from "rehype-katex";
import remarkMath from "remark-math";
import type { PluggableList } from "unified";
import { remarkDisplayMath } from "./displayMath";

export { normalizeMath } from "./normalize";

/**
 * KaTeX settings for untrusted text. `trust` stays false, so `\href`, `\url`,
 * `\includegraphics` and `\htmlClass`/`\htmlId`/`\htmlStyle`/`\htmlData` render as inert
 * error text, never as links, images or attributes. `maxSize` caps `\rule` and friends (in
 * ems) and `maxExpand` stops `\def` loops. Nothing is passed as `macros`, so `\gdef` in one
 * answer cannot leak into the next. Bad input renders its source in the error colour
 * (`throwOnError: false` is what rehype-katex falls back to); `errorColor` is the theme's
 * red, so it stays readable on the dark background too.
 */
export const katexOptions: Omit<KatexOptions, "displayMode" | "throwOnError"> = {
  trust: false,
  strict: "ignore",
  maxSize: 10,
  maxExpand: 1000,
  output: "htmlAndMathml",
  errorColor: "var(--danger)",
};

/** Added after remark-gfm: `$…$` is inline math once `normalizeMath` escaped the currency. */
export const remarkMathPlugins: PluggableList = [[remarkMath, { singleDollarTextMath: true }], remarkDisplayMath];

/** Runs before syntax highlighting so ```math blocks become formulas, as on GitHub. */
export const rehypeMathPlugins: PluggableList = [[rehypeKatex, katexOptions]];
