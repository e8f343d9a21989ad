import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { useConversationQuery, useUpdateConversationMutation } from "@/api/endpoints";
import type { Conversation, IgnoredParam, ModelInfo } from "@/api/types";
import { Button } from "@/components/ui/button";
import { CharCount } from "@/components/ui/char-count";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { FieldError, Input, Label } from "@/components/ui/input";
import { charCount } from "@/features/settings/instructions";
import { errorMessage } from "@/lib/errors";
import { useAppDispatch, useAppSelector } from "@/store";
import { thinkingEffortChosen } from "@/store/uiSlice";
import {
  EFFORTS,
  MAX_SYSTEM_PROMPT,
  MAX_TOKENS_MAX,
  MAX_TOKENS_MIN,
  TEMPERATURE_MAX,
  TEMPERATURE_MIN,
  formFrom,
  ignoredNow,
  validateSettings,
  type SettingsForm,
} from "./conversationSettings";
import { useThinking } from "./thinking/useThinking";
import { useModelChoice } from "./useModelChoice";

const EFFORT_LABELS = {
  low: "convSettings.effortLow",
  medium: "convSettings.effortMedium",
  high: "convSettings.effortHigh",
} as const;

/**
 * "Conversation settings": this chat's system prompt and sampling defaults, used by every
 * later answer in it. Opened from the conversation's menu (header or sidebar row).
 */
export function ConversationSettingsDialog({
  conversationId,
  onOpenChange,
}: {
  /** The conversation being edited; null: closed. */
  conversationId: string | null;
  onOpenChange: (open: boolean) => void;
}) {
  const { t } = useTranslation();
  const conv = useConversationQuery(conversationId ?? "", { skip: !conversationId });
  return (
    <Dialog open={conversationId !== null} onOpenChange={onOpenChange}>
      <DialogContent
        title={t("convSettings.title")}
        description={t("convSettings.description")}
        className="max-h-[calc(100dvh-2rem)] max-w-lg overflow-y-auto"
      >
        {conv.data && conv.data.id === conversationId ? (
          // Keyed: another conversation (or a fresh copy after saving) starts a fresh form.
          <SettingsFormView key={conv.data.id} conversation={conv.data} onDone={() => onOpenChange(false)} />
        ) : conv.isError ? (
          <p role="alert" className="text-sm text-danger">
            {errorMessage(conv.error, t("common.error"))}
          </p>
        ) : (
          <p className="py-6 text-center text-sm text-muted-foreground">{t("common.loading")}</p>
        )}
      </DialogContent>
    </Dialog>
  );
}

/**
 * The model this chat answers with next (the one picked in the composer, else the one it last
 * used) and whether it thinks: what decides which fields that model ignores.
 */
function useChatModel(conversation: Conversation) {
  const choice = useModelChoice(conversation.id, { model: conversation.model, provider: conversation.provider });
  const model = choice.value
    ? choice.models.find((m) => m.id === choice.value?.model && m.provider === choice.value.provider)
    : undefined;
  const thinking = useThinking(conversation.id, false, conversation.params?.reasoning, model);
  return { model, thinking: thinking.capable && thinking.on };
}

