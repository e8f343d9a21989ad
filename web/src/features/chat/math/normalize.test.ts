import { describe, expect, it } from "vitest";
import { splitBlocks } from "../blocks";
import { mightContainMath } from "./loader";
import { normalizeMath } from "./normalize";

const norm = (text: string) => normalizeMath(text).text;

describe("normalizeMath", () => {
  it("turns \\( \\) into $ $ and a one-line \\[ \\] into $$ $$", () => {
    expect(norm("Area \\(\\pi r^2\\) here")).toBe("Area $\\pi r^2$ here");
    expect(norm("\\[ E = mc^2 \\]")).toBe("$$ E = mc^2 $$");
  });

  it("turns a multi-line \\[ \\] into a $$ block, keeping list indentation", () => {
    expect(norm("\\[\nx = 1\n\\]")).toBe("$$\nx = 1\n$$");
    expect(norm("- step\n\n  \\[\n  a^2\n  \\]")).toBe("- step\n\n  $$\n  a^2\n  $$");
    expect(norm("\\[ a +\nb \\] so")).toBe("$$\na +\nb\n$$\nso");
    expect(norm("> Quote:\n> \\[\n> x >\n> \\]\n> done")).toBe("> Quote:\n> $$\n> x >\n> $$\n> done");
  });

  it("keeps $…$ inline math and escapes currency", () => {
    expect(norm("Let $x^2$ be")).toBe("Let $x^2$ be");
    expect(norm("It costs $5 and $10.")).toBe("It costs \\$5 and \\$10.");
    expect(norm("from $5-$10 a month")).toBe("from \\$5-\\$10 a month");
    expect(norm("US$ 20 or $ x $")).toBe("US\\$ 20 or \\$ x \\$");
    expect(norm("Already \\$5 escaped")).toBe("Already \\$5 escaped");
  });

  it("leaves code spans, fenced and indented code byte for byte", () => {
    const code = [
      "Use `$HOME` and `\\(x\\)`.",
      "",
      "```sh",
      "echo $PATH \\(not math\\) $a$",
      "```",
      "",
      "    indented $x$ \\[y\\] $5",
      "",
      "~~~",
      "$$",
      "~~~",
    ].join("\n");
    expect(norm(code)).toBe(code);
  });

  it("leaves existing $$ math and link destinations alone", () => {
    expect(norm("$$\n\\frac{a}{b} \\$ \\(x\\)\n$$")).toBe("$$\n\\frac{a}{b} \\$ \\(x\\)\n$$");
    expect(norm("[pay $5](https://example.com/?a=$x$)")).toBe("[pay \\$5](https://example.com/?a=$x$)");
  });

  it("puts $$ fences on their own lines", () => {
    expect(norm("$$ a +\nb $$")).toBe("$$\na +\nb\n$$");
    expect(norm("  $$x +\n  y$$")).toBe("  $$\n  x +\n  y\n  $$");
  });

  it("escapes an unclosed $$ so a later formula cannot pair with it", () => {
    expect(norm("a $$ b and \\(c\\)")).toBe("a \\$\\$ b and $c$");
  });

  it("hands back a display formula still open at the end of a live block", () => {
    expect(normalizeMath("Intro\n\n$$\n\\frac{a}{", true)).toEqual({ text: "Intro\n\n", pending: "\\frac{a}{" });
    expect(normalizeMath("See:\n\\[\n\\sum_i", true)).toEqual({ text: "See:\n", pending: "\\sum_i" });
    // Finished text keeps Markdown's own reading: the block runs to the end.
    expect(normalizeMath("$$\nx", false)).toEqual({ text: "$$\nx", pending: null });
    // A closed formula is not pending.
    expect(normalizeMath("$$\nx\n$$", true).pending).toBeNull();
  });
});

describe("math markers", () => {
  it("spots text that may hold math, cheaply", () => {
    expect(mightContainMath("plain answer")).toBe(false);
    expect(mightContainMath("costs $5")).toBe(true);
    expect(mightContainMath("\\(x\\)")).toBe(true);
    expect(mightContainMath("\\[x\\]")).toBe(true);
    expect(mightContainMath("```math\nx\n```")).toBe(true);
    expect(mightContainMath("```latex\n\\frac12\n```")).toBe(false);
  });

  it("keeps a display formula with a blank line in one streaming block", () => {
    expect(splitBlocks("Intro\n\n$$\na\n\nb\n$$\n\nAfter")).toEqual(["Intro", "$$\na\n\nb\n$$", "After"]);
    expect(splitBlocks("\\[\na\n\nb\n\\]\n\nAfter")).toEqual(["\\[\na\n\nb\n\\]", "After"]);
    expect(splitBlocks("$$x$$\n\nnext")).toEqual(["$$x$$", "next"]);
  });
});
