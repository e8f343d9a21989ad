import { memo } from "react";
import { countBlockRender, splitBlocks } from "./blocks";
import { Markdown } from "./Markdown";

const Block = memo(function Block({ text }: { text: string }) {
  countBlockRender();
  return <Markdown text={text} />;
});

export function StreamingMarkdown({ text, streaming }: { text: string; streaming: boolean }) {
  const blocks = splitBlocks(text);
  return (
    <div className="prose-chat" aria-busy={streaming}>
      {blocks.map((b, i) => (
        <Block key={i} text={b} />
      ))}
    </div>
  );
}
