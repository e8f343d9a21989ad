/**
 * Split Markdown into top-level blocks at blank lines outside code fences. While an answer
 * streams only the last block grows, so only it is parsed again; earlier blocks keep their
 * text and their memoized render.
 */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  for (const line of text.split("\n")) {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (m?.[1]) {
      const marker = m[1];
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    }
    if (fence === null && line.trim() === "" && current.length) {
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
