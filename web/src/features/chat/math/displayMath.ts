import type { Paragraph, Root } from "mdast";

/**
 * remark plugin: a paragraph that is nothing but one `$$…$$` formula is display math.
 *
 * remark-math only makes a block of `$$` on its own lines; models just as often write
 * `$$ E = mc^2 $$` on one line (and `\[ … \]` becomes that too), meaning a centred formula.
 * A single `$…$` alone on its line stays inline, as the author wrote it.
 */
export function remarkDisplayMath() {
  return (tree: Root, file: { value?: unknown }): void => {
    const source = String(file.value ?? "");
    const visit = (node: Root | Root["children"][number]): void => {
      if (node.type === "paragraph") {
        promote(node, source);
        return;
      }
      if ("children" in node) for (const child of node.children) visit(child);
    };
    visit(tree);
  };
}

function promote(paragraph: Paragraph, source: string): void {
  const [only, ...rest] = paragraph.children;
  if (!only || rest.length || only.type !== "inlineMath") return;
  const start = only.position?.start.offset;
  if (start === undefined || !source.startsWith("$$", start)) return;
  only.data = {
    ...only.data,
    hProperties: { ...only.data?.hProperties, className: ["language-math", "math-display"] },
  };
}
