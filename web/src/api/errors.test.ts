import { describe, expect, it } from "vitest";
import { ApiFailure, readError } from "./errors";

describe("readError reads every way the server (or the network) reports a failure", () => {
  it("reads the HTTP error shape, with a fallback for anything else", () => {
    expect(readError({ error: { code: "username_taken", message: "taken" } }, 409)).toEqual({
      status: 409,
      code: "username_taken",
      message: "taken",
      retryable: false,
    });
    expect(readError("<html>", 500)).toEqual({ status: 500, code: "error", message: "", retryable: true });
  });

  it("guesses no other shape: a body that is not the server's error leaves only the status", () => {
    expect(readError({ detail: "Bad Gateway" }, 502)).toEqual({ status: 502, code: "error", message: "", retryable: true });
  });

  it("asks again only where it may work: 5xx and 429, unless the server says otherwise", () => {
    expect(readError({ error: { code: "rate_limited", message: "slow down" } }, 429).retryable).toBe(true);
    expect(readError({ error: { code: "bad_request", message: "no" } }, 400).retryable).toBe(false);
    expect(readError({ code: "upstream", message: "down", retryable: true }).retryable).toBe(true);
    expect(readError({ code: "blocked", message: "refused" }).retryable).toBe(false);
  });

  it("reads a stream error event or a saved record as the record itself", () => {
    expect(readError({ code: "provider_error", message: "Overloaded", retryable: true })).toEqual({
      status: 0,
      code: "provider_error",
      message: "Overloaded",
      retryable: true,
    });
  });

  it("tells a network failure (RTK's FETCH_ERROR or fetch's TypeError) from a server answer", () => {
    expect(readError(undefined, "FETCH_ERROR")).toEqual({ status: 0, code: "network", message: "", retryable: true });
    expect(readError(new TypeError("Failed to fetch"))).toMatchObject({ code: "network", message: "" });
    expect(readError(new Error("boom"))).toMatchObject({ code: "network", message: "boom", retryable: true });
  });

  it("gives back what a failed answer carried when it was thrown", () => {
    const error = { status: 400, code: "vision_unsupported", message: "No images", retryable: false };
    expect(readError(new ApiFailure(error))).toBe(error);
  });
});
