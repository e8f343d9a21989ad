import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import "@/lib/i18n";
import { loadMarkdown } from "@/features/chat/markdown/loader";

// The app preloads the Markdown pipeline at start-up (main.tsx); tests start with it loaded
// too, so they render Markdown synchronously. markdown/MarkdownLazy.test.tsx covers the wait.
await loadMarkdown();

afterEach(() => {
  cleanup();
});

// jsdom has no layout: a ResizeObserver that never fires is enough for the chat's scroller.
class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;
