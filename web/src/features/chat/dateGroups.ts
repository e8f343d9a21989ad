import type { ConversationSummary } from "@/api/types";

export type DateGroup = "today" | "yesterday" | "previous7" | "older";

/** Bucket by calendar day in the viewer's time zone, newest first within each bucket. */
export function groupByDate(
  conversations: ConversationSummary[],
  now: Date = new Date(),
): { group: DateGroup; items: ConversationSummary[] }[] {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 86_400_000;
  const buckets: Record<DateGroup, ConversationSummary[]> = { today: [], yesterday: [], previous7: [], older: [] };
  const sorted = [...conversations].sort(
    (a, b) => Date.parse(b.updated_at ?? "") - Date.parse(a.updated_at ?? "") || 0,
  );
  for (const c of sorted) {
    const t = Date.parse(c.updated_at ?? c.created_at ?? "");
    if (Number.isNaN(t) || t >= startOfToday) buckets.today.push(c);
    else if (t >= startOfToday - day) buckets.yesterday.push(c);
    else if (t >= startOfToday - 7 * day) buckets.previous7.push(c);
    else buckets.older.push(c);
  }
  return (["today", "yesterday", "previous7", "older"] as DateGroup[])
    .filter((g) => buckets[g].length)
    .map((g) => ({ group: g, items: buckets[g] }));
}
