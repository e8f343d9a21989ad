import { ArrowLeft } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link, NavLink } from "react-router";
import { ProvidersSettings } from "@/features/providers/ProvidersSettings";
import { cn } from "@/lib/utils";
import { PreferencesSettings } from "./PreferencesSettings";
import { ProfileSettings } from "./ProfileSettings";

export type SettingsTab = "profile" | "preferences" | "providers";

export function SettingsPage({ tab }: { tab: SettingsTab }) {
  const { t } = useTranslation();
  const tabs: { id: SettingsTab; to: string; label: string }[] = [
    { id: "profile", to: "/settings", label: t("settings.profile") },
    { id: "preferences", to: "/settings/preferences", label: t("settings.preferences") },
    { id: "providers", to: "/settings/providers", label: t("settings.providers") },
  ];
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto w-full max-w-4xl px-4 pb-16 pt-2 sm:px-6">
        <Link to="/" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ArrowLeft className="size-4" />
          {t("settings.back")}
        </Link>
        <h1 className="mt-3 font-serif text-3xl">{t("settings.title")}</h1>
        <nav aria-label={t("settings.title")} className="mt-5 flex gap-1 overflow-x-auto border-b border-border">
          {tabs.map((x) => (
            <NavLink
              key={x.id}
              to={x.to}
              end
              className={({ isActive }) =>
                cn(
                  "-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm",
                  isActive ? "border-primary font-medium text-foreground" : "border-transparent text-muted-foreground hover:text-foreground",
                )
              }
            >
              {x.label}
            </NavLink>
          ))}
        </nav>
        <div className="mt-6">
          {tab === "profile" && <ProfileSettings />}
          {tab === "preferences" && <PreferencesSettings />}
          {tab === "providers" && <ProvidersSettings />}
        </div>
      </div>
    </div>
  );
}
