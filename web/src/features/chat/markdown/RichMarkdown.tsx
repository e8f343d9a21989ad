import { Check, Copy } from "lucide-react";
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import type { PluggableList } from "unified";
import { mightNeedHighlight, useHighlight, type HighlightModule } from "../highlight/loader";
import { mightContainMath, useMath, type MathModule } from "../math/loader";
import { safeUrl } from "../safeUrl";

function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (node && typeof node === "object" && "props" in node) {
    return textOf((node.props as { children?: ReactNode }).children);
  }
  return "";
}

export function CodeBlock({ language, children }: { language: string | null; children: ReactNode }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(textOf(children).replace(/\n$/, ""));
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      /* clipboard refused (insecure context): nothing to do */
    }
  };
  return (
    <div className="not-prose overflow-hidden rounded-lg border border-border bg-code">
      <div className="flex items-center justify-between border-b border-border px-3 py-1 text-xs text-muted-foreground">
        <span className="font-mono">{language ?? "text"}</span>
        <button
          type="button"
          onClick={copy}
          className="inline-flex items-center gap-1 rounded px-1.5 py-1 hover:bg-accent hover:text-foreground"
          aria-label={t("chat.copyCode")}
        >
          {copied ? <Check className="size-3.5" /> : <Copy className="size-3.5" />}
          <span>{copied ? t("common.copied") : t("common.copy")}</span>
        </button>
      </div>
      <pre className="overflow-x-auto p-3 text-[13px] leading-relaxed">{children}</pre>
    </div>
  );
}

const components: Components = {
  pre({ children }) {
    const child = Array.isArray(children) ? children[0] : children;
    const className =
      child && typeof child === "object" && "props" in child
        ? ((child.props as { className?: string }).className ?? "")
        : "";
    const match = /language-([\w+#-]+)/.exec(className);
    return <CodeBlock language={match?.[1] ?? null}>{children}</CodeBlock>;
  },
  a({ href, children }) {
    const safe = href ? safeUrl(href) : "";
    if (!safe) return <span>{children}</span>;
    return (
      <a href={safe} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    );
  },
  img({ src, alt }) {
    // Images from model output could track the reader; show them as links instead.
    const safe = typeof src === "string" ? safeUrl(src) : "";
    if (!safe) return <span>{alt}</span>;
    return (
      <a href={safe} target="_blank" rel="noopener noreferrer nofollow">
        {alt || safe}
      </a>
    );
  },
};

const remarkPlugins: PluggableList = [remarkGfm];
const noPlugins: PluggableList = [];

interface Plugins {
  remark: PluggableList;
  rehype: PluggableList;
}

/**
 * Plugin lists for each combination of the lazy modules present, built once per combination
 * so a re-render with the same modules hands react-markdown the same arrays.
 */
const pluginCache = new Map<string, Plugins>();
function pluginsFor(math: MathModule | null, highlight: HighlightModule | null): Plugins {
  const key = `${math ? "m" : ""}${highlight ? "h" : ""}`;
  let plugins = pluginCache.get(key);
  if (!plugins) {
    plugins = {
      remark: math ? [...remarkPlugins, ...math.remarkMathPlugins] : remarkPlugins,
      // Math runs before highlighting so ```math blocks become formulas, as on GitHub.
      rehype: [...(math?.rehypeMathPlugins ?? noPlugins), ...(highlight?.rehypeHighlightPlugins ?? noPlugins)],
    };
    pluginCache.set(key, plugins);
  }
  return plugins;
}

/**
 * The Markdown pipeline (react-markdown, remark-gfm, micromark, mdast/hast utilities: about
 * 165 kB), loaded on demand by `../Markdown.tsx`, which also memoizes it.
 *
 * Renders model output as Markdown. Math and syntax highlighting load on demand (see their loaders):
 * until they arrive, formulas show as source and code as plain monospace, and only the
 * blocks that need them re-render when they do. `live` marks the block being streamed: a
 * display formula still open at its end shows as source until it closes, instead of
 * flashing KaTeX errors.
 */
export function RichMarkdown({ text, live }: { text: string; live: boolean }) {
  const math = useMath(mightContainMath(text));
  const highlight = useHighlight(mightNeedHighlight(text));
  const normalized = useMemo(() => (math ? math.normalizeMath(text, live) : null), [math, text, live]);
  const plugins = pluginsFor(math, highlight);
  return (
    <>
      <ReactMarkdown
        remarkPlugins={plugins.remark}
        rehypePlugins={plugins.rehype}
        components={components}
        urlTransform={safeUrl}
        skipHtml
      >
        {normalized ? normalized.text : text}
      </ReactMarkdown>
      {normalized?.pending && <div className="math-pending">{normalized.pending}</div>}
    </>
  );
}
