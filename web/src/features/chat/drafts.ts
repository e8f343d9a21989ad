/**
 * What the user was writing, per conversation. The text is kept in localStorage, so a reload
 * or a trip to another conversation does not lose it; images stay in memory only (they can
 * be megabytes, and localStorage holds about five).
 *
 * A send that fails before the answer starts hands its text and images back here
 * (`returnDraft`), and the composer showing that conversation takes them back at once.
 */
import type { FilePart, ImagePart } from "@/api/types";

const PREFIX = "polychat.draft.";

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null; // storage disabled (private mode, policy): drafts just do not persist
  }
}

/**
 * Whose drafts: the signed-in user's id, read from the access token's `sub` claim. It is
 * there from the first render (the profile arrives later), so the key never changes under
 * a composer being typed in.
 */
export function draftOwner(token: string | null): string {
  const payload = token?.split(".")[1];
  if (!payload) return "me";
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: unknown };
    return typeof json.sub === "string" || typeof json.sub === "number" ? String(json.sub) : "me";
  } catch {
    return "me";
  }
}

export function loadDraftText(key: string): string {
  try {
    return storage()?.getItem(PREFIX + key) ?? "";
  } catch {
    return "";
  }
}

export function saveDraftText(key: string, text: string): void {
  try {
    const s = storage();
    if (!s) return;
    if (text.trim()) s.setItem(PREFIX + key, text);
    else s.removeItem(PREFIX + key);
  } catch {
    /* quota exceeded: the draft is only a convenience */
  }
}

export interface ReturnedDraft {
  text: string;
  images: ImagePart[];
  /** Text files, given back like images (absent: none). */
  files?: FilePart[];
}

type Listener = (draft: ReturnedDraft) => void;
const listeners = new Map<string, Set<Listener>>();
const waiting = new Map<string, ReturnedDraft>();

/** Give a failed message back to the composer of `key` (now, or when it next mounts). */
export function returnDraft(key: string, draft: ReturnedDraft): void {
  const subs = listeners.get(key);
  if (subs && subs.size > 0) {
    for (const fn of subs) fn(draft);
    return;
  }
  waiting.set(key, draft);
}

/** Listen for returned drafts of `key`; one returned while nobody listened is delivered now. */
export function onReturnedDraft(key: string, fn: Listener): () => void {
  const subs = listeners.get(key) ?? new Set<Listener>();
  subs.add(fn);
  listeners.set(key, subs);
  const pending = waiting.get(key);
  if (pending) {
    waiting.delete(key);
    fn(pending);
  }
  return () => {
    subs.delete(fn);
    if (subs.size === 0) listeners.delete(key);
  };
}
