/**
 * One place that turns server JSON into the types the UI uses. The backend is young; when a
 * field is renamed or nested differently only this file changes, and the UI never crashes
 * on a missing optional field.
 */
import { readError } from "./errors";
import type {
  Capabilities,
  ChatMessage,
  Conversation,
  ConversationParams,
  ConversationSearchHit,
  ConversationSummary,
  ImageMediaType,
  FilePart,
  IgnoredParam,
  ImagePart,
  MessageStatus,
  ModelInfo,
  ModelsResult,
  ProviderInfo,
  ReasoningSetting,
  ThinkingPart,
  ProviderStatus,
  RegistrationStatus,
  TestResult,
  User,
} from "./types";

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const str = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const bool = (v: unknown, fallback = false): boolean => (typeof v === "boolean" ? v : fallback);

export function toCapabilities(v: unknown): Capabilities {
  const c = obj(v);
  return {
    vision: bool(c.vision),
    tools: bool(c.tools ?? c.function_calling),
    streaming: bool(c.streaming, true),
    reasoning: bool(c.reasoning),
  };
}

export function toUser(v: unknown): User {
  const u = obj(v);
  const prefs = obj(u.preferences);
  return {
    id: (u.id as string | number) ?? "",
    username: str(u.username) ?? "",
    email: str(u.email),
    display_name: str(u.display_name),
    is_admin: bool(u.is_admin),
    preferences: {
      theme: (str(prefs.theme) as User["preferences"]["theme"]) ?? undefined,
      language: str(prefs.language) ?? undefined,
      default_model: str(prefs.default_model),
      default_provider: str(prefs.default_provider),
      custom_instructions: str(prefs.custom_instructions),
    },
  };
}

const STATUSES: ProviderStatus[] = ["ok", "unconfigured", "disabled", "error", "untested"];

export function toProvider(v: unknown): ProviderInfo {
  const p = obj(v);
  const usage = p.usage ?? p.month_usage ?? p.usage_this_month;
  const u = obj(usage);
  const lastTest = obj(p.last_test);
  let status = str(p.status) as ProviderStatus | null;
  // "ok" only says a key is there; until a test has passed the light stays yellow.
  if (status === "ok" && p.last_test !== undefined && (p.last_test === null || lastTest.success === null)) {
    status = "untested";
  }
  return {
    id: str(p.id ?? p.provider ?? p.name) ?? "",
    display_name: str(p.display_name) ?? str(p.id) ?? "",
    configured: bool(p.configured),
    enabled: bool(p.enabled, true),
    status: status && STATUSES.includes(status) ? status : "unconfigured",
    status_message:
      str(p.status_message) ??
      str(p.message) ??
      str(p.last_test_message) ??
      str(lastTest.message) ??
      str(lastTest.error) ??
      str(p.error),
    key_source: (str(p.key_source) as ProviderInfo["key_source"]) ?? null,
    key_hint: str(p.key_hint),
    requires_key: bool(p.requires_key, true),
    capabilities: toCapabilities(p.capabilities),
    base_url: str(p.base_url),
    custom: bool(p.custom ?? p.is_custom),
    instance_enabled: bool(p.instance_enabled, true),
    allow_user_keys: bool(p.allow_user_keys, true),
    checked_at: str(p.checked_at ?? p.last_checked_at ?? lastTest.checked_at),
    usage: usage
      ? {
          requests: num(u.requests) ?? 0,
          input_tokens: num(u.input_tokens ?? u.tokens_in) ?? 0,
          output_tokens: num(u.output_tokens ?? u.tokens_out) ?? 0,
          cost_usd: num(u.cost_usd ?? u.cost),
        }
      : null,
  };
}

export function toTestResult(v: unknown, provider: string): TestResult {
  const r = obj(v);
  const err = r.error;
  return {
    success: bool(r.success),
    provider: str(r.provider) ?? provider,
    latency_ms: num(r.latency_ms),
    error: err ? readError({ error: err }).message || null : null,
  };
}

const PARAMS: IgnoredParam["param"][] = ["temperature", "top_p", "max_tokens", "stop"];
const WHENS: IgnoredParam["when"][] = ["always", "thinking", "temperature_set"];

