import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderStats, splitBlocks } from "./blocks";
import { Markdown } from "./Markdown";
import { StreamingMarkdown } from "./StreamingMarkdown";

describe("StreamingMarkdown", () => {
  it("renders the answer as it grows, block by block", () => {
    const { rerender, container } = render(<StreamingMarkdown text="Hello" streaming />);
    expect(container).toHaveTextContent("Hello");
    rerender(<StreamingMarkdown text={"Hello **world**\n\n- one"} streaming />);
    expect(screen.getByText("world").tagName).toBe("STRONG");
    expect(screen.getByRole("listitem")).toHaveTextContent("one");
    rerender(<StreamingMarkdown text={"Hello **world**\n\n- one\n- two"} streaming={false} />);
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
  });

  it("re-renders only the growing last block, never the finished ones", () => {
    const intro = "# Title\n\nA finished paragraph.\n\n";
    const { rerender } = render(<StreamingMarkdown text={`${intro}Growing`} streaming />);
    const before = renderStats.blocks;
    for (const more of [" text", " text more", " text more and more"]) {
      rerender(<StreamingMarkdown text={`${intro}Growing${more}`} streaming />);
    }
    // Three updates, three renders: only the last block each time (not 3 blocks × 3).
    expect(renderStats.blocks - before).toBe(3);
    expect(screen.getByRole("heading", { name: "Title" })).toBeInTheDocument();
    expect(screen.getByText("Growing text more and more")).toBeInTheDocument();
  });

  it("keeps an unfinished code fence in one block while it streams", () => {
    expect(splitBlocks("Intro\n\n```js\nconst a = 1;\n\nconst b = 2;")).toEqual([
      "Intro",
      "```js\nconst a = 1;\n\nconst b = 2;",
    ]);
  });

  it("shows a code block with its language and a copy button", () => {
    render(<Markdown text={"```python\nprint('hi')\n```"} />);
    expect(screen.getByText("python")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy code" })).toBeInTheDocument();
    expect(document.querySelector("pre code")).toHaveTextContent("print('hi')");
  });
});

describe("hostile Markdown", () => {
  const attacks = [
    "<script>window.__pwned = 1</script>",
    '<img src="x" onerror="window.__pwned = 1">',
    '<a href="javascript:window.__pwned=1">raw html link</a>',
    "[click me](javascript:window.__pwned=1)",
    "[sneaky](JaVaScRiPt:window.__pwned=1)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:window.__pwned=1)",
    '<iframe src="javascript:window.__pwned=1"></iframe>',
    '<svg onload="window.__pwned=1"></svg>',
  ];

  it.each(attacks)("never turns %s into live HTML", (attack) => {
    const w = window as unknown as { __pwned?: number };
    delete w.__pwned;
    const { container } = render(<StreamingMarkdown text={`Before\n\n${attack}\n\nAfter`} streaming={false} />);
    expect(container.querySelector("script, img, iframe, svg, object, embed")).toBeNull();
    for (const el of container.querySelectorAll("*")) {
      for (const attr of el.getAttributeNames()) {
        expect(attr.startsWith("on")).toBe(false);
      }
    }
    for (const a of container.querySelectorAll("a")) {
      expect(a.getAttribute("href") ?? "").toMatch(/^(https?:|mailto:|#|\/)/);
    }
    expect(w.__pwned).toBeUndefined();
    expect(container).toHaveTextContent("Before");
    expect(container).toHaveTextContent("After");
  });

  it("keeps safe links working, opening in a new tab", () => {
    render(<Markdown text="[docs](https://example.com/docs)" />);
    const link = screen.getByRole("link", { name: "docs" });
    expect(link).toHaveAttribute("href", "https://example.com/docs");
    expect(link).toHaveAttribute("rel", expect.stringContaining("noopener"));
  });
});
