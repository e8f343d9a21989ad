import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PlainText } from "./plain";
import { isPlainText } from "./plainText";
import { RichMarkdown } from "./RichMarkdown";

function html(node: React.ReactNode): string {
  const { container, unmount } = render(<>{node}</>);
  const out = container.innerHTML;
  unmount();
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIXED = [
  "Hello",
  "2, 3 and 5.",
  "Day one: Vieux Lyon and Fourvière. Day two: Les Halles Paul Bocuse.",
  "First line.\nSecond line.",
  "One.\n\nTwo.\n\n\n\nThree.",
  "\n\nAfter blank lines.\n\n",
  "Café, déjà vu, naïve: 😀 (ok?) \"quoted\" 'single' 100% = fine; a/b.",
  "",
];

describe("plain text fast path", () => {
  it("draws plain prose exactly as the Markdown pipeline does", () => {
    for (const text of FIXED) {
      expect(isPlainText(text), text).toBe(true);
      expect(html(<PlainText text={text} />), text).toBe(html(<RichMarkdown text={text} live={false} />));
    }
  });

  it("agrees with the pipeline on random text it calls plain, and sends the rest to it", () => {
    const next = rng(20261121);
    // Mostly prose characters (including ones that matter only at a line start: - + = 1.),
    // sometimes Markdown syntax, so both sides of isPlainText are exercised.
    const prose = [..."abcxyz ABC 0123456789 .,;:!?'\"()/%=+-"].concat(["\n", "\n\n", "\n\n\n", "  "]);
    const syntax = [..."*_`#>|[]<$&@\\~\t"].concat(["1. ", "- ", "www.", "http://x.org"]);
    const pick = (list: string[]) => list[Math.floor(next() * list.length)];
    let plain = 0;
    for (let n = 0; n < 600; n++) {
      const length = 1 + Math.floor(next() * 30);
      const text = Array.from({ length }, () => pick(next() < 0.04 ? syntax : prose)).join("");
      if (!isPlainText(text)) continue;
      plain += 1;
      expect(html(<PlainText text={text} />), JSON.stringify(text)).toBe(html(<RichMarkdown text={text} live={false} />));
    }
    expect(plain).toBeGreaterThan(100);
  });

  it.each([
    "**bold**",
    "a_b",
    "`code`",
    "# Title",
    "- item",
    "+ item",
    "1. item",
    "3) item",
    "Title\n===",
    "> quote",
    "    indented code",
    "line with hard break  \nnext",
    "see https://example.com",
    "www.example.com",
    "mail me@example.com",
    "a | b",
    "[link](x)",
    "<b>html</b>",
    "&amp;",
    "costs $5",
    "\\(x\\)",
    "~~gone~~",
  ])("leaves %j to the Markdown pipeline", (text) => {
    expect(isPlainText(text)).toBe(false);
  });
});
