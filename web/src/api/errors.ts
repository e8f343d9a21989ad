/**
 * The one error reader. The server says what went wrong in a few places (an HTTP answer's
 * `{"error": {code, message}}` or FastAPI's `{"detail": ...}`, the chat stream's `error`
 * event, a message's saved error record) and fetch itself can fail; every place that shows an
 * error reads it through `readError`, so a change in the server's shape changes one function.
 */
import type { ErrorRecord } from "./types";

/**
 * An error as the UI uses it, whoever reported it: the server's error record (`ErrorRecord`;
 * `message` empty when it gave none, `retryable` the status's guess when it did not say) and
 * the HTTP status, 0 when no HTTP answer carried it (a stream event, a record, no network).
 */
export interface AppError extends Pick<ErrorRecord, "code" | "message" | "retryable"> {
  status: number;
}

/** A failed HTTP answer, thrown by fetch wrappers so a `catch` can tell it from a network error. */
export class ApiFailure extends Error {
  constructor(public readonly error: AppError) {
    super(error.message);
  }
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const str = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : null;

/**
 * Read an error from `source`: a response body (with its HTTP `status`, or RTK Query's
 * "FETCH_ERROR"), an error record `{code, message, retryable?}`, an `ApiFailure`, or
 * anything thrown by fetch (a network failure: retryable, code "network").
 */
export function readError(source: unknown, status: number | string = 0): AppError {
  if (source instanceof ApiFailure) return source.error;
  if (status === "FETCH_ERROR" || source instanceof TypeError) {
    return { status: 0, code: "network", message: "", retryable: true };
  }
  if (source instanceof Error) return { status: 0, code: "network", message: source.message, retryable: true };
  const http = typeof status === "number" ? status : 0;
  const body = obj(source);
  // An HTTP body nests the record under "error" (the server's `ErrorResponse`); a stream
  // event or a saved record is the record itself. Anything else (a proxy's page) has no
  // words of ours: the status alone speaks.
  const record = obj(body.error ?? source);
  return {
    status: http,
    code: str(record.code) ?? "error",
    message: str(record.message) ?? "",
    retryable: typeof record.retryable === "boolean" ? record.retryable : http >= 500 || http === 429,
  };
}
