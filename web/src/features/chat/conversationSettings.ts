/**
 * The conversation settings form, as plain functions: what the user typed → the `PUT
 * /api/conversations/{id}` body, or the reason it cannot be saved. The limits are the server's
 * (`ConversationUpdate.system_prompt` and `ConversationParams`, the same ranges as a chat
 * request), so the form never sends something the server would refuse.
 */
import type { ConversationParams, IgnoredParam, ModelInfo, ParamName, ReasoningEffort } from "@/api/types";
import { charCount } from "@/features/settings/instructions";

/** `ConversationUpdate.system_prompt` max_length on the server. */
export const MAX_SYSTEM_PROMPT = 100_000;
export const TEMPERATURE_MIN = 0;
export const TEMPERATURE_MAX = 2;
export const MAX_TOKENS_MIN = 1;
export const MAX_TOKENS_MAX = 1_000_000;

/** The form's fields as typed (numbers as text: empty means "the provider's default"). */
export interface SettingsForm {
  systemPrompt: string;
  temperature: string;
  maxTokens: string;
  /** How hard Think works in this chat (used when Think is on, for a model that can think). */
  effort: ReasoningEffort;
}

export const EFFORTS: readonly ReasoningEffort[] = ["low", "medium", "high"];

export type SettingsError = "systemPromptTooLong" | "temperatureRange" | "maxTokensRange";

export interface SettingsPayload {
  system_prompt: string | null;
  params: ConversationParams;
}

export type SettingsResult =
  | { ok: true; payload: SettingsPayload }
  | { ok: false; errors: Partial<Record<keyof SettingsForm, SettingsError>> };

/**
 * The form as it starts for a saved conversation. `fallbackEffort`: the effort shown when the
 * chat has none saved (Think off, or never used): the user's last one.
 */
export function formFrom(
  systemPrompt: string | null | undefined,
  params: ConversationParams | undefined,
  fallbackEffort: ReasoningEffort = "medium",
): SettingsForm {
  const saved = params?.reasoning;
  return {
    effort: saved && saved !== "off" ? saved : fallbackEffort,
    systemPrompt: systemPrompt ?? "",
    temperature: params?.temperature !== undefined ? String(params.temperature) : "",
    maxTokens: params?.max_tokens !== undefined ? String(params.max_tokens) : "",
  };
}

/** A decimal as people type it: "0.7", "0,7" (French), " 1 ". NaN when it is not a number. */
export function parseDecimal(text: string): number {
  const t = text.trim().replace(",", ".");
  return /^\d*\.?\d+$|^\d+\.$/.test(t) ? Number(t) : Number.NaN;
}

/**
 * A whole number, allowing the thousands separators people paste ("4,096", "4 096", "4.096"),
 * only where they group thousands: "12.5" is not a whole number, not 125.
 */
export function parseWhole(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  return /^\d{1,3}([,. \u00a0\u202f])\d{3}(\1\d{3})*$/.test(t) ? Number(t.replace(/\D/g, "")) : Number.NaN;
}

/**
 * Validates the form; on success the body to send. `saved` are the params the conversation
 * has now: the ones this form does not show (top_p, stop) are kept, since `params` replaces
 * the whole object on the server. The effort is saved as `reasoning` only when the chat
 * thinks (a saved effort); "off" stays off: choosing an effort does not switch Think on.
 */
export function validateSettings(form: SettingsForm, saved: ConversationParams = {}): SettingsResult {
  const errors: Partial<Record<keyof SettingsForm, SettingsError>> = {};
  if (charCount(form.systemPrompt) > MAX_SYSTEM_PROMPT) errors.systemPrompt = "systemPromptTooLong";

  let temperature: number | undefined;
  if (form.temperature.trim()) {
    const v = parseDecimal(form.temperature);
    if (Number.isNaN(v) || v < TEMPERATURE_MIN || v > TEMPERATURE_MAX) errors.temperature = "temperatureRange";
    else temperature = v;
  }
  let maxTokens: number | undefined;
  if (form.maxTokens.trim()) {
    const v = parseWhole(form.maxTokens);
    if (Number.isNaN(v) || v < MAX_TOKENS_MIN || v > MAX_TOKENS_MAX) errors.maxTokens = "maxTokensRange";
    else maxTokens = v;
  }
  if (Object.keys(errors).length) return { ok: false, errors };

  const { temperature: _t, max_tokens: _m, reasoning, ...kept } = saved;
  return {
    ok: true,
    payload: {
      system_prompt: form.systemPrompt.trim() || null,
      params: {
        ...kept,
        ...(temperature !== undefined ? { temperature } : {}),
        ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
        ...(reasoning === undefined ? {} : { reasoning: reasoning === "off" ? "off" : form.effort }),
      },
    },
  };
}

/**
 * The rule by which `model` ignores `param` in this chat now, or null when it takes it. A
 * "thinking" rule applies while the chat thinks (Think on, for a model that can); a
 * "temperature_set" rule when the chat sets a temperature. The server applies the same rules
 * (it never sends an ignored field), so this only explains it.
 */
export function ignoredNow(
  model: ModelInfo | undefined,
  param: ParamName,
  chat: { thinking: boolean; temperatureSet: boolean },
): IgnoredParam | null {
  const rules = model?.ignored_params ?? [];
  return (
    rules.find(
      (r) =>
        r.param === param &&
        (r.when === "always" ||
          (r.when === "thinking" && chat.thinking) ||
          (r.when === "temperature_set" && chat.temperatureSet)),
    ) ?? null
  );
}
