import type { TFunction } from "i18next";

/**
 * The collapsed thinking block's header: "Thought for 12 s", "Thought for 1 min 5 s",
 * "Thought for a few seconds" under a second (a measured 0.3 s reads as false precision),
 * or "Thoughts" when the time is unknown (an answer re-attached after a reload, an old one).
 */
export function thinkingHeader(t: TFunction, durationMs: number | null): string {
  if (durationMs === null || !Number.isFinite(durationMs) || durationMs < 0) return t("thinking.unknown");
  if (durationMs < 1000) return t("thinking.brief");
  const total = Math.round(durationMs / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  const duration =
    m === 0 ? t("thinking.seconds", { s }) : s === 0 ? t("thinking.minutes", { m }) : t("thinking.minutesSeconds", { m, s });
  return t("thinking.took", { duration });
}
