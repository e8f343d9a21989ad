/**
 * Split Markdown into top-level blocks at blank lines outside code fences and display math.
 * While an answer streams only the last block grows, so only it is parsed again; earlier
 * blocks keep their text and their memoized render. A `$$` or `\[` formula is kept whole
 * like a fence, so a blank line inside it cannot cut it into two broken halves.
 */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let mathClose: "$$" | "\\]" | null = null;
  for (const line of text.split("\n")) {
    if (mathClose === null) {
      const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
      if (m?.[1]) {
        const marker = m[1];
        if (fence === null) fence = marker;
        else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      } else if (fence === null) {
        mathClose = mathOpenedBy(line);
      }
    } else if (line.includes(mathClose)) {
      mathClose = null;
    }
    if (fence === null && mathClose === null && line.trim() === "" && current.length) {
      blocks.push(current.join("\n"));
      current = [];
      continue;
    }
    if (line.trim() === "" && !current.length) continue;
    current.push(line);
  }
  if (current.length) blocks.push(current.join("\n"));
  return blocks;
}

/** The delimiter that closes display math opened on this line and left open, if any. */
function mathOpenedBy(line: string): "$$" | "\\]" | null {
  const body = line.trim();
  if (body.startsWith("$$") && !body.slice(2).includes("$$")) return "$$";
  if (body.startsWith("\\[") && !body.includes("\\]")) return "\\]";
  return null;
}

/** Counts block renders so a test can prove finished blocks are not rendered again. */
export const renderStats = { blocks: 0 };

export function countBlockRender(): void {
  renderStats.blocks += 1;
}

/** Counts renders of finished messages: streaming must leave this number alone. */
export const messageRenderStats = { messages: 0 };

export function countMessageRender(): void {
  messageRenderStats.messages += 1;
}
