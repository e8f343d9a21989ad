import { Fragment } from "react";
import { useTranslation } from "react-i18next";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { isApple } from "./shortcuts";

type KeyName = "mod" | "shift" | "enter" | "esc" | string;

/** One key cap; modifier names are translated, ⌘ on Apple keyboards. */
function Key({ name, apple }: { name: KeyName; apple: boolean }) {
  const { t } = useTranslation();
  const label =
    name === "mod"
      ? apple
        ? "⌘"
        : t("shortcuts.keys.ctrl")
      : name === "shift"
        ? apple
          ? "⇧"
          : t("shortcuts.keys.shift")
        : name === "enter"
          ? t("shortcuts.keys.enter")
          : name === "esc"
            ? t("shortcuts.keys.esc")
            : name;
  return (
    <kbd className="inline-flex min-w-6 items-center justify-center rounded-md border border-border bg-background px-1.5 py-0.5 font-sans text-xs font-medium text-foreground shadow-[0_1px_0_var(--color-border)]">
      {label}
    </kbd>
  );
}

const ROWS: { action: string; keys: KeyName[]; hint?: string }[] = [
  { action: "shortcuts.newChat", keys: ["mod", "shift", "O"] },
  { action: "shortcuts.search", keys: ["mod", "K"] },
  { action: "shortcuts.focusComposer", keys: ["/"], hint: "shortcuts.slashHint" },
  { action: "shortcuts.send", keys: ["enter"] },
  { action: "shortcuts.newLine", keys: ["shift", "enter"] },
  { action: "shortcuts.stop", keys: ["esc"] },
  { action: "shortcuts.show", keys: ["mod", "/"] },
];

/** The list of keyboard shortcuts, from the account menu or Ctrl/⌘+/. */
export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation();
  const apple = isApple();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title={t("shortcuts.title")} data-testid="shortcuts-dialog">
        <dl className="divide-y divide-border text-sm">
          {ROWS.map((row) => (
            <div key={row.action} className="flex items-center justify-between gap-4 py-2">
              <dt className="min-w-0">
                {t(row.action)}
                {row.hint && <span className="block text-xs text-muted-foreground">{t(row.hint)}</span>}
              </dt>
              <dd className="flex shrink-0 items-center gap-1">
                {row.keys.map((k, i) => (
                  <Fragment key={k}>
                    {i > 0 && !apple && <span className="text-xs text-muted-foreground">+</span>}
                    <Key name={k} apple={apple} />
                  </Fragment>
                ))}
              </dd>
            </div>
          ))}
        </dl>
      </DialogContent>
    </Dialog>
  );
}
