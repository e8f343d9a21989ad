import { KeyRound } from "lucide-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";

/**
 * A new chat: a greeting (by name when known), the way to a key when no model is usable,
 * then the composer.
 */
export function ChatGreeting({ name, noModel, children }: { name?: string; noModel: boolean; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-1 flex-col items-center justify-center px-4 pb-[10vh]">
      <h1 className="mb-6 text-center font-serif text-3xl text-foreground sm:text-4xl">
        {name ? t("chat.greetingNamed", { name }) : t("chat.greeting")}
      </h1>
      {noModel && (
        <div className="mb-6 flex max-w-xl flex-col items-center gap-3 rounded-xl border border-border bg-card p-5 text-center">
          <KeyRound className="size-6 text-primary" />
          <p className="font-medium">{t("chat.noKeyTitle")}</p>
          <p className="text-sm text-muted-foreground">{t("chat.noKeyBody")}</p>
          <Button asChild>
            <Link to="/settings/providers">{t("chat.openSettings")}</Link>
          </Button>
        </div>
      )}
      <div className="w-full max-w-3xl">{children}</div>
    </div>
  );
}
