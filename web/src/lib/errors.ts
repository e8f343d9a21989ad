import { toApiError } from "@/api/views";

/** The message to show for a failed RTK Query call. */
export function errorMessage(error: unknown, fallback: string): string {
  if (!error || typeof error !== "object") return fallback;
  const e = error as { status?: number | string; data?: unknown; error?: string };
  if (e.status === "FETCH_ERROR") return fallback;
  const api = toApiError(e.status ?? 0, e.data);
  return api.message || e.error || fallback;
}
