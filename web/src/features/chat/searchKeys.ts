import type { KeyboardEvent } from "react";

/** Marks each result link (its value is the conversation id). */
export const RESULT_ATTR = "data-search-result";
const SEARCH_BOX = '[data-testid="sidebar-search"]';
const RESULTS = '[data-testid="search-results"]';

function links(root: ParentNode): HTMLAnchorElement[] {
  return Array.from(root.querySelectorAll<HTMLAnchorElement>(`a[${RESULT_ATTR}]`));
}

/** Arrow keys in the results: move to the next or previous one; above the first, the box. */
export function focusResult(from: HTMLElement, delta: 1 | -1): void {
  const root = from.closest(RESULTS) ?? document;
  const all = links(root);
  const at = all.findIndex((a) => a === document.activeElement);
  const next = at + delta;
  if (next < 0) document.querySelector<HTMLInputElement>(SEARCH_BOX)?.focus();
  else all[Math.min(next, all.length - 1)]?.focus();
}

/** In the search box: ArrowDown goes to the first result, Enter opens it. */
export function onSearchBoxKeyDown(e: KeyboardEvent<HTMLInputElement>): void {
  if (e.key !== "ArrowDown" && e.key !== "Enter") return;
  const first = links(document.querySelector(RESULTS) ?? document)[0];
  if (!first) return;
  e.preventDefault();
  if (e.key === "ArrowDown") first.focus();
  else first.click();
}
