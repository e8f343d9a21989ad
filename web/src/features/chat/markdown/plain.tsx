import { Fragment } from "react";
import { paragraphs } from "./plainText";

/**
 * Plain prose rendered exactly as react-markdown renders it (`<p>` per paragraph, soft line
 * breaks kept as "\n", a "\n" text node between blocks), without loading the pipeline.
 */
export function PlainText({ text }: { text: string }) {
  return paragraphs(text).map((p, i) => (
    <Fragment key={i}>
      {i > 0 && "\n"}
      <p>{p}</p>
    </Fragment>
  ));
}

/**
 * Markdown shown as its source while the pipeline is still loading (a moment, on a cold
 * start only): readable, line breaks kept, replaced in place once the pipeline arrives.
 */
export function SourceText({ text }: { text: string }) {
  return paragraphs(text).map((p, i) => (
    <p key={i} className="whitespace-pre-wrap">
      {p}
    </p>
  ));
}
