import type { ModelInfo, ProviderInfo } from "@/api/types";

export interface ModelGroup {
  provider: string;
  displayName: string;
  /** False when the provider has no key yet: the group offers "Configure API key". */
  configured: boolean;
  /** Set when the provider's live list failed (e.g. Ollama not running). */
  error: string | null;
  models: ModelInfo[];
}

/**
 * Models grouped by provider in the providers' own order; providers that need a key and
 * have none become empty, unconfigured groups so the selector can point to settings.
 */
export function groupModels(
  models: ModelInfo[],
  providers: ProviderInfo[],
  query: string,
  providerFilter: string | null,
  providerErrors: Record<string, string> = {},
): ModelGroup[] {
  const q = query.trim().toLowerCase();
  const byProvider = new Map<string, ModelInfo[]>();
  for (const m of models) {
    if (!m.available) continue;
    if (providerFilter && m.provider !== providerFilter) continue;
    if (q && !`${m.display_name} ${m.id} ${m.provider}`.toLowerCase().includes(q)) continue;
    const list = byProvider.get(m.provider) ?? [];
    list.push(m);
    byProvider.set(m.provider, list);
  }
  const order = providers.map((p) => p.id);
  for (const id of byProvider.keys()) if (!order.includes(id)) order.push(id);
  const groups: ModelGroup[] = [];
  for (const id of order) {
    const info = providers.find((p) => p.id === id);
    if (providerFilter && id !== providerFilter) continue;
    const list = byProvider.get(id) ?? [];
    const configured = info ? info.configured && info.enabled : true;
    if (list.length) {
      groups.push({
        provider: id,
        displayName: info?.display_name ?? id,
        configured: true,
        error:
          list[0]?.provider_status === "error"
            ? (list[0].provider_error ?? "")
            : (providerErrors[id] ?? null),
        models: [...list].sort((a, b) => Number(b.is_default) - Number(a.is_default)),
      });
    } else if (info && !configured && info.status !== "disabled" && !q) {
      groups.push({ provider: id, displayName: info.display_name, configured: false, error: null, models: [] });
    } else if (info && providerErrors[id] !== undefined && !q) {
      // Configured but its list failed with nothing to fall back on: say why it is empty.
      groups.push({ provider: id, displayName: info.display_name, configured: true, error: providerErrors[id] ?? "", models: [] });
    }
  }
  return groups;
}

/** Models a user can pick that are not a catalog fallback for an unreachable provider. */
export function healthyModels(models: ModelInfo[]): ModelInfo[] {
  return models.filter((m) => m.available && m.provider_status !== "error");
}

/** The model to use when nothing was chosen: the user's default, else a provider default. */
export function pickDefaultModel(
  models: ModelInfo[],
  preferred?: string | null,
): ModelInfo | undefined {
  const usable = healthyModels(models);
  return (
    (preferred ? usable.find((m) => m.id === preferred) : undefined) ??
    usable.find((m) => m.is_default) ??
    usable[0]
  );
}
