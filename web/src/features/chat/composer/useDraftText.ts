import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { loadDraftText, saveDraftText } from "../drafts";

const SAVE_DELAY_MS = 400;

/**
 * The composer's text, kept as a draft under `draftKey`: saved a moment after typing stops,
 * and at once when leaving or hiding the page. `clear` empties it for good (a sent message is
 * not written back by the last flush).
 */
export function useDraftText(draftKey: string) {
  const [text, setText] = useState(() => loadDraftText(draftKey));
  // For the flush on leave, which outlives a render.
  const latestText = useRef(text);
  useLayoutEffect(() => {
    latestText.current = text;
  });
  useEffect(() => {
    const timer = setTimeout(() => saveDraftText(draftKey, text), SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draftKey, text]);
  useEffect(() => {
    const flush = () => saveDraftText(draftKey, latestText.current);
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, [draftKey]);
  const clear = useCallback(() => {
    setText("");
    // Sending may unmount the composer (a new chat changes layout) before a render updates
    // the ref: its last draft flush must not write the sent text back.
    latestText.current = "";
    saveDraftText(draftKey, "");
  }, [draftKey]);
  return { text, setText, clear };
}

/** A returned message's text joined with what was typed since (each once). */
export function joinTexts(returned: string, current: string): string {
  if (!current.trim() || current === returned) return returned;
  if (!returned.trim()) return current;
  return `${returned}\n\n${current}`;
}
