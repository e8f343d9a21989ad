/**
 * Characters and sequences that can mean something in Markdown (GFM, with math): emphasis,
 * code, links, HTML, tables, headings, escapes and entities, autolinks (`://`, `www.`, e-mail
 * `@`), math (`$`). Text free of all of them is plain prose.
 */
const SYNTAX = /[\\`*_~[\]<>#|$&@\r\t\f\v\0]|:\/\/|www\./i;
/** A line that opens a block: indented code, a list item, a setext underline, a quote. */
const BLOCK_START = /^(?:[ \t]|[-+=]|\d+[.)])/m;
/** Spaces before a line break (a hard break in Markdown). */
const TRAILING_SPACE = /[ \t]$/m;

/**
 * Whether `text` is plain prose that Markdown would turn into bare paragraphs. Conservative:
 * a false "no" only means the full pipeline renders it; a false "yes" would change the page,
 * so a test renders many random strings both ways and compares the markup.
 */
export function isPlainText(text: string): boolean {
  return !SYNTAX.test(text) && !BLOCK_START.test(text) && !TRAILING_SPACE.test(text);
}

/** Paragraphs: runs of lines between blank lines. */
export function paragraphs(text: string): string[] {
  const body = text.replace(/^\n+|\n+$/g, "");
  return body === "" ? [] : body.split(/\n{2,}/);
}
