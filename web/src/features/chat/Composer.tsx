import { ArrowUp, Square } from "lucide-react";
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { cn } from "@/lib/utils";

export interface ComposerProps {
  onSend: (text: string) => void;
  onStop: () => void;
  streaming: boolean;
  disabled?: boolean;
  modelLabel: string | null;
  toolbar?: ReactNode;
}

/** Enter sends, Shift+Enter adds a line, Esc stops; the box grows with its text. */
export function Composer({ onSend, onStop, streaming, disabled, modelLabel, toolbar }: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  useEffect(() => {
    if (!streaming) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onStop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [streaming, onStop]);

  const canSend = !disabled && !streaming && text.trim().length > 0;
  const send = () => {
    if (!canSend) return;
    onSend(text.trim());
    setText("");
  };

  return (
    <form
      className="rounded-2xl border border-border bg-card shadow-sm focus-within:border-input focus-within:shadow-md"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        ref={ref}
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
        placeholder={modelLabel ? t("chat.placeholder", { model: modelLabel }) : t("chat.placeholderNoModel")}
        aria-label={t("chat.message")}
        className="block max-h-60 w-full resize-none bg-transparent px-4 pt-3.5 pb-1 leading-relaxed outline-none placeholder:text-muted-foreground"
        data-testid="composer-input"
      />
      <div className="flex items-center gap-2 px-2 pb-2">
        <div className="min-w-0 flex-1">{toolbar}</div>
        {streaming ? (
          <button
            type="button"
            onClick={onStop}
            aria-label={t("chat.stop")}
            title={`${t("chat.stop")} (Esc)`}
            className="inline-flex size-8 items-center justify-center rounded-lg bg-foreground text-background hover:opacity-90 focus-visible:outline-2 focus-visible:outline-ring"
            data-testid="stop-button"
          >
            <Square className="size-3.5 fill-current" />
          </button>
        ) : (
          <button
            type="submit"
            disabled={!canSend}
            aria-label={t("chat.send")}
            className={cn(
              "inline-flex size-8 items-center justify-center rounded-lg transition-colors focus-visible:outline-2 focus-visible:outline-ring",
              canSend ? "bg-primary text-primary-foreground hover:opacity-90" : "bg-muted text-muted-foreground",
            )}
            data-testid="send-button"
          >
            <ArrowUp className="size-4" />
          </button>
        )}
      </div>
    </form>
  );
}
