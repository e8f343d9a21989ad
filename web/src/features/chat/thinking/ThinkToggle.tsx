import { Brain } from "lucide-react";
import { useTranslation } from "react-i18next";
import { cn } from "@/lib/utils";

/**
 * The composer's "Think" switch (a toggle button: `aria-pressed`), shown only for a model
 * that can think. Its name is "Extended thinking"; phones show the icon alone.
 */
export function ThinkToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      aria-pressed={on}
      aria-label={t("thinking.toggle")}
      title={t("thinking.toggle")}
      onClick={() => onChange(!on)}
      className={cn(
        "inline-flex h-8 shrink-0 items-center gap-1.5 rounded-lg border px-2 text-sm transition-colors focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring sm:px-2.5",
        on
          ? "border-primary/40 bg-primary/10 text-primary hover:bg-primary/15"
          : "border-transparent text-muted-foreground hover:bg-accent hover:text-foreground",
      )}
      data-testid="think-toggle"
    >
      <Brain className="size-4" aria-hidden="true" />
      <span className="hidden sm:inline">{t("thinking.think")}</span>
    </button>
  );
}
