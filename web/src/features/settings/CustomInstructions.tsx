import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { CharCount } from "@/components/ui/char-count";
import { Label } from "@/components/ui/input";
import { MAX_INSTRUCTIONS, charCount } from "./instructions";


/**
 * "What should the assistant know about you?": the system prompt every new chat starts with.
 * Saved with a button, not per keystroke: a half-typed instruction must never reach a chat.
 */
export function CustomInstructions({
  saved,
  onSave,
}: {
  /** What the server has (empty: none). */
  saved: string;
  /** Resolves true once the server stored it. */
  onSave: (value: string | null) => Promise<boolean>;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(saved);
  const [saving, setSaving] = useState(false);
  // The profile arrives (or changes in another tab) after the first render: follow it
  // unless the user has started typing something else.
  // (State adjusted while rendering, React's pattern for "reset when a prop changes".)
  const [base, setBase] = useState(saved);
  if (saved !== base) {
    setBase(saved);
    if (text === base) setText(saved);
  }

  const count = charCount(text);
  const over = count - MAX_INSTRUCTIONS;
  const changed = text.trim() !== saved.trim();

  return (
    <form
      className="space-y-1.5"
      onSubmit={(e) => {
        e.preventDefault();
        if (over > 0 || !changed || saving) return;
        setSaving(true);
        const value = text.trim() || null;
        void onSave(value).then((ok) => {
          setSaving(false);
          if (ok) setText(value ?? "");
        });
      }}
    >
      <Label htmlFor={`${id}-text`}>{t("settings.customInstructions")}</Label>
      <p id={`${id}-hint`} className="text-sm text-muted-foreground">
        {t("settings.customInstructionsHint")}
      </p>
      <textarea
        id={`${id}-text`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={6}
        placeholder={t("settings.customInstructionsPlaceholder")}
        aria-describedby={`${id}-hint ${id}-count`}
        aria-invalid={over > 0}
        className="block max-h-96 min-h-32 w-full resize-y rounded-lg border border-input bg-card px-3 py-2 text-sm leading-relaxed placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-ring aria-[invalid=true]:border-danger"
        data-testid="custom-instructions"
      />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <CharCount
          id={`${id}-count`}
          count={count}
          max={MAX_INSTRUCTIONS}
          testId="custom-instructions-count"
          within={(n, max) => t("settings.customInstructionsCount", { n, max })}
          over={(max, by) => t("settings.customInstructionsTooLong", { max, over: by })}
        />
        <Button type="submit" size="sm" disabled={!changed || over > 0 || saving}>
          {t("settings.customInstructionsSave")}
        </Button>
      </div>
    </form>
  );
}
