import type { ProviderInfo } from "@/api/types";

export type Light = "green" | "yellow" | "red" | "gray";

/**
 * Green works, yellow needs a key or a test, red failed; disabled is simply off. The server's
 * "ok" only says a key is there: until a test has passed (`last_test`) the light stays yellow.
 */
export function lightFor(p: Pick<ProviderInfo, "status" | "configured" | "enabled" | "last_test">): Light {
  if (!p.enabled || p.status === "disabled") return "gray";
  if (p.status === "error") return "red";
  if (p.status === "ok" && p.last_test && p.last_test.success !== null) return "green";
  return "yellow";
}
