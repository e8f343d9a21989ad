import { ArrowDown } from "lucide-react";
import { useTranslation } from "react-i18next";

/** Shown when the user scrolled up: back to the newest message. */
export function ScrollDownButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="pointer-events-none relative">
      <button
        type="button"
        aria-label={t("chat.scrollDown")}
        onClick={onClick}
        className="pointer-events-auto absolute -top-12 left-1/2 inline-flex size-8 -translate-x-1/2 items-center justify-center rounded-full border border-border bg-card shadow"
      >
        <ArrowDown className="size-4" />
      </button>
    </div>
  );
}
