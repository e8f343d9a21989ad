import { render, screen } from "@testing-library/react";
import { beforeAll, describe, expect, it } from "vitest";
import { renderStats } from "../blocks";
import { Markdown } from "../Markdown";
import { StreamingMarkdown } from "../StreamingMarkdown";
import { loadMath } from "./loader";

// The math module is normally fetched on first use (see MathLazy.test.tsx); here it is loaded
// up front so every render below is synchronous.
beforeAll(async () => {
  await loadMath();
});

/** The TeX source KaTeX keeps in its MathML, for each formula in document order. */
function formulas(container: HTMLElement): string[] {
  return [...container.querySelectorAll('annotation[encoding="application/x-tex"]')].map((a) => a.textContent ?? "");
}

describe("math in answers", () => {
  it("renders $…$ inline, inside the sentence", () => {
    const { container } = render(<Markdown text={"Let $x^2 + 1$ be positive."} />);
    const p = container.querySelector("p");
    expect(p?.querySelector(".katex")).not.toBeNull();
    expect(p?.querySelector(".katex-display")).toBeNull();
    expect(formulas(container)).toEqual(["x^2 + 1"]);
    expect(p).toHaveTextContent(/^Let .* be positive\.$/);
  });

  it("renders $$ blocks and a lone $$…$$ line as display math", () => {
    const { container } = render(<Markdown text={"$$\n\\int_0^1 x\\,dx\n$$\n\nand\n\n$$ E = mc^2 $$"} />);
    expect(container.querySelectorAll(".katex-display")).toHaveLength(2);
    expect(formulas(container)).toEqual(["\\int_0^1 x\\,dx", "E = mc^2"]);
  });

  it("renders \\( \\) inline and \\[ \\] as display", () => {
    const { container } = render(<Markdown text={"Area \\(\\pi r^2\\), and:\n\n\\[\n\\sum_{i=1}^n i\n\\]"} />);
    expect(container.querySelector("p .katex")).not.toBeNull();
    expect(container.querySelectorAll(".katex-display")).toHaveLength(1);
    expect(formulas(container)).toEqual(["\\pi r^2", "\\sum_{i=1}^n i"]);
    expect(container).not.toHaveTextContent("\\(");
  });

  it("accepts spaces inside \\( \\) and \\[ \\], as models often write them", () => {
    const { container } = render(<Markdown text={"So \\( a + b \\) holds.\n\n\\[ c = d \\]"} />);
    expect(formulas(container).map((f) => f.trim())).toEqual(["a + b", "c = d"]);
    expect(container.querySelectorAll(".katex-display")).toHaveLength(1);
  });

  it("renders a ```math fence as display math, as GitHub does, and ```latex as code", () => {
    const { container } = render(<Markdown text={"```math\nE = mc^2\n```\n\n```latex\n\\frac{1}{2}\n```"} />);
    expect(formulas(container)).toEqual(["E = mc^2\n"]); // a fence keeps its last newline
    expect(container.querySelectorAll(".katex-display")).toHaveLength(1);
    expect(container.querySelector("pre code")?.textContent).toBe("\\frac{1}{2}\n");
  });

  it("renders display math inside quotes and lists", () => {
    const { container } = render(
      <Markdown text={"> Quote:\n> \\[\n> x = 1\n> \\]\n\n1. First\n   $$\n   a^2\n   $$\n2. Second \\(b\\)"} />,
    );
    expect(container.querySelector("blockquote .katex-display")).not.toBeNull();
    expect(container.querySelector("ol li .katex-display")).not.toBeNull();
    expect(formulas(container)).toEqual(["x = 1", "a^2", "b"]);
  });

  it("leaves currency as text", () => {
    const { container } = render(<Markdown text={"It costs $5 and $10, or $5-$10 a month."} />);
    expect(container.querySelector(".katex")).toBeNull();
    expect(container).toHaveTextContent("It costs $5 and $10, or $5-$10 a month.");
  });

  it("leaves code spans and code blocks exactly as written", () => {
    const src = "Run `echo $HOME $x$`.\n\n```sh\nprice=$5; echo \"$a$\" \\(b\\) \\[c\\]\n$$\n```";
    const { container } = render(<Markdown text={src} />);
    expect(container.querySelector(".katex")).toBeNull();
    expect(container.querySelector("p code")).toHaveTextContent("echo $HOME $x$");
    expect(container.querySelector("pre code")?.textContent).toBe('price=$5; echo "$a$" \\(b\\) \\[c\\]\n$$\n');
  });

  it("shows invalid LaTeX as its source in the error style, and the rest of the answer", () => {
    const { container } = render(<Markdown text={"Before $\\frac{1}{$ and $$\\badcommand{x}$$ after."} />);
    // A parse error: the whole formula as source, with KaTeX's message as its tooltip.
    const error = container.querySelector(".katex-error");
    expect(error?.textContent).toBe("\\frac{1}{");
    expect(error?.getAttribute("title")).toMatch(/ParseError/);
    // An unknown command: KaTeX renders the rest and shows the command itself in red.
    const unknown = [...container.querySelectorAll<HTMLElement>(".katex-html *")].find((el) =>
      el.style.color.includes("--danger"),
    );
    expect(unknown?.textContent).toBe("\\badcommand");
    expect(error).toHaveStyle({ color: "var(--danger)" });
    expect(container).toHaveTextContent(/^Before .* and .* after\.$/);
  });
});

