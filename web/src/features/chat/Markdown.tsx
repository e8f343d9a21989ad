import { memo } from "react";
import { useMarkdown } from "./markdown/loader";
import { PlainText, SourceText } from "./markdown/plain";
import { isPlainText } from "./markdown/plainText";

/**
 * Renders model output. Plain prose (no Markdown syntax at all, the common case for short
 * answers) is drawn directly, exactly as the Markdown pipeline would draw it; anything else
 * goes through the pipeline, loaded on demand (`markdown/`), with math and syntax
 * highlighting loaded on demand in turn. Finished messages never change, so memo makes
 * their Markdown parse once. `live` marks the block being streamed (see RichMarkdown).
 */
export const Markdown = memo(function Markdown({ text, live = false }: { text: string; live?: boolean }) {
  const plain = isPlainText(text);
  // Plain text never subscribes, so the pipeline's arrival does not re-render it.
  const pipeline = useMarkdown(!plain);
  if (plain) return <PlainText text={text} />;
  if (!pipeline) return <SourceText text={text} />;
  return <pipeline.RichMarkdown text={text} live={live} />;
});
