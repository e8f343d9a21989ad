import { memo } from "react";
import { countBlockRender, splitBlocks } from "./blocks";
import { Markdown } from "./Markdown";
import { mightContainMath } from "./math/loader";

const Block = memo(function Block({ text, live }: { text: string; live: boolean }) {
  countBlockRender();
  return <Markdown text={text} live={live} />;
});

export function StreamingMarkdown({ text, streaming }: { text: string; streaming: boolean }) {
  const blocks = splitBlocks(text);
  return (
    <div className="prose-chat" aria-busy={streaming}>
      {blocks.map((b, i) => (
        // Only a growing block with math markers needs `live` (see Markdown): others keep
        // the same props when the next block starts, so they are not rendered again.
        <Block key={i} text={b} live={streaming && i === blocks.length - 1 && mightContainMath(b)} />
      ))}
    </div>
  );
}
