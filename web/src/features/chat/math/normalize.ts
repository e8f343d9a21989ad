/**
 * Rewrites the math notations models use into the one remark-math reads, touching nothing
 * inside code.
 *
 * Models write `$…$`, `$$…$$`, `\(…\)` and `\[…\]`. remark-math only knows dollars, and its
 * single-dollar rule pairs any two dollars like code spans do, so "$5 and $10" would turn
 * into math. Here:
 *
 * - `\(…\)` becomes `$…$` and `\[…\]` becomes `$$…$$` (a flow block when `\[` starts a
 *   line and the formula spans lines);
 * - a single `$` is kept only when it opens or closes inline math by Pandoc's rule (the
 *   opener has a non-space on its right; the closer has a non-space on its left, is not
 *   followed by a digit, and sits on the same line); every other dollar is escaped, so
 *   currency stays text;
 * - a `$$` line with the formula on the same line (`$$ x +` … `y $$`) is split so its
 *   first and last lines are not lost as fence "meta" or swallowed as content.
 *
 * What is code, math or a link destination comes from a real Markdown parse (remark-parse +
 * remark-math), not from guessing with regexes, so fenced, indented and inline code keep
 * every byte.
 */
import type { Nodes, Root } from "mdast";
import remarkMath from "remark-math";
import remarkParse from "remark-parse";
import { unified } from "unified";

/** Parses like the renderer does, minus single-dollar math (handled here by Pandoc's rule). */
const parser = unified().use(remarkParse).use(remarkMath, { singleDollarTextMath: false });

export interface NormalizedMath {
  /** Markdown for remark-math (with `singleDollarTextMath`). */
  text: string;
  /**
   * Only when `live`: the source of a display formula still being written (an unclosed `$$`
   * or `\[` at the end), cut from `text` so the reader sees it as plain source instead of
   * KaTeX errors flashing while it is incomplete.
   */
  pending: string | null;
}

type Range = readonly [start: number, end: number];