/** A model's `ignored_params`; entries naming an unknown parameter or condition are dropped. */
function toIgnored(v: unknown): IgnoredParam[] {
  if (!Array.isArray(v)) return [];
  const out: IgnoredParam[] = [];
  for (const raw of v) {
    const i = obj(raw);
    const param = str(i.param) as IgnoredParam["param"] | null;
    const when = (str(i.when) ?? "always") as IgnoredParam["when"];
    if (param && PARAMS.includes(param) && WHENS.includes(when)) {
      out.push({ param, when, code: str(i.code) ?? "", reason: str(i.reason) ?? "" });
    }
  }
  return out;
}

export function toModel(v: unknown): ModelInfo {
  const m = obj(v);
  const id = str(m.id) ?? "";
  return {
    id,
    provider: str(m.provider) ?? "",
    display_name: str(m.display_name ?? m.name) ?? id,
    context_window: num(m.context_window),
    capabilities: toCapabilities(m.capabilities),
    ignored_params: toIgnored(m.ignored_params),
    is_default: bool(m.is_default ?? m.default),
    available: bool(m.available, true),
    provider_status: "ok",
    provider_error: null,
  };
}

/** `GET /api/models`: a flat model list plus each provider's status; joined here. */
export function toModelsResult(v: unknown): ModelsResult {
  const errors: Record<string, string> = {};
  const groups = Array.isArray(obj(v).providers) ? (obj(v).providers as unknown[]).map(obj) : [];
  for (const g of groups) {
    const id = str(g.provider);
    if (id && str(g.status) === "error") errors[id] = str(g.error) ?? "";
  }
  return { models: toModels(v), errors };
}

export function toModels(v: unknown): ModelInfo[] {
  const raw = obj(v).models;
  const models = Array.isArray(raw) ? raw.map(toModel) : toList(v, toModel);
  const groups = Array.isArray(obj(v).providers) ? (obj(v).providers as unknown[]).map(obj) : [];
  const status = new Map(groups.map((g) => [str(g.provider) ?? "", g]));
  return models.map((m) => {
    const g = status.get(m.provider);
    const s = g ? (str(g.status) as ProviderStatus | null) : null;
    return {
      ...m,
      provider_status: s && STATUSES.includes(s) ? s : "ok",
      provider_error: g ? str(g.error) : null,
    };
  });
}

const MESSAGE_STATUSES: MessageStatus[] = ["complete", "streaming", "stopped", "error", "interrupted"];
const IMAGE_TYPES: ImageMediaType[] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** The `image` parts of a message; anything not one of the four image types is dropped. */
function toImages(parts: unknown): ImagePart[] {
  if (!Array.isArray(parts)) return [];
  const out: ImagePart[] = [];
  for (const raw of parts) {
    const p = obj(raw);
    const type = str(p.media_type) as ImageMediaType | null;
    if ((p.kind ?? p.type) === "image" && type && IMAGE_TYPES.includes(type) && typeof p.data === "string" && p.data) {
      out.push({ media_type: type, data: p.data });
    }
  }
  return out;
}

/** The `file` parts of a message (name and text must be strings; the rest is dropped). */
function toFiles(parts: unknown): FilePart[] {
  if (!Array.isArray(parts)) return [];
  const out: FilePart[] = [];
  for (const raw of parts) {
    const p = obj(raw);
    if ((p.kind ?? p.type) !== "file" || typeof p.text !== "string") continue;
    out.push({ name: str(p.name) || "file", media_type: str(p.media_type) || "text/plain", text: p.text });
  }
  return out;
}

/**
 * The answer's `thinking` part, if it has one with text (the server puts it first). Several
 * are joined, so nothing the model thought is lost if a future server splits them.
 */
function toThinking(parts: unknown): ThinkingPart | null {
  if (!Array.isArray(parts)) return null;
  let text = "";
  let duration: number | null = null;
  for (const raw of parts) {
    const p = obj(raw);
    if ((p.kind ?? p.type) !== "thinking") continue;
    text += str(p.text) ?? "";
    const ms = num(p.duration_ms);
    if (ms !== null && ms >= 0) duration = (duration ?? 0) + ms;
  }
  return text ? { text, duration_ms: duration } : null;
}

/** A message's saved error record: what failed, in the server's words. */
function savedError(v: unknown): ChatMessage["error"] {
  const { code, message } = readError(v);
  return { code, message };
}

