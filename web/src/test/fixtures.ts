import type { ModelInfo, ProviderInfo } from "@/api/types";

export function provider(id: string, over: Partial<ProviderInfo> = {}): ProviderInfo {
  return {
    id,
    display_name: id[0]?.toUpperCase() + id.slice(1),
    configured: true,
    enabled: true,
    status: "ok",
    status_message: null,
    key_source: "user",
    key_hint: "…abcd",
    requires_key: true,
    capabilities: { vision: true, tools: true, streaming: true, reasoning: false },
    base_url: null,
    custom: false,
    instance_enabled: true,
    allow_user_keys: true,
    checked_at: null,
    usage: { requests: 0, input_tokens: 0, output_tokens: 0, cost_usd: null },
    ...over,
  };
}

export function model(id: string, providerId: string, over: Partial<ModelInfo> = {}): ModelInfo {
  return {
    id,
    provider: providerId,
    display_name: id,
    context_window: 200_000,
    capabilities: { vision: true, tools: true, streaming: true, reasoning: false },
    ignored_params: [],
    is_default: false,
    available: true,
    provider_status: "ok",
    provider_error: null,
    ...over,
  };
}
