import type { ProviderInfo } from "@/api/types";

export type Light = "green" | "yellow" | "red" | "gray";

/** Green works, yellow needs a key or a test, red failed; disabled is simply off. */
export function lightFor(p: Pick<ProviderInfo, "status" | "configured" | "enabled">): Light {
  if (!p.enabled || p.status === "disabled") return "gray";
  if (p.status === "error") return "red";
  if (p.status === "ok") return "green";
  return "yellow";
}