describe("hostile math", () => {
  // Elements KaTeX writes (HTML + MathML + the SVG of stretchy glyphs), and Markdown's own.
  const allowed = new Set(
    "div p span svg path line math semantics annotation mrow mi mo mn ms mtext mspace msup msub msubsup mfrac msqrt mroot mover munder munderover mtable mtr mtd mstyle mpadded mphantom menclose".split(
      " ",
    ),
  );
  const attacks = [
    "$\\href{javascript:window.__pwned=1}{click}$",
    "$$\\href{javascript:window.__pwned=1}{click}$$",
    "$\\url{javascript:window.__pwned=1}$",
    "$\\includegraphics[height=1em]{https://evil.example/t.png}$",
    "$\\htmlClass{evil}{x}$ $\\htmlId{evil}{x}$ $\\htmlStyle{background:url(https://evil.example)}{x}$",
    "$\\htmlData{onclick=window.__pwned=1}{x}$",
    "$\\text{<img src=x onerror=window.__pwned=1>}$",
    "$$<script>window.__pwned=1</script>$$",
    "$$\n</script><script>window.__pwned=1</script>\n$$",
    "$\\rule{100000em}{100000em}$",
    "$$\\def\\a{\\a\\a}\\a$$",
    "$$\\def\\b{\\b}\\b$$",
  ];

  it.each(attacks)("keeps %s inert and bounded", (attack) => {
    const w = window as unknown as { __pwned?: number };
    delete w.__pwned;
    const started = performance.now();
    const { container } = render(<Markdown text={`Before ${attack} after`} />);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(container.querySelector("a, img, script, iframe, object, embed, foreignObject")).toBeNull();
    for (const el of container.querySelectorAll("*")) {
      expect(allowed.has(el.localName), `<${el.localName}>`).toBe(true);
      for (const attr of el.getAttributeNames()) {
        expect(attr.startsWith("on") || attr === "href" || attr === "src" || attr.startsWith("data-")).toBe(false);
      }
      expect(el.id).not.toBe("evil");
      expect(el.classList.contains("evil")).toBe(false);
      expect(el.getAttribute("style") ?? "").not.toMatch(/url\(|evil/);
      // maxSize caps every dimension KaTeX writes (10em, plus a little for struts).
      for (const m of (el.getAttribute("style") ?? "").matchAll(/(-?[\d.]+)em/g)) {
        expect(Math.abs(Number(m[1]))).toBeLessThan(25);
      }
    }
    expect(w.__pwned).toBeUndefined();
    expect(container).toHaveTextContent("Before");
    expect(container).toHaveTextContent("after");
  });

  it("does not let \\gdef in one answer change the next", () => {
    const first = render(<Markdown text={"$\\gdef\\leak{LEAKED}\\leak$"} />);
    expect(first.container.querySelector(".katex-html")).toHaveTextContent("LEAKED");
    const { container } = render(<Markdown text={"$\\leak$"} />);
    expect(container.querySelector(".katex-html")).toHaveTextContent("\\leak");
    expect(container).not.toHaveTextContent("LEAKED");
  });
});

describe("math while streaming", () => {
  it("shows an unclosed $$ as calm source, then the formula once closed", () => {
    const intro = "The integral:\n\n";
    const { container, rerender } = render(<StreamingMarkdown text={`${intro}$$\n\\frac{a}{`} streaming />);
    expect(screen.getByText("The integral:")).toBeInTheDocument();
    expect(container.querySelector(".math-pending")).toHaveTextContent("\\frac{a}{");
    expect(container.querySelector(".katex, .katex-error")).toBeNull();

    const before = renderStats.blocks;
    rerender(<StreamingMarkdown text={`${intro}$$\n\\frac{a}{b}`} streaming />);
    rerender(<StreamingMarkdown text={`${intro}$$\n\\frac{a}{b}\n$$`} streaming />);
    // Two updates, two renders of the growing block: the intro is never rendered again.
    expect(renderStats.blocks - before).toBe(2);
    expect(container.querySelector(".math-pending")).toBeNull();
    expect(formulas(container)).toEqual(["\\frac{a}{b}"]);
    expect(container.querySelector(".katex-display")).not.toBeNull();

    rerender(<StreamingMarkdown text={`${intro}$$\n\\frac{a}{b}\n$$\n\nDone, $x$.`} streaming={false} />);
    expect(formulas(container)).toEqual(["\\frac{a}{b}", "x"]);
    expect(container.querySelector(".katex-error, .math-pending")).toBeNull();
  });

  it("shows an unclosed \\[ as source while it streams", () => {
    const { container } = render(<StreamingMarkdown text={"So\n\\[\n\\sum_{i"} streaming />);
    expect(screen.getByText("So")).toBeInTheDocument();
    expect(container.querySelector(".math-pending")).toHaveTextContent("\\sum_{i");
    expect(container.querySelector(".katex-error")).toBeNull();
  });

  it("keeps a half-written inline formula as text until its closing $", () => {
    const { container, rerender } = render(<StreamingMarkdown text={"Let $x^"} streaming />);
    expect(container).toHaveTextContent("Let $x^");
    expect(container.querySelector(".katex-error")).toBeNull();
    rerender(<StreamingMarkdown text={"Let $x^2$ be"} streaming />);
    expect(formulas(container)).toEqual(["x^2"]);
  });
});
