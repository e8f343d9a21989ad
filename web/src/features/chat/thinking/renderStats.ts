/**
 * How many times a thinking block rendered: tests check that answer tokens do not re-render
 * it and that thoughts re-render it alone (same idea as `blocks.ts`' counters).
 */
export const thinkingRenderStats = { blocks: 0 };

export function countThinkingRender(): void {
  thinkingRenderStats.blocks += 1;
}
