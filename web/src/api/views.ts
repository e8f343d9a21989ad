/**
 * The server's answers (typed by the generated schema) turned into the UI's views in types.ts.
 * Nothing here guesses: each function reads the server's own fields. What it adds is the UI's
 * choice of string ids, a message's parts read into images, files and thinking, and the
 * models joined with their provider's health.
 */
import type { components } from "./schema.gen";
import type {
  ChatMessage,
  Conversation,
  ConversationParams,
  ConversationSearchHit,
  ConversationSummary,
  FilePart,
  ImageMediaType,
  ImagePart,
  ModelsResult,
  StoredPart,
  ThinkingPart,
} from "./types";

type Schemas = components["schemas"];

/** `GET /api/models`: each model joined with its provider's list status and error. */
export function toModelsResult(r: Schemas["ModelsOut"]): ModelsResult {
  const groups = new Map(r.providers.map((g) => [g.provider, g]));
  const errors: Record<string, string> = {};
  for (const g of r.providers) if (g.status === "error") errors[g.provider] = g.error ?? "";
  const models = r.models.map((m) => {
    const g = groups.get(m.provider);
    return {
      ...m,
      ignored_params: m.ignored_params ?? [],
      provider_status: g?.status ?? "ok",
      provider_error: g?.error ?? null,
    };
  });
  return { models, errors };
}

const IMAGE_TYPES: readonly string[] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** The `image` parts the UI can render (one of the four image types it accepts). */
function toImages(parts: StoredPart[]): ImagePart[] {
  const out: ImagePart[] = [];
  for (const p of parts) {
    if (p.kind === "image" && IMAGE_TYPES.includes(p.media_type) && p.data) {
      out.push({ media_type: p.media_type as ImageMediaType, data: p.data });
    }
  }
  return out;
}

function toFiles(parts: StoredPart[]): FilePart[] {
  return parts.flatMap((p) => (p.kind === "file" ? [{ name: p.name, media_type: p.media_type, text: p.text }] : []));
}

/**
 * The answer's `thinking` part, if it has one with text (the server puts it first). Several
 * are joined, so nothing the model thought is lost if a future server splits them.
 */
function toThinking(parts: StoredPart[]): ThinkingPart | null {
  let text = "";
  let duration: number | null = null;
  for (const p of parts) {
    if (p.kind !== "thinking") continue;
    text += p.text;
    if (p.duration_ms !== null && p.duration_ms >= 0) duration = (duration ?? 0) + p.duration_ms;
  }
  return text ? { text, duration_ms: duration } : null;
}

export function toMessage(m: Schemas["MessageOut"]): ChatMessage {
  const id = String(m.id);
  const parts = m.parts ?? [];
  const images = toImages(parts);
  const files = toFiles(parts);
  const thinking = toThinking(parts);
  const siblings = (m.sibling_ids ?? []).map(String);
  return {
    id,
    parent_id: m.parent_id === null ? null : String(m.parent_id),
    role: m.role,
    content: m.content,
    provider: m.provider ?? null,
    model: m.model ?? null,
    status: m.status,
    error: m.error ?? null,
    created_at: m.created_at,
    siblings: siblings.length ? siblings : [id],
    usage: m.usage ?? null,
    ...(images.length ? { images } : {}),
    ...(files.length ? { files } : {}),
    ...(thinking ? { thinking } : {}),
  };
}

export function toConversationSummary(c: Schemas["ConversationOut"]): ConversationSummary {
  return {
    id: String(c.id),
    title: c.title,
    provider: c.provider,
    model: c.model,
    pinned: c.pinned,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

export function toSearchHit(c: Schemas["ConversationSearchHit"]): ConversationSearchHit {
  const { message_id, role, snippet } = c.match;
  return {
    ...toConversationSummary(c),
    match: { message_id: message_id === null ? null : String(message_id), role, snippet },
  };
}

const REASONING: readonly unknown[] = ["off", "low", "medium", "high"];
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * A conversation's `params`: the server returns them as an open object (what was saved), so
 * only the knobs the UI knows are kept, each only when it has its `ConversationParams` type.
 */
export function toConversationParams(p: Record<string, unknown>): ConversationParams {
  const temperature = num(p.temperature);
  const top_p = num(p.top_p);
  const max_tokens = num(p.max_tokens);
  const stop = Array.isArray(p.stop) ? p.stop.filter((s): s is string => typeof s === "string") : null;
  const reasoning = REASONING.includes(p.reasoning) ? (p.reasoning as ConversationParams["reasoning"]) : null;
  return {
    ...(temperature !== null ? { temperature } : {}),
    ...(top_p !== null ? { top_p } : {}),
    ...(max_tokens !== null ? { max_tokens } : {}),
    ...(stop ? { stop } : {}),
    ...(reasoning ? { reasoning } : {}),
  };
}

export function toConversation(c: Schemas["ConversationDetail"]): Conversation {
  return {
    ...toConversationSummary(c),
    system_prompt: c.system_prompt,
    params: toConversationParams(c.params ?? {}),
    messages: c.messages.map(toMessage),
    has_more: c.has_more,
    images_before: c.images_before,
  };
}
