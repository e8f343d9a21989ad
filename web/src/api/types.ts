/**
 * The HTTP contract as the browser sees it (DESIGN.md "HTTP API"). Server payloads pass
 * through normalize.ts first, so a renamed field on the server is fixed in one place.
 */

export type Theme = "light" | "dark" | "system";

export interface Preferences {
  theme?: Theme;
  language?: string;
  default_model?: string | null;
  default_provider?: string | null;
}

export interface User {
  id: string | number;
  username: string;
  email: string | null;
  display_name: string | null;
  is_admin: boolean;
  preferences: Preferences;
}

export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  user?: User;
}

export type ProviderStatus = "ok" | "unconfigured" | "disabled" | "error" | "untested";
export type KeySource = "user" | "admin" | "env" | "none";

export interface Capabilities {
  vision: boolean;
  tools: boolean;
  streaming: boolean;
}

export interface ProviderUsage {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
}

export interface ProviderInfo {
  id: string;
  display_name: string;
  configured: boolean;
  enabled: boolean;
  status: ProviderStatus;
  status_message: string | null;
  key_source: KeySource | null;
  key_hint: string | null;
  requires_key: boolean;
  capabilities: Capabilities;
  base_url: string | null;
  custom: boolean;
  /** Admin view: on for everyone, and whether users may bring their own key. */
  instance_enabled: boolean;
  allow_user_keys: boolean;
  checked_at: string | null;
  usage: ProviderUsage | null;
}

export interface TestResult {
  success: boolean;
  provider: string;
  latency_ms: number | null;
  error: string | null;
}

export interface ModelInfo {
  id: string;
  provider: string;
  display_name: string;
  context_window: number | null;
  capabilities: Capabilities;
  is_default: boolean;
  available: boolean;
  /** The provider's health when the list was made: "error" means a catalog fallback. */
  provider_status: ProviderStatus;
  provider_error: string | null;
}

/** `GET /api/models`: the models, and per provider the error its live list hit, if any. */
export interface ModelsResult {
  models: ModelInfo[];
  errors: Record<string, string>;
}

export type MessageStatus = "complete" | "streaming" | "stopped" | "error" | "interrupted";

export interface MessageUsage {
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  ttft_ms: number | null;
  duration_ms: number | null;
}

export interface ChatMessage {
  id: string;
  parent_id: string | null;
  role: "user" | "assistant" | "system";
  content: string;
  provider: string | null;
  model: string | null;
  status: MessageStatus;
  error: { code: string; message: string } | null;
  created_at: string | null;
  /** Ids of this message and its siblings (same parent), in order. */
  siblings: string[];
  usage: MessageUsage | null;
}

export interface ConversationSummary {
  id: string;
  title: string | null;
  provider: string | null;
  model: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/** One page of the sidebar list; `next_cursor` is null on the last page. */
export interface ConversationPage {
  items: ConversationSummary[];
  next_cursor: string | null;
}

export interface Conversation extends ConversationSummary {
  messages: ChatMessage[];
  /** Older messages exist before the first one here (fetch them with `before=`). */
  has_more?: boolean;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  status: number;
}