function SettingsFormView({ conversation, onDone }: { conversation: Conversation; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const chat = useChatModel(conversation);
  const id = useId();
  const [update, { isLoading: saving }] = useUpdateConversationMutation();
  const dispatch = useAppDispatch();
  const lastEffort = useAppSelector((s) => s.ui.thinkingEffort);
  const [form, setForm] = useState<SettingsForm>(() =>
    formFrom(conversation.system_prompt, conversation.params, lastEffort),
  );
  // Field errors show once the user has tried to save (and then update as they type).
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const result = validateSettings(form, conversation.params);
  const errors = tried && !result.ok ? result.errors : {};
  const fmt = (n: number) => n.toLocaleString(i18n.language);
  const count = charCount(form.systemPrompt);
  const over = count - MAX_SYSTEM_PROMPT;
  const set = (field: keyof SettingsForm) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [field]: e.target.value }));
  // Which fields the chat's model ignores now; a temperature it ignores is not "set" for it.
  const temperatureIgnored = ignoredNow(chat.model, "temperature", { thinking: chat.thinking, temperatureSet: false });
  const when = { thinking: chat.thinking, temperatureSet: form.temperature.trim() !== "" && !temperatureIgnored };
  const maxTokensIgnored = ignoredNow(chat.model, "max_tokens", when);
  // An ignored field's reason takes the place of its usual hint.
  const describedBy = (field: string, ignored: IgnoredParam | null, error: unknown) =>
    `${id}-${field}-${ignored ? "ignored" : "hint"}${error ? ` ${id}-${field}-error` : ""}`;

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setTried(true);
        setServerError(null);
        if (!result.ok || saving) return;
        const res = await update({ id: conversation.id, ...result.payload });
        if ("error" in res) {
          setServerError(errorMessage(res.error, t("convSettings.saveFailed")));
          return;
        }
        // Also the effort of chats that have none saved yet (Think switched on later).
        dispatch(thinkingEffortChosen(form.effort));
        toast.success(t("convSettings.saved"));
        onDone();
      }}
    >
      <div className="space-y-1.5">
        <Label htmlFor={`${id}-system`}>{t("convSettings.systemPrompt")}</Label>
        <p id={`${id}-system-hint`} className="text-xs text-muted-foreground">
          {t("convSettings.systemPromptHint")}
        </p>
        <textarea
          id={`${id}-system`}
          value={form.systemPrompt}
          onChange={set("systemPrompt")}
          rows={6}
          placeholder={t("convSettings.systemPromptPlaceholder")}
          aria-describedby={`${id}-system-hint ${id}-system-count`}
          aria-invalid={over > 0}
          className="block max-h-[40dvh] min-h-28 w-full resize-y rounded-lg border border-input bg-card px-3 py-2 text-sm leading-relaxed placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-ring aria-[invalid=true]:border-danger"
          data-testid="conversation-system-prompt"
          autoFocus
        />
        <CharCount
          id={`${id}-system-count`}
          count={count}
          max={MAX_SYSTEM_PROMPT}
          testId="conversation-system-prompt-count"
          within={(n, max) => t("convSettings.systemPromptCount", { n, max })}
          over={(max, by) => t("convSettings.systemPromptTooLong", { max, over: by })}
        />
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <div className="space-y-1.5">
          <Label htmlFor={`${id}-temperature`}>{t("convSettings.temperature")}</Label>
          <Input
            id={`${id}-temperature`}
            inputMode="decimal"
            autoComplete="off"
            value={form.temperature}
            onChange={set("temperature")}
            placeholder={t("convSettings.providerDefault")}
            disabled={temperatureIgnored !== null}
            aria-invalid={errors.temperature !== undefined}
            aria-describedby={describedBy("temperature", temperatureIgnored, errors.temperature)}
            data-testid="conversation-temperature"
          />
          {temperatureIgnored ? (
            <IgnoredNote id={`${id}-temperature-ignored`} rule={temperatureIgnored} model={chat.model} testId="temperature" />
          ) : (
            <p id={`${id}-temperature-hint`} className="text-xs text-muted-foreground">
              {t("convSettings.temperatureHint", { min: fmt(TEMPERATURE_MIN), max: fmt(TEMPERATURE_MAX) })}
            </p>
          )}
          <FieldError id={`${id}-temperature-error`}>
            {errors.temperature &&
              t("convSettings.temperatureRange", { min: fmt(TEMPERATURE_MIN), max: fmt(TEMPERATURE_MAX) })}
          </FieldError>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor={`${id}-max-tokens`}>{t("convSettings.maxTokens")}</Label>
          <Input
            id={`${id}-max-tokens`}
            inputMode="numeric"
            autoComplete="off"
            value={form.maxTokens}
            onChange={set("maxTokens")}
            placeholder={t("convSettings.providerDefault")}
            disabled={maxTokensIgnored !== null}
            aria-invalid={errors.maxTokens !== undefined}
            aria-describedby={describedBy("max-tokens", maxTokensIgnored, errors.maxTokens)}
            data-testid="conversation-max-tokens"
          />
          {maxTokensIgnored ? (
            <IgnoredNote id={`${id}-max-tokens-ignored`} rule={maxTokensIgnored} model={chat.model} testId="max-tokens" />
          ) : (
            <p id={`${id}-max-tokens-hint`} className="text-xs text-muted-foreground">
              {t("convSettings.maxTokensHint")}
            </p>
          )}
          <FieldError id={`${id}-max-tokens-error`}>
            {errors.maxTokens &&
              t("convSettings.maxTokensRange", { min: fmt(MAX_TOKENS_MIN), max: fmt(MAX_TOKENS_MAX) })}
          </FieldError>
        </div>
      </div>

      <div className="space-y-1.5">
        <Label htmlFor={`${id}-effort`}>{t("convSettings.thinkingEffort")}</Label>
        <select
          id={`${id}-effort`}
          value={form.effort}
          onChange={set("effort")}
          aria-describedby={`${id}-effort-hint`}
          className="block h-10 w-full rounded-lg border border-input bg-card px-3 text-sm focus-visible:outline-2 focus-visible:outline-ring sm:w-[calc(50%-0.5rem)]"
          data-testid="conversation-thinking-effort"
        >
          {EFFORTS.map((e) => (
            <option key={e} value={e}>
              {t(EFFORT_LABELS[e])}
            </option>
          ))}
        </select>
        <p id={`${id}-effort-hint`} className="text-xs text-muted-foreground">
          {t("convSettings.thinkingEffortHint")}
        </p>
      </div>

      {serverError && (
        <p role="alert" className="text-sm text-danger" data-testid="conversation-settings-error">
          {serverError}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" onClick={onDone}>
          {t("common.cancel")}
        </Button>
        <Button type="submit" disabled={saving || over > 0}>
          {saving ? t("common.saving") : t("common.save")}
        </Button>
      </div>
    </form>
  );
}

/**
 * Why the chat's model ignores a field, in the user's language (the server's English reason
 * for a code this UI does not know). The field stays filled: the value is kept for a model
 * that takes it.
 */
function IgnoredNote({
  id,
  rule,
  model,
  testId,
}: {
  id: string;
  rule: IgnoredParam;
  model: ModelInfo | undefined;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <p id={id} className="text-xs text-foreground" data-testid={`conversation-${testId}-ignored`}>
      {t(`convSettings.ignored.${rule.code}`, { model: model?.display_name ?? "", defaultValue: rule.reason })}
    </p>
  );
}
