import type { components } from "@/api/schema.gen";
import type { ModelInfo, ProviderInfo } from "@/api/types";

export function provider(id: string, over: Partial<ProviderInfo> = {}): ProviderInfo {
  return {
    id,
    display_name: id[0]?.toUpperCase() + id.slice(1),
    configured: true,
    enabled: true,
    user_enabled: true,
    status: "ok",
    status_message: null,
    key_source: "user",
    key_hint: "…abcd",
    has_user_key: true,
    requires_key: true,
    capabilities: { vision: true, tools: true, streaming: true, reasoning: false },
    base_url: null,
    custom: false,
    instance_enabled: true,
    allow_user_keys: true,
    last_test: { success: true, message: null, checked_at: null },
    usage: { requests: 0, input_tokens: 0, output_tokens: 0, cost: null },
    ...over,
  };
}

export function model(id: string, providerId: string, over: Partial<ModelInfo> = {}): ModelInfo {
  return {
    id,
    provider: providerId,
    provider_display_name: providerId,
    display_name: id,
    context_window: 200_000,
    max_output_tokens: null,
    capabilities: { vision: true, tools: true, streaming: true, reasoning: false },
    ignored_params: [],
    is_default: false,
    available: true,
    provider_status: "ok",
    provider_error: null,
    ...over,
  };
}

type Schemas = components["schemas"];

/** A message as `GET /api/conversations/{id}` returns it (a complete answer unless `over` says). */
export function messageOut(id: number, over: Partial<Schemas["MessageOut"]> = {}): Schemas["MessageOut"] {
  return {
    id,
    conversation_id: 1,
    parent_id: null,
    role: "assistant",
    content: "",
    parts: [],
    status: "complete",
    created_at: "2026-01-01T00:00:00Z",
    sibling_ids: [id],
    sibling_index: 0,
    ...over,
  };
}

/** A conversation as `GET /api/conversations/{id}` returns it, with no messages unless given. */
export function conversationOut(id: number, over: Partial<Schemas["ConversationDetail"]> = {}): Schemas["ConversationDetail"] {
  return {
    id,
    title: null,
    provider: null,
    model: null,
    system_prompt: null,
    params: {},
    active_leaf_id: null,
    pinned: false,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    messages: [],
    has_more: false,
    images_before: false,
    ...over,
  };
}
