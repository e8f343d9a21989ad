/**
 * The HTTP contract as the browser sees it (DESIGN.md "HTTP API"). Server payloads pass
 * through normalize.ts first, so a renamed field on the server is fixed in one place.
 */
import type { AppError } from "./errors";

export type Theme = "light" | "dark" | "system";

export interface Preferences {
  theme?: Theme;
  language?: string;
  default_model?: string | null;
  default_provider?: string | null;
  /** The system prompt of every new conversation (the server caps it at 10,000 characters). */
  custom_instructions?: string | null;
}

export interface User {
  id: string | number;
  username: string;
  email: string | null;
  display_name: string | null;
  is_admin: boolean;
  preferences: Preferences;
}

/** `GET /api/auth/register`: what the sign-in page offers before anyone is signed in. */
export interface RegistrationStatus {
  /** A new account can be created now (always true for the very first one). */
  open: boolean;
  /** No account exists yet: the next one becomes the administrator. */
  first_user: boolean;
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
  /** The model can think before answering when asked (the composer shows "Think" then). */
  reasoning: boolean;
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

/** A conversation parameter (`ConversationParams`) a model can take. */
export type ParamName = "temperature" | "top_p" | "max_tokens" | "stop";

/**
 * A conversation parameter a model does not take: the server never sends it to that model.
 * `when`: on every turn, only while the model thinks, or only when a temperature is set too.
 * `code` is stable (worded per language in `convSettings.ignored`); `reason` is the server's
 * English sentence, shown for a code this UI does not know yet.
 */
export interface IgnoredParam {
  param: ParamName;
  code: string;
  reason: string;
  when: "always" | "thinking" | "temperature_set";
}

export interface ModelInfo {
  id: string;
  provider: string;
  display_name: string;
  context_window: number | null;
  capabilities: Capabilities;
  /** What it ignores of the conversation's parameters (empty: it takes them all). */
  ignored_params: IgnoredParam[];
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

/** The image types the server accepts as attachments (and so the only ones we render). */
export type ImageMediaType = "image/png" | "image/jpeg" | "image/gif" | "image/webp";

/** An inline image: sent as an attachment, saved and returned as a message part. */
export interface ImagePart {
  media_type: ImageMediaType;
  /** Base64, without a `data:` prefix. */
  data: string;
}

/**
 * A text or code file the user attached: sent as an attachment (`type: "file"`), saved and
 * returned as a `file` message part. Shown only as plain text, never as HTML.
 */
export interface FilePart {
  name: string;
  media_type: string;
  text: string;
}

/** How hard a model thinks when thinking is on. */
export type ReasoningEffort = "low" | "medium" | "high";

/** A chat request's and a conversation's thinking setting ("off": do not think). */
export type ReasoningSetting = "off" | ReasoningEffort;

/** What an answer thought before answering (its `thinking` part). Plain text, never HTML. */
export interface ThinkingPart {
  text: string;
  /** First thought → first answer text (or the end); null when unknown. */
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
  error: Pick<AppError, "code" | "message"> | null;
  created_at: string | null;
  /** Ids of this message and its siblings (same parent), in order. */
  siblings: string[];
  usage: MessageUsage | null;
  /** Images the user attached (from the message's `image` parts), in order. */
  images?: ImagePart[];
  /** Text files the user attached (from the message's `file` parts), in order. */
  files?: FilePart[];
  /** An answer's reasoning (its `thinking` part), when the model thought out loud. */
  thinking?: ThinkingPart;
}

export interface ConversationSummary {
  id: string;
  title: string | null;
  provider: string | null;
  model: string | null;
  /** Starred by its owner: listed in the sidebar's Starred section (absent: not starred). */
  pinned?: boolean;
  created_at: string | null;
  updated_at: string | null;
}

/** One page of the sidebar list; `next_cursor` is null on the last page. */
export interface ConversationPage {
  items: ConversationSummary[];
  next_cursor: string | null;
}

/** Where a search result matched: the oldest message containing the words, else the title. */
export interface SearchMatch {
  message_id: string | null;
  role: "title" | "user" | "assistant";
  /** ~160 characters of plain text around the first hit (`…` where cut). Render as text. */
  snippet: string;
}

export interface ConversationSearchHit extends ConversationSummary {
  match: SearchMatch;
}

/** `GET /api/conversations/search`: newest activity first, cursor-paginated like the list. */
export interface ConversationSearchPage {
  items: ConversationSearchHit[];
  next_cursor: string | null;
}

/** A conversation's saved sampling defaults (absent: the provider's default). */
export interface ConversationParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  /** Thinking for this chat's answers (absent: off). */
  reasoning?: ReasoningSetting;
}

export interface Conversation extends ConversationSummary {
  /** Sent as the system prompt of every turn (a chat started with custom instructions has them);
   * always filled by `toConversation`, optional so test fixtures can leave it out. */
  system_prompt?: string | null;
  params?: ConversationParams;
  messages: ChatMessage[];
  /** Older messages exist before the first one here (fetch them with `before=`). */
  has_more?: boolean;
  /** Messages older than this page hold images (a model without vision cannot continue). */
  images_before?: boolean;
}
