import { AlertTriangle, ChevronDown, ChevronRight, Eye, KeyRound, Search, Wrench, Zap } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ModelInfo, ProviderInfo } from "@/api/types";
import { Badge } from "@/components/ui/badge";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { cn } from "@/lib/utils";
import { ProviderIcon } from "@/features/providers/ProviderIcon";
import { groupModels } from "./grouping";

export interface ModelSelectorProps {
  models: ModelInfo[];
  providers: ProviderInfo[];
  /** Providers whose live model list failed, with the reason (shown in their section). */
  providerErrors?: Record<string, string>;
  value: { model: string; provider: string } | null;
  onChange: (model: ModelInfo) => void;
  onConfigure: (provider: string) => void;
  loading?: boolean;
  /** Render the list inline (tests, settings) instead of inside a popover. */
  inline?: boolean;
  /** Where the menu opens: below on the new-chat screen, above a composer at the bottom. */
  side?: "top" | "bottom";
  /** Escape in the list: the popover closes itself; inline lists may want to know. */
  onClose?: () => void;
}

function formatContext(n: number | null): string | null {
  if (!n) return null;
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(n % 1_000_000 ? 1 : 0)}M` : `${Math.round(n / 1000)}K`;
}

export function ModelList({
  models,
  providers,
  providerErrors,
  value,
  onChange,
  onConfigure,
  loading,
  onClose,
}: Omit<ModelSelectorProps, "inline">) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [filter, setFilter] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const groups = useMemo(
    () => groupModels(models, providers, query, filter, providerErrors),
    [models, providers, query, filter, providerErrors],
  );
  // Arrow keys move a highlight while focus stays in the search box (aria-activedescendant),
  // so typing and choosing never fight over focus, as in claude.ai's picker.
  const listId = useId();
  const listRef = useRef<HTMLDivElement>(null);
  const visible = useMemo(
    () => groups.flatMap((g) => ((collapsed[g.provider] ?? false) ? [] : g.models)),
    [groups, collapsed],
  );
  const initialActive = () => {
    const i = visible.findIndex((m) => m.id === value?.model && m.provider === value.provider);
    return i >= 0 && query === "" ? i : visible.length > 0 ? 0 : -1;
  };
  const [active, setActive] = useState(initialActive);
  const [shownList, setShownList] = useState(visible);
  if (shownList !== visible) {
    // A new list (search, filter, collapse) resets the highlight; a new value does not.
    setShownList(visible);
    setActive(initialActive());
  }
  const optionId = (i: number) => `${listId}-opt-${i}`;
  useEffect(() => {
    if (active < 0) return;
    const el = listRef.current?.querySelector(`[id="${optionId(active)}"]`);
    if (el instanceof HTMLElement && typeof el.scrollIntoView === "function") el.scrollIntoView({ block: "nearest" });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active]);
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const n = visible.length;
    if (e.key === "ArrowDown" && n > 0) {
      e.preventDefault();
      setActive((i) => (i + 1) % n);
    } else if (e.key === "ArrowUp" && n > 0) {
      e.preventDefault();
      setActive((i) => (i <= 0 ? n - 1 : i - 1));
    } else if (e.key === "Enter") {
      const m = visible[active];
      if (m) {
        e.preventDefault();
        onChange(m);
      }
    } else if (e.key === "Escape") {
      onClose?.();
    }
  };
  const filterable = useMemo(() => {
    const ids = new Set(models.filter((m) => m.available).map((m) => m.provider));
    return providers.filter((p) => ids.has(p.id));
  }, [models, providers]);

  return (
    <div className="flex max-h-[min(70vh,520px,var(--radix-popover-content-available-height,520px))] w-full flex-col">
      <div className="border-b border-border p-2">
        <div className="relative">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" />
          <input
            autoFocus
            role="combobox"
            aria-expanded
            aria-controls={listId}
            aria-activedescendant={active >= 0 ? optionId(active) : undefined}
            onKeyDown={onKeyDown}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t("models.search")}
            aria-label={t("models.search")}
            className="h-9 w-full rounded-lg bg-muted pl-8 pr-3 text-sm placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-ring"
          />
        </div>
        {filterable.length > 1 && (
          <div role="group" aria-label={t("models.filter")} className="mt-2 flex flex-wrap gap-1">
            {[null, ...filterable.map((p) => p.id)].map((id) => {
              const active = filter === id;
              const label = id === null ? t("models.all") : (providers.find((p) => p.id === id)?.display_name ?? id);
              return (
                <button
                  key={id ?? "all"}
                  type="button"
                  aria-pressed={active}
                  onClick={() => setFilter(id)}
                  className={cn(
                    "rounded-full border px-2.5 py-0.5 text-xs",
                    active ? "border-primary bg-primary text-primary-foreground" : "border-border hover:bg-accent",
                  )}
                >
                  {label}
                </button>
              );
            })}
          </div>
        )}
      </div>
      <div ref={listRef} id={listId} className="overflow-y-auto p-1" role="listbox" aria-label={t("models.select")}>
        {loading && <p className="p-3 text-muted-foreground">{t("models.loading")}</p>}
        {!loading && groups.length === 0 && (
          <p className="p-3 text-muted-foreground">{t("models.noResults")}</p>
        )}
        {groups.map((g) => {
          const isCollapsed = collapsed[g.provider] ?? false;
          return (
            <section key={g.provider} aria-label={g.displayName} data-provider={g.provider} className="py-0.5">
              <button
                type="button"
                aria-expanded={!isCollapsed}
                aria-label={t(isCollapsed ? "models.expand" : "models.collapse", { provider: g.displayName })}
                onClick={() => setCollapsed((c) => ({ ...c, [g.provider]: !isCollapsed }))}
                className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-xs font-semibold uppercase tracking-wide text-muted-foreground hover:bg-accent"
              >
                {isCollapsed ? <ChevronRight className="size-3.5" /> : <ChevronDown className="size-3.5" />}
                <ProviderIcon provider={g.provider} displayName={g.displayName} size="xs" />
                <span className="truncate">{g.displayName}</span>
                {!g.configured && (
                  <span className="ml-auto font-normal normal-case tracking-normal">{t("models.notConfigured")}</span>
                )}
              </button>
              {!isCollapsed && g.error !== null && (
                <p className="ml-7 flex items-start gap-1.5 px-2 pb-1 text-xs text-danger" title={g.error}>
                  <AlertTriangle className="mt-0.5 size-3.5 shrink-0" />
                  <span className="line-clamp-2">{g.error || t("models.unreachable")}</span>
                </p>
              )}
              {!isCollapsed && !g.configured && (
                <button
                  type="button"
                  onClick={() => onConfigure(g.provider)}
                  className="ml-7 flex items-center gap-1.5 rounded-md px-2 py-1.5 text-sm text-primary hover:bg-accent"
                >
                  <KeyRound className="size-3.5" />
                  {t("models.configure")}
                </button>
              )}
              {!isCollapsed &&
                g.models.map((m) => {
                  const selected = value?.model === m.id && value.provider === m.provider;
                  const ctx = formatContext(m.context_window);
                  const index = visible.indexOf(m);
                  const highlighted = index === active;
                  return (
                    <button
                      key={`${m.provider}:${m.id}`}
                      id={optionId(index)}
                      type="button"
                      role="option"
                      aria-selected={selected}
                      data-active={highlighted || undefined}
                      onClick={() => onChange(m)}
                      onMouseMove={() => setActive(index)}
                      className={cn(
                        "flex w-full items-start gap-2 rounded-lg px-2 py-2 text-left hover:bg-accent focus-visible:bg-accent",
                        selected && "bg-accent",
                        highlighted && "bg-accent ring-1 ring-ring/40",
                      )}
                    >
                      <ProviderIcon provider={m.provider} size="sm" className="mt-0.5" />
                      <span className="min-w-0 flex-1">
                        <span className="flex items-center gap-1.5">
                          <span className="truncate font-medium">{m.display_name}</span>
                          {m.is_default && (
                            <Badge className="border-primary/40 text-primary">{t("models.default")}</Badge>
                          )}
                        </span>
                        <span className="mt-1 flex flex-wrap items-center gap-1">
                          {m.capabilities.vision && (
                            <Badge title={t("models.vision")}>
                              <Eye className="size-3" />
                              {t("models.vision")}
                            </Badge>
                          )}
                          {m.capabilities.tools && (
                            <Badge title={t("models.tools")}>
                              <Wrench className="size-3" />
                              {t("models.tools")}
                            </Badge>
                          )}
                          {m.capabilities.streaming && (
                            <Badge title={t("models.streaming")}>
                              <Zap className="size-3" />
                              {t("models.streaming")}
                            </Badge>
                          )}
                          {ctx && (
                            <span className="text-[11px] text-muted-foreground">
                              {t("models.context", { tokens: ctx })}
                            </span>
                          )}
                        </span>
                      </span>
                    </button>
                  );
                })}
            </section>
          );
        })}
      </div>
    </div>
  );
}

export function ModelSelector(props: ModelSelectorProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const current = props.value
    ? props.models.find((m) => m.id === props.value?.model && m.provider === props.value.provider)
    : undefined;
  const { inline, side: _side, ...listProps } = props;
  if (inline) return <ModelList {...listProps} />;
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger
        className="inline-flex max-w-[60vw] items-center gap-1.5 rounded-lg px-2 py-1 text-sm text-muted-foreground hover:bg-accent hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring sm:max-w-xs"
        aria-label={t("models.select")}
        data-testid="model-selector"
        data-model={props.value?.model ?? ""}
      >
        {props.value && <ProviderIcon provider={props.value.provider} size="xs" />}
        <span className="truncate">
          {current?.display_name ?? props.value?.model ?? t("models.select")}
        </span>
        <ChevronDown className="size-3.5 shrink-0" />
      </PopoverTrigger>
      <PopoverContent className="w-[min(92vw,380px)] p-0" align="start" side={props.side ?? "top"}>
        <ModelList
          {...listProps}
          onChange={(m) => {
            props.onChange(m);
            setOpen(false);
          }}
          onClose={() => setOpen(false)}
          onConfigure={(p) => {
            setOpen(false);
            props.onConfigure(p);
          }}
        />
      </PopoverContent>
    </Popover>
  );
}
