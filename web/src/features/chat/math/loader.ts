import { lazyModule } from "@/lib/lazyModule";

/** The lazily loaded math module (remark-math, rehype-katex, KaTeX and its CSS). */
export type MathModule = typeof import("./index");

/**
 * Cheap test run on every render: could this text hold math? Most answers have no `$`, `\(`
 * or `\[` at all and never load the math module.
 */
export function mightContainMath(text: string): boolean {
  return (
    text.includes("$") ||
    text.includes("\\(") ||
    text.includes("\\[") ||
    // A ```math fence is display math, as on GitHub.
    text.includes("```math") ||
    text.includes("~~~math")
  );
}

const math = lazyModule<MathModule>(() => import("./index"));

/**
 * Loads math support once; every caller shares the same request. A failed load is
 * forgotten so a later message can try again, and the text stays readable as plain source
 * meanwhile.
 */
export const loadMath = math.load;

/**
 * The math module once it is there, starting its download when `needed`. Until it arrives
 * the caller renders without math (the formulas show as source for a moment), then the
 * component re-renders once. Components that need no math do not even subscribe, so its
 * arrival never re-parses their Markdown.
 */
export const useMath = math.use;
