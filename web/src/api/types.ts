/**
 * The HTTP contract as the browser sees it. Every server shape comes from the generated
 * `schema.gen.ts` (the API's OpenAPI schema, see docs/api.md "Web client types"): a field the
 * server renames or drops fails `npm run typecheck` here and wherever it is used.
 *
 * The first part names the server's types as they are. The second holds the few UI views,
 * each built from a server type by `views.ts`: the UI keeps ids as strings (they come from
 * and go into URLs) and reads a message's stored parts into images, files and thinking.
 */
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

// --- The server's types, as they are ---

export type User = Schemas["UserProfile"];
export type Preferences = Schemas["Preferences"];
export type Theme = Preferences["theme"];
/** `GET /api/auth/register`: what the sign-in page offers before anyone is signed in. */
export type RegistrationStatus = Schemas["RegistrationStatus"];
export type TokenResponse = Schemas["TokenResponse"];

export type ProviderInfo = Schemas["ProviderOut"];
export type ProviderStatus = ProviderInfo["status"];
export type TestResult = Schemas["TestOut"];

/**
 * A conversation parameter a model does not take: the server never sends it to that model.
 * `code` is stable (worded per language in `convSettings.ignored`); `reason` is the server's
 * English sentence, shown for a code this UI does not know yet.
 */
export type IgnoredParam = Schemas["IgnoredParamOut"];
/** A conversation parameter (`ConversationParams`) a model can take. */
export type ParamName = IgnoredParam["param"];

export type MessageStatus = Schemas["MessageOut"]["status"];
export type MessageUsage = Schemas["MessageUsageOut"];
/** A message part as stored and returned: one of the stored-parts union, told apart by `kind`. */
export type StoredPart = NonNullable<Schemas["MessageOut"]["parts"]>[number];
/** The error record a failed message, chat result or stream `error` event carries. */
export type ErrorRecord = Schemas["ErrorRecord"];
/** The HTTP error body: `{"error": {code, message, details?}}`. */
export type ErrorResponse = Schemas["ErrorResponse"];
/** One event of the chat stream (`GET/POST .../stream`), told apart by `event`. */
export type ChatEvent = Schemas["ChatEvent"];

/** The image types the server accepts as attachments (and so the only ones we render). */
export type ImageMediaType = Schemas["Attachment"]["media_type"];
/** An inline image: sent as an attachment, saved and returned as a message part. Base64 `data`. */
export type ImagePart = Omit<Schemas["Attachment"], "type">;
/** A text or code file the user attached; shown only as plain text, never as HTML. */
export type FilePart = Omit<Schemas["FileAttachment"], "type">;
/** What an answer thought before answering (its `thinking` part). Plain text, never HTML. */
export type ThinkingPart = Pick<Schemas["StoredThinking"], "text" | "duration_ms">;

/** A chat request's and a conversation's thinking setting ("off": do not think). */
export type ReasoningSetting = NonNullable<Schemas["ConversationParams"]["reasoning"]>;
/** How hard a model thinks when thinking is on. */
export type ReasoningEffort = Exclude<ReasoningSetting, "off">;

// --- UI views, built from the server's types by views.ts ---

/** A model joined with its provider's health when the list was made ("error": a fallback list). */
export type ModelInfo = Schemas["ModelOut"] & {
  /** `ModelOut.ignored_params`, always present (empty: the model takes every parameter). */
  ignored_params: IgnoredParam[];
  provider_status: ProviderStatus;
  provider_error: string | null;
};

/** `GET /api/models`: the models, and per provider the error its live list hit, if any. */
export interface ModelsResult {
  models: ModelInfo[];
  errors: Record<string, string>;
}

/**
 * A conversation's saved sampling defaults, only the knobs the UI knows (absent: the
 * provider's default). The server stores `params` as an open object, so views.ts keeps
 * each knob only when it has its `ConversationParams` type.
 */
export type ConversationParams = {
  [K in keyof Schemas["ConversationParams"]]?: NonNullable<Schemas["ConversationParams"][K]>;
};

/** `MessageOut` with string ids, and its parts read into text, images, files and thinking. */
export interface ChatMessage {
  id: string;
  parent_id: string | null;
  role: Schemas["MessageOut"]["role"];
  content: string;
  provider: string | null;
  model: string | null;
  status: MessageStatus;
  error: Pick<ErrorRecord, "code" | "message"> | null;
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

/** `ConversationOut` as the sidebar lists it, with a string id. */
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

/** Where a search result matched (`SearchMatch` with a string message id). */
export interface SearchMatch {
  message_id: string | null;
  role: Schemas["SearchMatch"]["role"];
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

/** `ConversationDetail` with string ids and its messages as `ChatMessage`s. */
export interface Conversation extends ConversationSummary {
  /** Sent as the system prompt of every turn; optional so test fixtures can leave it out. */
  system_prompt?: string | null;
  params?: ConversationParams;
  messages: ChatMessage[];
  /** Older messages exist before the first one here (fetch them with `before=`). */
  has_more?: boolean;
  /** Messages older than this page hold images (a model without vision cannot continue). */
  images_before?: boolean;
}
