import { Check, ChevronLeft, ChevronRight, Copy, Info, Pencil, RefreshCw } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useProvidersQuery } from "@/api/endpoints";
import type { ChatMessage } from "@/api/types";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { useAppSelector } from "@/store";

const iconBtn =
  "inline-flex size-7 items-center justify-center rounded-md text-muted-foreground hover:bg-accent hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring disabled:opacity-40";

export function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className={iconBtn}
      aria-label={done ? t("common.copied") : t("common.copy")}
      title={t("common.copy")}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        } catch {
          /* clipboard refused */
        }
      }}
    >
      {done ? <Check className="size-4" /> : <Copy className="size-4" />}
    </button>
  );
}

export function BranchNav({
  message,
  onSelect,
}: {
  message: ChatMessage;
  onSelect: (siblingId: string) => void;
}) {
  const { t } = useTranslation();
  const total = message.siblings.length;
  if (total < 2) return null;
  const index = Math.max(0, message.siblings.indexOf(message.id));
  return (
    <span className="inline-flex items-center text-xs text-muted-foreground" data-testid="branch-nav">
      <button
        type="button"
        className={iconBtn}
        aria-label={t("chat.previous")}
        disabled={index === 0}
        onClick={() => onSelect(message.siblings[index - 1] as string)}
      >
        <ChevronLeft className="size-4" />
      </button>
      <span className="tabular-nums">{t("chat.branch", { current: index + 1, total })}</span>
      <button
        type="button"
        className={iconBtn}
        aria-label={t("chat.next")}
        disabled={index === total - 1}
        onClick={() => onSelect(message.siblings[index + 1] as string)}
      >
        <ChevronRight className="size-4" />
      </button>
    </span>
  );
}

function fmtMs(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function DetailsButton({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const recorded = useAppSelector((s) => s.ui.detailsByMessage[message.id]);
  const providers = useProvidersQuery();
  const providerName = message.provider
    ? (providers.data?.find((p) => p.id === message.provider)?.display_name ?? message.provider)
    : null;
  const u = message.usage ?? recorded ?? null;
  const unknown = t("chat.unknown");
  const rows: [string, string][] = [
    [t("chat.provider"), providerName ?? unknown],
    [t("chat.model"), message.model ?? unknown],
    [
      t("chat.tokens"),
      u && (u.input_tokens !== null || u.output_tokens !== null)
        ? t("chat.tokensValue", { input: u.input_tokens ?? "?", output: u.output_tokens ?? "?" })
        : unknown,
    ],
    [t("chat.cost"), u?.cost_usd !== null && u?.cost_usd !== undefined ? `$${u.cost_usd.toFixed(5)}` : unknown],
    [t("chat.ttft"), fmtMs(u?.ttft_ms) ?? unknown],
    [t("chat.duration"), fmtMs(u?.duration_ms) ?? unknown],
  ];
  return (
    <Popover>
      <PopoverTrigger className={iconBtn} aria-label={t("chat.details")} title={t("chat.details")}>
        <Info className="size-4" />
      </PopoverTrigger>
      <PopoverContent className="w-64 p-3" side="top">
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1.5 text-xs" data-testid="message-details">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd className="truncate text-right font-medium" title={v}>
                {v}
              </dd>
            </div>
          ))}
        </dl>
      </PopoverContent>
    </Popover>
  );
}

export function RegenerateButton({ onClick, disabled }: { onClick: () => void; disabled?: boolean }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className={iconBtn}
      aria-label={t("chat.regenerate")}
      title={t("chat.regenerate")}
      onClick={onClick}
      disabled={disabled}
    >
      <RefreshCw className="size-4" />
    </button>
  );
}

export function EditButton({ onClick, disabled }: { onClick: () => void; disabled?: boolean }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className={iconBtn}
      aria-label={t("chat.edit")}
      title={t("chat.edit")}
      onClick={onClick}
      disabled={disabled}
    >
      <Pencil className="size-4" />
    </button>
  );
}
