import { useEffect, useRef } from "react";
import { matchShortcut, nothingFocused, type ShortcutId } from "./shortcuts";

export type ShortcutHandlers = Record<ShortcutId, () => void>;

/**
 * Listen for the app's shortcuts on the window while mounted. Handlers are read through a ref,
 * so callers can pass fresh closures on every render without re-subscribing.
 */
export function useShortcuts(handlers: ShortcutHandlers): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const id = matchShortcut(e, nothingFocused());
      if (!id) return;
      e.preventDefault(); // the browser's own meaning (bookmarks, address bar, "/" typed) yields
      latest.current[id]();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
