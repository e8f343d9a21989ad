import { defaultUrlTransform } from "react-markdown";

/**
 * Model output is untrusted. react-markdown never turns raw HTML into DOM (no rehype-raw),
 * so `<script>` and `<img onerror>` arrive as inert text; URLs pass through a whitelist that
 * drops `javascript:`, `vbscript:` and `data:` before any link or image is built.
 */
export function safeUrl(url: string): string {
  const cleaned = defaultUrlTransform(url);
  return /^(https?:|mailto:|#|\/(?!\/))/i.test(cleaned) ? cleaned : "";
}
