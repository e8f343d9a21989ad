import { readError } from "@/api/errors";

/** The message to show for a failed RTK Query call. */
export function errorMessage(error: unknown, fallback: string): string {
  if (!error || typeof error !== "object") return fallback;
  const e = error as { status?: number | string; data?: unknown; error?: string };
  if (e.status === "FETCH_ERROR") return fallback;
  return readError(e.data, e.status ?? 0).message || e.error || fallback;
}
