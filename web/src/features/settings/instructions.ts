/** The server's `Preferences.custom_instructions` max_length. */
export const MAX_INSTRUCTIONS = 10_000;

/** Characters as the server counts them (code points: an emoji is one, not two). */
export function charCount(text: string): number {
  return Array.from(text).length;
}
