/** Pure helpers of the search results: where the words are in a text, and a short date. */

export interface Segment {
  text: string;
  /** This piece is the searched words (shown emphasised). */
  hit: boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `text` cut into plain pieces and pieces equal to `query` (case-insensitive; any run of
 * spaces in the query matches any run of white space, as snippets are collapsed to one line).
 * Only strings come out: the caller renders them as React text, never as HTML.
 */
export function splitHits(text: string, query: string): Segment[] {
  const words = query.trim().split(/\s+/).filter(Boolean);
  if (!text || words.length === 0) return text ? [{ text, hit: false }] : [];
  const pattern = new RegExp(words.map(escapeRegExp).join("\\s+"), "giu");
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0].length === 0) continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index), hit: false });
    out.push({ text: m[0], hit: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), hit: false });
  return out;
}

/** Time today, day and month this year, else day, month and year (in the UI language). */
export function shortDate(iso: string | null, language: string, now: Date = new Date()): string {
  const when = iso ? new Date(iso) : null;
  if (!when || Number.isNaN(when.getTime())) return "";
  const sameDay = when.toDateString() === now.toDateString();
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: "numeric", minute: "2-digit" }
    : when.getFullYear() === now.getFullYear()
      ? { day: "numeric", month: "short" }
      : { day: "numeric", month: "short", year: "numeric" };
  return new Intl.DateTimeFormat(language, options).format(when);
}

/**
 * The server cuts ~160 characters around the hit, more than a narrow sidebar shows in two
 * lines: start the shown text a few words before the first hit (at a space, with `…`) so the
 * emphasised words are always in view.
 */
export function leadToHit(snippet: string, query: string, lead = 30): string {
  const first = splitHits(snippet, query).findIndex((s) => s.hit);
  if (first <= 0) return snippet;
  const at = splitHits(snippet, query)
    .slice(0, first)
    .reduce((n, s) => n + s.text.length, 0);
  if (at <= lead + 8) return snippet;
  const space = snippet.indexOf(" ", at - lead);
  const start = space !== -1 && space < at ? space + 1 : at;
  return `…${snippet.slice(start)}`;
}