export function toMessage(v: unknown): ChatMessage {
  const m = obj(v);
  const status = str(m.status) as MessageStatus | null;
  const usage = m.usage ? obj(m.usage) : null;
  const siblings = Array.isArray(m.siblings)
    ? m.siblings.map((s) => str(typeof s === "object" ? obj(s).id : s) ?? "").filter(Boolean)
    : Array.isArray(m.sibling_ids)
      ? m.sibling_ids.map((s) => str(s) ?? "")
      : [];
  const id = str(m.id) ?? "";
  const images = toImages(m.parts);
  const files = toFiles(m.parts);
  const thinking = toThinking(m.parts);
  const content =
    typeof m.content === "string"
      ? m.content
      : Array.isArray(m.parts)
        ? m.parts
            .map((p) => obj(p))
            .filter((p) => (p.kind ?? p.type) === "text")
            .map((p) => str(p.text) ?? "")
            .join("")
        : "";
  return {
    id,
    parent_id: str(m.parent_id),
    role: (str(m.role) as ChatMessage["role"]) ?? "assistant",
    content,
    provider: str(m.provider),
    model: str(m.model),
    status: status && MESSAGE_STATUSES.includes(status) ? status : "complete",
    error: m.error ? savedError(m.error) : null,
    created_at: str(m.created_at),
    siblings: siblings.length ? siblings : [id],
    usage: usage
      ? {
          input_tokens: num(usage.input_tokens),
          output_tokens: num(usage.output_tokens),
          cost_usd: num(usage.cost_usd ?? usage.cost),
          ttft_ms: num(usage.ttft_ms),
          duration_ms: num(usage.duration_ms),
        }
      : null,
    ...(images.length ? { images } : {}),
    ...(files.length ? { files } : {}),
    ...(thinking ? { thinking } : {}),
  };
}

export function toConversationSummary(v: unknown): ConversationSummary {
  const c = obj(v);
  return {
    id: str(c.id) ?? "",
    title: str(c.title),
    provider: str(c.provider),
    model: str(c.model),
    pinned: c.pinned === true,
    created_at: str(c.created_at),
    updated_at: str(c.updated_at ?? c.created_at),
  };
}

/** A search result: the summary plus where it matched (a title hit when the match is odd). */
export function toSearchHit(v: unknown): ConversationSearchHit {
  const c = obj(v);
  const m = obj(c.match);
  const role = m.role === "user" || m.role === "assistant" ? m.role : "title";
  return {
    ...toConversationSummary(c),
    match: { message_id: str(m.message_id), role, snippet: str(m.snippet) ?? "" },
  };
}

/** Unknown or missing fields read as "open, not first": the ordinary sign-in page. */
export function toRegistrationStatus(v: unknown): RegistrationStatus {
  const o = obj(v);
  return { open: o.open !== false, first_user: o.first_user === true };
}

const REASONING: ReasoningSetting[] = ["off", "low", "medium", "high"];

/** Only the knobs the UI knows, each only when it has the right type. */
export function toConversationParams(v: unknown): ConversationParams {
  const p = obj(v);
  const temperature = num(p.temperature);
  const top_p = num(p.top_p);
  const max_tokens = num(p.max_tokens);
  const stop = Array.isArray(p.stop) ? p.stop.filter((s): s is string => typeof s === "string") : null;
  const reasoning = REASONING.includes(p.reasoning as ReasoningSetting) ? (p.reasoning as ReasoningSetting) : null;
  return {
    ...(temperature !== null ? { temperature } : {}),
    ...(top_p !== null ? { top_p } : {}),
    ...(max_tokens !== null ? { max_tokens } : {}),
    ...(stop ? { stop } : {}),
    ...(reasoning ? { reasoning } : {}),
  };
}

export function toConversation(v: unknown): Conversation {
  const c = obj(v);
  const raw = Array.isArray(c.messages)
    ? c.messages
    : Array.isArray(obj(c.messages).items)
      ? (obj(c.messages).items as unknown[])
      : [];
  return {
    ...toConversationSummary(c),
    system_prompt: str(c.system_prompt),
    params: toConversationParams(c.params),
    messages: raw.map(toMessage),
    has_more: c.has_more === true,
    images_before: c.images_before === true,
  };
}

export function toList<T>(v: unknown, map: (x: unknown) => T): T[] {
  if (Array.isArray(v)) return v.map(map);
  const o = obj(v);
  for (const key of ["items", "data", "providers", "models", "conversations", "results"]) {
    if (Array.isArray(o[key])) return (o[key] as unknown[]).map(map);
  }
  return [];
}

/** The list's `next_cursor` (absent or empty means the last page). */
export function nextCursor(v: unknown): string | null {
  return str(obj(v).next_cursor) || null;
}