const FENCE = /^\s*(?:>\s?)*\s*(`{3,}|~{3,})/;
const LINE_PREFIX = /^[ \t]*(?:>[ \t]?)*[ \t]*/;

/**
 * Step 1, line by line: puts `$$` fences on their own line. A line `$$ a +` would otherwise
 * open a block whose first line is lost as "meta", and `b $$` would not close it.
 */
function splitDisplayFences(text: string): string {
  if (!text.includes("$$")) return text;
  const out: string[] = [];
  let codeFence: string | null = null;
  let inMath = false;
  for (const line of text.split("\n")) {
    const fence = FENCE.exec(line)?.[1];
    if (codeFence !== null) {
      if (fence && fence[0] === codeFence[0] && fence.length >= codeFence.length) codeFence = null;
      out.push(line);
      continue;
    }
    if (!inMath && fence) {
      codeFence = fence;
      out.push(line);
      continue;
    }
    const prefix = LINE_PREFIX.exec(line)?.[0] ?? "";
    const body = line.slice(prefix.length);
    if (!inMath) {
      // `$$` (possibly with the formula's first line after it) and no other `$$` on the line.
      const open = /^\$\$(?!\$)(.*)$/.exec(body);
      if (open && !open[1]?.includes("$$")) {
        inMath = true;
        const rest = open[1]?.trim() ?? "";
        out.push(rest ? `${prefix}$$\n${prefix}${rest}` : line);
        continue;
      }
      out.push(line);
      continue;
    }
    const close = /^(.*?)\$\$\s*$/.exec(body);
    if (close) {
      inMath = false;
      const before = close[1]?.trim() ?? "";
      out.push(before && !before.includes("$$") ? `${prefix}${before}\n${prefix}$$` : line);
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

/**
 * Source ranges the rewrite must not touch (code, existing math, raw HTML, URLs), and where
 * a `$$` block still open at the very end starts.
 */
function protectedRanges(tree: Root, source: string): { ranges: Range[]; openMathAt: number | null } {
  const ranges: Range[] = [];
  let openMathAt: number | null = null;
  const visit = (node: Nodes): void => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return;
    switch (node.type) {
      case "code":
      case "inlineCode":
      case "inlineMath":
      case "html":
      case "image":
      case "definition":
        ranges.push([start, end]);
        return;
      case "math": {
        ranges.push([start, end]);
        const lines = source.slice(start, end).trimEnd().split("\n");
        const closed = lines.length > 1 && /^\s*(?:>\s?)*\s*\$\$/.test(lines[lines.length - 1] ?? "");
        if (!closed && source.slice(end).trim() === "") openMathAt = start;
        return;
      }
      case "link": {
        // The link text is Markdown like any other; the destination after it is not.
        const last = node.children[node.children.length - 1]?.position?.end.offset;
        ranges.push([last ?? start + 1, end]);
        break;
      }
      default:
        break;
    }
    if ("children" in node) for (const child of node.children) visit(child);
  };
  visit(tree);
  return { ranges: mergeRanges(ranges, source.length), openMathAt };
}

function mergeRanges(ranges: Range[], length: number): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, Math.min(e, length)]);
  }
  return merged;
}

function isSpace(ch: string | undefined): boolean {
  return ch === undefined || /\s/.test(ch);
}

/** The index of the closing single `$` for an opener at `open`, by Pandoc's rule, or -1. */
function closingDollar(s: string, open: number): number {
  if (isSpace(s[open + 1]) || s[open + 1] === "$") return -1;
  for (let k = open + 1; k < s.length; k++) {
    const ch = s[k];
    if (ch === "\n") return -1;
    if (ch === "\\") {
      k++; // `\$` and other escapes inside the formula are part of it
      continue;
    }
    if (ch !== "$") continue;
    const valid = !isSpace(s[k - 1]) && s[k + 1] !== "$" && !/[0-9]/.test(s[k + 1] ?? "");
    return valid ? k : -1;
  }
  return -1;
}

/** Text before `index` on its line, if it is only indentation and blockquote markers. */
function lineStartPrefix(full: string, index: number): string | null {
  const lineStart = full.lastIndexOf("\n", index - 1) + 1;
  const before = full.slice(lineStart, index);
  return LINE_PREFIX.exec(before)?.[0] === before ? before : null;
}

interface Rewritten {
  text: string;
  /** Offset in the segment where an unclosed `\[` starts, if any. */
  openDisplayAt: number | null;
}

/** Step 3: rewrites one stretch of plain Markdown text (no code, math or URLs in it). */
function rewriteSegment(full: string, offset: number, s: string): Rewritten {
  let out = "";
  let openDisplayAt: number | null = null;
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === "\\") {
      const next = s[i + 1];
      if (next === "(" || next === "[") {
        const close = s.indexOf(next === "(" ? "\\)" : "\\]", i + 2);
        const inner = close < 0 ? "" : s.slice(i + 2, close);
        const usable = close >= 0 && inner.trim() !== "" && !inner.includes("$") && !/\n[ \t]*\n/.test(inner);
        if (usable && next === "(") {
          out += `$${inner}$`;
          i = close + 2;
          continue;
        }
        if (usable) {
          const display = displayMath(full, offset + i, inner, s.slice(close + 2));
          out += display.text;
          i = close + 2 + display.skip;
          continue;
        }
        if (close < 0 && next === "[" && openDisplayAt === null && lineStartPrefix(full, offset + i) !== null) {
          openDisplayAt = i;
        }
      }
      // Any other escape (`\\`, `\$`, `\*`) stays as the author wrote it.
      out += s.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === "$") {
      let run = 1;
      while (s[i + run] === "$") run++;
      if (run === 1) {
        const close = closingDollar(s, i);
        if (close !== -1) {
          out += s.slice(i, close + 1);
          i = close + 1;
          continue;
        }
      }
      // Not inline math (currency, "$$" left unclosed): a literal dollar.
      out += "\\$".repeat(run);
      i += run;
      continue;
    }
    out += ch;
    i++;
  }
  return { text: out, openDisplayAt };
}

/** `\[…\]` as `$$…$$`: a flow block when it starts its line and spans lines, else inline. */
function displayMath(full: string, at: number, inner: string, after: string): { text: string; skip: number } {
  const prefix = lineStartPrefix(full, at);
  if (prefix === null || !inner.includes("\n")) return { text: `$$${inner}$$`, skip: 0 };
  // Drop the line breaks right after `\[` and before `\]` (with the blockquote markers of
  // the closing line, if the formula sits in a quote): the fences bring their own.
  const trailing = prefix.includes(">") ? /\n[ \t]*(?:>[ \t]?)*[ \t]*$/ : /\n[ \t]*$/;
  const body = inner.replace(/^[ \t]*\n?/, "").replace(trailing, "").trimEnd();
  const restOfLine = after.split("\n", 1)[0] ?? "";
  if (!restOfLine.trim()) return { text: `$$\n${body}\n${prefix}$$`, skip: 0 };
  // A closing fence must be alone on its line: the text after `\]` moves to the next line.
  const spaces = restOfLine.length - restOfLine.trimStart().length;
  return { text: `$$\n${body}\n${prefix}$$\n${prefix}`, skip: spaces };
}

/**
 * Normalises `text` for remark-math. With `live` (the block being streamed), a display
 * formula still open at the end is returned in `pending` instead of being rendered.
 */
export function normalizeMath(text: string, live = false): NormalizedMath {
  try {
    return rewrite(text, live);
  } catch {
    // A bug here must never blank an answer: fall back to remark-math's own reading.
    return { text, pending: null };
  }
}

function rewrite(text: string, live: boolean): NormalizedMath {
  const source = splitDisplayFences(text);
  const { ranges, openMathAt } = protectedRanges(parser.parse(source), source);
  let out = "";
  let pos = 0;
  let pendingFrom: number | null = null;
  let outAtPending = 0;
  const emitPlain = (start: number, end: number): boolean => {
    if (start >= end) return false;
    const { text: rewritten, openDisplayAt } = rewriteSegment(source, start, source.slice(start, end));
    if (live && openDisplayAt !== null) {
      const cut = rewriteSegment(source, start, source.slice(start, start + openDisplayAt));
      out += cut.text;
      pendingFrom = start + openDisplayAt;
      outAtPending = out.length;
      return true;
    }
    out += rewritten;
    return false;
  };
  for (const [start, end] of ranges) {
    if (emitPlain(pos, start)) break;
    if (live && openMathAt === start) {
      pendingFrom = start;
      outAtPending = out.length;
      break;
    }
    out += source.slice(start, end);
    pos = end;
  }
  if (pendingFrom === null) emitPlain(pos, source.length);
  if (pendingFrom === null) return { text: out, pending: null };
  const raw = source.slice(pendingFrom);
  const pending = raw
    .replace(/^[ \t]*(?:>[ \t]?)*[ \t]*(?:\$\$|\\\[)/, "")
    .trim();
  return { text: out.slice(0, outAtPending), pending };
}
