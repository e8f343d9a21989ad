import { Eye, EyeOff, Loader2, PlugZap, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { ProviderInfo, TestResult } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Switch } from "@/components/ui/switch";
import { ProviderIcon } from "./ProviderIcon";
import { StatusLight } from "./StatusLight";

export interface ProviderCardProps {
  provider: ProviderInfo;
  onSaveKey: (key: string) => Promise<boolean>;
  onRemoveKey: () => void;
  onTest: () => void;
  onToggle: (enabled: boolean) => void;
  testing: boolean;
  lastTest: TestResult | null;
  saving?: boolean;
}

function formatCost(usd: number): string {
  return usd > 0 && usd < 0.01 ? "<$0.01" : `$${usd.toFixed(2)}`;
}

function formatTokens(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}K` : String(n);
}

/** One provider: its key, its health and its switch, all in one place. */
export function ProviderCard({
  provider: p,
  onSaveKey,
  onRemoveKey,
  onTest,
  onToggle,
  testing,
  lastTest,
  saving,
}: ProviderCardProps) {
  const { t } = useTranslation();
  const [key, setKey] = useState("");
  const [reveal, setReveal] = useState(false);
  const inputId = `key-${p.id}`;
  const errorMessage = p.status === "error" ? p.status_message : null;
  const usage = p.usage;

  return (
    <Card className="flex flex-col gap-4" data-testid={`provider-card-${p.id}`} aria-labelledby={`${inputId}-title`}>
      <div className="flex items-start gap-3">
        <ProviderIcon provider={p.id} displayName={p.display_name} size="md" />
        <div className="min-w-0 flex-1">
          <h3 id={`${inputId}-title`} className="truncate font-semibold">
            {p.display_name}
          </h3>
          <StatusLight provider={p} />
        </div>
        <Switch
          checked={p.enabled}
          onCheckedChange={onToggle}
          aria-label={t("providers.enableLabel", { provider: p.display_name })}
        />
      </div>

      {errorMessage && (
        <p role="alert" className="rounded-lg border border-danger/40 bg-danger/5 px-3 py-2 text-sm text-danger" data-testid="provider-error">
          {errorMessage}
        </p>
      )}

      {p.requires_key ? (
        <form
          className="space-y-2"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!key.trim()) return;
            if (await onSaveKey(key.trim())) setKey("");
          }}
        >
          <label htmlFor={inputId} className="text-sm font-medium">
            {t("providers.apiKey")}
          </label>
          <div className="flex gap-2">
            <div className="relative min-w-0 flex-1">
              <Input
                id={inputId}
                type={reveal ? "text" : "password"}
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(e) => setKey(e.target.value)}
                placeholder={
                  p.key_hint ? `••••••••  ${p.key_hint}` : t("providers.keyPlaceholder", { provider: p.display_name })
                }
                className={key ? "pr-9 font-mono" : "pr-9"}
              />
              <button
                type="button"
                onClick={() => setReveal((r) => !r)}
                aria-label={reveal ? t("providers.hideKey") : t("providers.showKey")}
                className="absolute right-1 top-1/2 inline-flex size-7 -translate-y-1/2 items-center justify-center rounded-md text-muted-foreground hover:bg-accent"
              >
                {reveal ? <EyeOff className="size-4" /> : <Eye className="size-4" />}
              </button>
            </div>
            <Button type="submit" variant={key.trim() ? "default" : "outline"} disabled={!key.trim() || saving}>
              {saving ? t("common.saving") : t("common.save")}
            </Button>
          </div>
          <p className="text-xs text-muted-foreground">
            {p.key_source && p.key_source !== "none"
              ? t(`providers.keySource.${p.key_source}`, { hint: p.key_hint ?? "" })
              : t("providers.keySource.none")}
          </p>
        </form>
      ) : (
        <p className="text-sm text-muted-foreground">{t("providers.noKeyNeeded")}</p>
      )}

      <div className="flex flex-wrap items-center gap-2">
        <Button variant="outline" size="sm" onClick={onTest} disabled={testing || (!p.configured && p.requires_key)}>
          {testing ? <Loader2 className="animate-spin" /> : <PlugZap />}
          {testing ? t("providers.testing") : t("providers.test")}
        </Button>
        {p.key_source === "user" && (
          <Button variant="ghost" size="sm" onClick={onRemoveKey}>
            <Trash2 />
            {t("providers.remove")}
          </Button>
        )}
        {lastTest && !testing && !(errorMessage && lastTest.error === errorMessage) && (
          <span
            role="status"
            className={lastTest.success ? "text-xs text-success" : "text-xs text-danger"}
            data-testid="test-result"
          >
            {lastTest.success
              ? t("providers.testOk", { provider: p.display_name, ms: Math.round(lastTest.latency_ms) })
              : t("providers.testFailed", { provider: p.display_name, message: lastTest.error ?? "" })}
          </span>
        )}
      </div>

      <div className="border-t border-border pt-3 text-xs text-muted-foreground">
        <span className="font-medium text-foreground">{t("providers.usage")}: </span>
        {usage && usage.requests > 0
          ? t("providers.usageValue", {
              count: usage.requests,
              tokens: formatTokens(usage.input_tokens + usage.output_tokens),
            }) + (usage.cost !== null ? ` · ${formatCost(usage.cost)}` : "")
          : t("providers.usageNone")}
      </div>
    </Card>
  );
}
