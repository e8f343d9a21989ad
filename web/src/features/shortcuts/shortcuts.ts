/**
 * The app-wide keyboard shortcuts: which key does what, decided by a pure function so the
 * rules are testable without a browser, and the one place that knows how to reach the
 * composer and the sidebar search from outside (by their test ids, the stable contract).
 */

export type ShortcutId = "newChat" | "search" | "focusComposer" | "showShortcuts";

/** The parts of a KeyboardEvent the rules read. */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  isComposing?: boolean;
}

export const COMPOSER_SELECTOR = '[data-testid="composer-input"]';
export const SEARCH_SELECTOR = '[data-testid="sidebar-search"]';

/** Apple keyboards say ⌘ where others say Ctrl; both modifiers work everywhere. */
export function isApple(nav: Pick<Navigator, "platform" | "userAgent"> | undefined = globalThis.navigator): boolean {
  if (!nav) return false;
  return /mac|iphone|ipad|ipod/i.test(nav.platform || nav.userAgent || "");
}

/**
 * `nothingFocused`: focus is on the page itself (body), not in a field, button or dialog;
 * only then does a bare `/` mean "write a message" rather than the character.
 */
export function matchShortcut(e: KeyInput, nothingFocused: boolean): ShortcutId | null {
  if (e.isComposing || e.altKey) return null;
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && e.shiftKey && key === "o") return "newChat";
  if (mod && !e.shiftKey && key === "k") return "search";
  // Ctrl+/ ; on layouts where "/" needs Shift, the browser may report "?" instead.
  if (mod && (key === "/" || key === "?")) return "showShortcuts";
  if (!mod && !e.shiftKey && key === "/" && nothingFocused) return "focusComposer";
  return null;
}

/** True when the keyboard focus is on no particular element of the page. */
export function nothingFocused(doc: Document = document): boolean {
  const active = doc.activeElement;
  return active === null || active === doc.body || active === doc.documentElement;
}

/**
 * Focus an element that may appear only after the next render (a drawer that opens, a new
 * chat's composer), and keep it focused while the page settles. Until it has had focus once,
 * each frame tries again; after that, only if a re-render replaced the focused element (it
 * left the document and focus fell back to the page): a user's own blur or click elsewhere
 * is left alone.
 */
let focusRequest = 0;

export function focusSoon(selector: string, frames = 30, doc: Document = document): void {
  const request = ++focusRequest; // a newer request (another shortcut) ends this one
  let held: HTMLElement | null = null;
  const attempt = (left: number) => {
    if (request !== focusRequest) return;
    const el = doc.querySelector<HTMLElement>(selector);
    const replaced = held !== null && !held.isConnected && nothingFocused(doc);
    if (el && doc.activeElement !== el && (held === null || replaced)) el.focus();
    if (el && doc.activeElement === el) held = el;
    if (left > 0) requestAnimationFrame(() => attempt(left - 1));
  };
  attempt(frames);
}
